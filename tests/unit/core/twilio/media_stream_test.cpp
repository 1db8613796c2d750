// Twilio Media Streams messages (docs/protocols/media-streams.md): every example Twilio sends, errors, and the
// messages we send, checked with Boost.JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "core/twilio/media_stream.hpp"

namespace vg::twilio {
namespace {
namespace js = boost::json;

// The examples of Twilio's messages (media-streams.md#messages-from-twilio), verbatim.
const std::string connected_msg = R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
const std::string start_msg = R"({"event":"start","sequenceNumber":"1",
 "start":{"accountSid":"AC...","streamSid":"MZ...","callSid":"CA...",
          "tracks":["inbound"],
          "customParameters":{"FirstName":"Jane"},
          "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},
 "streamSid":"MZ..."})";
const std::string media_msg = R"({"event":"media","sequenceNumber":"4",
 "media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"no+JhoaJjpzS..."},
 "streamSid":"MZ..."})";
const std::string dtmf_msg =
    R"({"event":"dtmf","streamSid":"MZ...","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}})";
const std::string mark_msg = R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ...","mark":{"name":"my label"}})";
const std::string stop_msg =
    R"({"event":"stop","sequenceNumber":"5","stop":{"accountSid":"AC...","callSid":"CA..."},"streamSid":"MZ..."})";

// --- from Twilio------------------------------------------------------------------------------------

TEST(media_stream, connected) {
  auto e = parse_stream_event(connected_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::connected);
  EXPECT_EQ(e->event_name, "connected");
  EXPECT_EQ(e->stream_sid, "");  // connected has no streamSid
}

TEST(media_stream, start_with_custom_parameters) {
  auto e = parse_stream_event(start_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::start);
  EXPECT_EQ(e->stream_sid, "MZ...");
  EXPECT_EQ(e->start.stream_sid, "MZ...");
  EXPECT_EQ(e->start.call_sid, "CA...");
  EXPECT_EQ(e->start.account_sid, "AC...");
  ASSERT_EQ(e->start.custom_parameters.size(), 1u);
  EXPECT_EQ(e->start.custom_parameters[0].first, "FirstName");
  EXPECT_EQ(e->start.custom_parameters[0].second, "Jane");
  EXPECT_EQ(e->start.parameter("FirstName"), "Jane");
  EXPECT_EQ(e->start.parameter("LastName"), "");
  EXPECT_EQ(e->start.encoding, "audio/x-mulaw");
  EXPECT_EQ(e->start.sample_rate, 8000);
  EXPECT_EQ(e->start.channels, 1);
}

TEST(media_stream, media) {
  auto e = parse_stream_event(media_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::media);
  EXPECT_EQ(e->stream_sid, "MZ...");
  EXPECT_EQ(e->payload, "no+JhoaJjpzS...");
  EXPECT_FALSE(e->payload_escaped);
  EXPECT_EQ(e->timestamp_ms, 5);
  EXPECT_EQ(e->track, "inbound");
}

TEST(media_stream, media_payload_is_a_view_into_the_message) {
  auto e = parse_stream_event(media_msg);
  ASSERT_TRUE(e.ok());
  EXPECT_GE(e->payload.data(), media_msg.data());
  EXPECT_LE(e->payload.data() + e->payload.size(), media_msg.data() + media_msg.size());
}

TEST(media_stream, dtmf) {
  auto e = parse_stream_event(dtmf_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::dtmf);
  EXPECT_EQ(e->digit, "1");
  EXPECT_EQ(e->track, "inbound_track");
  EXPECT_EQ(e->stream_sid, "MZ...");
}

TEST(media_stream, mark) {
  auto e = parse_stream_event(mark_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::mark);
  EXPECT_EQ(e->mark_name, "my label");
  EXPECT_EQ(e->stream_sid, "MZ...");
}

TEST(media_stream, stop) {
  auto e = parse_stream_event(stop_msg);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::stop);
  EXPECT_EQ(e->stream_sid, "MZ...");
}

TEST(media_stream, start_variants) {
  // Escaped values are unescaped, non-string parameter values are kept raw, order is kept.
  const std::string text =
      R"({"event":"start","start":{"streamSid":"MZ1","callSid":"CA1","customParameters":)"
      R"({"token":"1.a\u0026b","n":42,"b":"x\"y"}},"streamSid":"MZ1"})";
  auto e = parse_stream_event(text);
  ASSERT_TRUE(e.ok()) << e.error_message();
  ASSERT_EQ(e->start.custom_parameters.size(), 3u);
  EXPECT_EQ(e->start.custom_parameters[0], (std::pair<std::string, std::string>{"token", "1.a&b"}));
  EXPECT_EQ(e->start.custom_parameters[1], (std::pair<std::string, std::string>{"n", "42"}));
  EXPECT_EQ(e->start.custom_parameters[2], (std::pair<std::string, std::string>{"b", "x\"y"}));
  EXPECT_EQ(e->start.account_sid, "");  // optional
  EXPECT_EQ(e->start.encoding, "");      // no mediaFormat
  EXPECT_EQ(e->start.sample_rate, 0);

  // No customParameters at all is fine.
  auto bare = parse_stream_event(R"({"event":"start","start":{"streamSid":"MZ1","callSid":"CA1"}})");
  ASSERT_TRUE(bare.ok()) << bare.error_message();
  EXPECT_TRUE(bare->start.custom_parameters.empty());
  EXPECT_EQ(bare->stream_sid, "");  // the top-level copy is absent here
  EXPECT_EQ(bare->start.stream_sid, "MZ1");
}

TEST(media_stream, media_variants) {
  // Escaped payload (JSON allows "\/"); numeric timestamp; missing timestamp.
  auto escaped = parse_stream_event(R"({"event":"media","media":{"payload":"ab\/cd","timestamp":1234}})");
  ASSERT_TRUE(escaped.ok()) << escaped.error_message();
  EXPECT_EQ(escaped->payload, R"(ab\/cd)");
  EXPECT_TRUE(escaped->payload_escaped);
  EXPECT_EQ(escaped->timestamp_ms, 1234);
  auto no_ts = parse_stream_event(R"({"event":"media","media":{"payload":"AAAA"}})");
  ASSERT_TRUE(no_ts.ok());
  EXPECT_EQ(no_ts->timestamp_ms, 0);
  EXPECT_EQ(no_ts->track, "");
  auto big = parse_stream_event(R"({"event":"media","media":{"payload":"","timestamp":"86400000"}})");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->payload, "");
  EXPECT_EQ(big->timestamp_ms, 86400000);
}

TEST(media_stream, unknown_event_kinds_are_not_errors) {
  const std::string text = R"({"event":"brand-new","streamSid":"MZ1","whatever":{"x":[1]}})";
  auto e = parse_stream_event(text);
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, stream_event_kind::unknown);
  EXPECT_EQ(e->event_name, "brand-new");
  EXPECT_EQ(e->stream_sid, "MZ1");
  EXPECT_EQ(parse_stream_event(R"({"event":"Media","media":{"payload":"AAAA"}})")->kind, stream_event_kind::unknown);
}

TEST(media_stream, missing_fields_are_errors) {
  for (const char* bad : {
           R"({"sequenceNumber":"1"})",                                            // no event
           R"({"event":""})",                                                      // empty event
           R"({"event":7})",                                                       // event not a string
           R"({"event":"media"})",                                                 // no media object
           R"({"event":"media","media":"AAAA"})",                                  // media not an object
           R"({"event":"media","media":{}})",                                      // no payload
           R"({"event":"media","media":{"payload":12}})",                          // payload not a string
           R"({"event":"media","media":{"payload":"AA","x":}})",                   // malformed nested object
           R"({"event":"mark"})",                                                  // no mark object
           R"({"event":"mark","mark":[]})",
           R"({"event":"dtmf"})",                                                  // no dtmf object
           R"({"event":"dtmf","dtmf":{"track":"inbound_track"}})",                 // no digit
           R"({"event":"dtmf","dtmf":{"digit":""}})",
           R"({"event":"start"})",                                                 // no start object
           R"({"event":"start","start":"MZ1"})",                                   // start not an object
           R"({"event":"start","start":{"streamSid":"MZ1"}})",                     // no callSid
           R"({"event":"start","start":{"callSid":"CA1"}})",                       // no streamSid
           R"({"event":"start","start":{"streamSid":"","callSid":"CA1"}})",
           R"({"event":"start","start":{"streamSid":"MZ1","callSid":"CA1","customParameters":{"a":}}})",
       }) {
    auto e = parse_stream_event(bad);
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_FALSE(e.error_message().empty()) << bad;
    }
  }
}

TEST(media_stream, malformed_json_is_an_error) {
  for (const std::string& bad : {std::string(""), std::string("{not json"), std::string("[]"), std::string("null"),
                                std::string(R"({"event":"media")"), std::string(R"({"event":"stop"} trailing)"),
                                media_msg.substr(0, media_msg.size() - 1), std::string("{\"event\":\"stop\x01\"}")}) {
    EXPECT_FALSE(parse_stream_event(bad).ok()) << bad;
  }
}

// --- to Twilio -------------------------------------------------------------------------------------

TEST(media_stream, append_media_is_the_documented_shape) {
  std::string out;
  append_media(out, "MZ123", "no+JhoaJjpzS/w==");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"media","streamSid":"MZ123","media":{"payload":"no+JhoaJjpzS/w=="}})"));
}

TEST(media_stream, append_mark_is_the_documented_shape) {
  std::string out;
  append_mark(out, "MZ123", "responsePart");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"mark","streamSid":"MZ123","mark":{"name":"responsePart"}})"));
  out.clear();
  append_mark(out, "MZ123", "say \"hi\"\\\n");  // names are escaped
  const auto v = js::parse(out);
  EXPECT_EQ(v.at("mark").at("name"), "say \"hi\"\\\n");
}

TEST(media_stream, append_clear_is_the_documented_shape) {
  std::string out;
  append_clear(out, "MZ123");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"clear","streamSid":"MZ123"})"));
}

TEST(media_stream, appends_keep_earlier_content_and_escape_the_stream_sid) {
  std::string out = "X";
  append_clear(out, "MZ\"1");
  ASSERT_EQ(out[0], 'X');
  EXPECT_EQ(js::parse(out.substr(1)).at("streamSid"), "MZ\"1");
  out.clear();
  append_media(out, "MZ\\2", "AAAA");
  EXPECT_EQ(js::parse(out).at("streamSid"), "MZ\\2");
}

TEST(media_stream, what_we_write_we_can_read_back) {
  std::string out;
  append_mark(out, "MZ9", "17");
  auto mark = parse_stream_event(out);
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(mark->kind, stream_event_kind::mark);
  EXPECT_EQ(mark->mark_name, "17");
  EXPECT_EQ(mark->stream_sid, "MZ9");
  out.clear();
  append_media(out, "MZ9", "AAEC");
  auto media = parse_stream_event(out);
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(media->payload, "AAEC");
}

}  // namespace
}  // namespace vg::twilio
