// base64, the JSON scanner, TwiML, stream tokens, Twilio stream messages and Realtime events.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>

#include "core/base64.hpp"
#include "core/json_scan.hpp"
#include "core/openai/realtime_events.hpp"
#include "core/twilio/media_stream.hpp"
#include "core/twilio/stream_token.hpp"
#include "core/twilio/twiml.hpp"

namespace vg {
namespace {
namespace js = boost::json;

TEST(base64, rfc4648_vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64::encode(plain), encoded);
    EXPECT_EQ(base64::decode(encoded).value(), plain);
  }
  EXPECT_EQ(base64::decode("Zm9vYg").value(), "foob");  // padding optional
  EXPECT_FALSE(base64::decode("Zm9v!").has_value());
  EXPECT_FALSE(base64::decode("Z").has_value());
}

TEST(base64, random_round_trips) {
  std::mt19937 rng(7);
  for (std::size_t n = 0; n < 600; n += 7) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(base64::decode(base64::encode(bytes)).value(), bytes);
  }
  const std::uint8_t raw[] = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64::encode_url(raw, 3), "-__-");
}

TEST(json_scan, members_and_nesting) {
  auto o = json::object_view::parse(R"( {"a":"x\"y","n":-12.5e3,"s":"42","o":{"k":[1,{"z":null}]},"t":true} )");
  ASSERT_TRUE(o.ok()) << o.error_message();
  std::string scratch;
  EXPECT_EQ(json::text_of(*o->find("a"), scratch), "x\"y");
  EXPECT_EQ(o->find("n")->type, json::kind::number);
  EXPECT_EQ(o->integer("s").value(), 42);
  EXPECT_FALSE(o->integer("n").has_value());  // not an integer
  EXPECT_EQ(o->find("o")->type, json::kind::object);
  auto inner = json::object_view::parse(o->find("o")->raw);
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->find("k")->type, json::kind::array);
  EXPECT_EQ(o->find("t")->type, json::kind::boolean);
  EXPECT_EQ(o->find("missing"), nullptr);
}

TEST(json_scan, malformed_input_is_refused) {
  for (const char* bad : {"", "[]", "{", R"({"a":})", R"({"a":1,})", R"({"a":"\q"})", "{\"a\":\"\x01\"}", R"({"a":1} x)",
                          R"({"a":01})", R"({"a":tru})", R"({"a":"\u12"})", R"({a:1})"}) {
    EXPECT_FALSE(json::object_view::parse(bad).ok()) << bad;
  }
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  EXPECT_FALSE(json::object_view::parse(deep).ok());
}

TEST(json_scan, unescape_and_escape_agree_with_boost_json) {
  std::string out;
  ASSERT_TRUE(json::unescape(R"(a\n\t\/\u00e9\ud83d\ude00)", out));
  EXPECT_EQ(out, "a\n\t/\xc3\xa9\xf0\x9f\x98\x80");
  const std::string tricky = "quote\" back\\ nl\n ctl\x01 utf8 \xc3\xa9";
  std::string doc;
  json::append_quoted(doc, tricky);
  EXPECT_EQ(js::value_to<std::string>(js::parse(doc)), tricky);
}

TEST(twiml, escapes_text_and_attributes) {
  twiml::stream_options s;
  s.url = "wss://x.example/twilio/stream";
  s.action_url = "https://x.example/twilio/stream-ended";
  s.parameters = {{"token", "a&b\"<c>'"}};
  EXPECT_EQ(twiml::document({twiml::connect_stream(s)}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect action=\"https://x.example/twilio/stream-ended\">"
            "<Stream url=\"wss://x.example/twilio/stream\"><Parameter name=\"token\" value=\"a&amp;b&quot;&lt;c&gt;&apos;\"/>"
            "</Stream></Connect></Response>");
  EXPECT_EQ(twiml::document({twiml::say("Tom & Jerry <3", {"Polly.Joanna", "en-US"}), twiml::hangup()}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say voice=\"Polly.Joanna\" language=\"en-US\">"
            "Tom &amp; Jerry &lt;3</Say><Hangup/></Response>");
}

TEST(stream_token, binds_call_and_time) {
  const std::string t = twilio::make_stream_token("secret", "CA1", 1000);
  EXPECT_EQ(twilio::check_stream_token("secret", "CA1", t, 999), twilio::token_check::valid);
  EXPECT_EQ(twilio::check_stream_token("secret", "CA1", t, 1001), twilio::token_check::expired);
  EXPECT_EQ(twilio::check_stream_token("secret", "CA2", t, 999), twilio::token_check::bad_signature);
  EXPECT_EQ(twilio::check_stream_token("other", "CA1", t, 999), twilio::token_check::bad_signature);
  EXPECT_EQ(twilio::check_stream_token("secret", "CA1", "2000." + t.substr(t.find('.') + 1), 999),
            twilio::token_check::bad_signature);  // a later expiry cannot be grafted on
  EXPECT_EQ(twilio::check_stream_token("secret", "CA1", "garbage", 999), twilio::token_check::malformed);
  EXPECT_EQ(twilio::check_stream_token("secret", "CA1", "x.y", 999), twilio::token_check::malformed);
}

TEST(media_stream, parses_twilios_messages) {
  auto start = twilio::parse_stream_event(
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"customParameters":{"FirstName":"Jane","token":"1.x"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ1"})");
  ASSERT_TRUE(start.ok()) << start.error_message();
  EXPECT_EQ(start->kind, twilio::stream_event_kind::start);
  EXPECT_EQ(start->start.call_sid, "CA1");
  EXPECT_EQ(start->start.parameter("FirstName"), "Jane");
  EXPECT_EQ(start->start.sample_rate, 8000);
  EXPECT_EQ(start->start.encoding, "audio/x-mulaw");

  auto media = twilio::parse_stream_event(
      R"({"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"no+JhoaJjpzS"},"streamSid":"MZ1"})");
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(media->payload, "no+JhoaJjpzS");
  EXPECT_EQ(media->timestamp_ms, 5);

  auto dtmf = twilio::parse_stream_event(R"({"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}})");
  ASSERT_TRUE(dtmf.ok());
  EXPECT_EQ(dtmf->digit, "1");
  auto mark = twilio::parse_stream_event(R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"my label"}})");
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(mark->mark_name, "my label");
  EXPECT_EQ(twilio::parse_stream_event(R"({"event":"stop","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"})")->kind,
            twilio::stream_event_kind::stop);
  EXPECT_EQ(twilio::parse_stream_event(R"({"event":"connected","protocol":"Call","version":"1.0.0"})")->kind,
            twilio::stream_event_kind::connected);
  EXPECT_EQ(twilio::parse_stream_event(R"({"event":"brand-new"})")->kind, twilio::stream_event_kind::unknown);

  EXPECT_FALSE(twilio::parse_stream_event(R"({"event":"media","media":{}})").ok());
  EXPECT_FALSE(twilio::parse_stream_event(R"({"event":"start","start":{"streamSid":"MZ1"}})").ok());
  EXPECT_FALSE(twilio::parse_stream_event(R"({"sequenceNumber":"1"})").ok());
  EXPECT_FALSE(twilio::parse_stream_event("{not json").ok());
}

TEST(media_stream, writes_valid_messages) {
  std::string out;
  twilio::append_media(out, "MZ1", "AAAA");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"media","streamSid":"MZ1","media":{"payload":"AAAA"}})"));
  out.clear();
  twilio::append_mark(out, "MZ1", "7");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"mark","streamSid":"MZ1","mark":{"name":"7"}})"));
  out.clear();
  twilio::append_clear(out, "MZ1");
  EXPECT_EQ(js::parse(out), js::parse(R"({"event":"clear","streamSid":"MZ1"})"));
}

TEST(realtime, session_update_ga_and_beta_shapes) {
  openai::session_settings s;
  s.instructions = "Be kind.";
  s.voice = "cedar";
  s.language = "en";
  s.tools_json = R"([{"type":"function","name":"transfer_call","parameters":{"type":"object"}}])";
  const auto ga = js::parse(openai::session_update(s, openai::dialect::ga));
  EXPECT_EQ(ga.at("type"), "session.update");
  EXPECT_EQ(ga.at("session").at("type"), "realtime");
  EXPECT_EQ(ga.at("session").at("audio").at("input").at("format").at("type"), "audio/pcmu");
  EXPECT_EQ(ga.at("session").at("audio").at("output").at("voice"), "cedar");
  EXPECT_EQ(ga.at("session").at("audio").at("input").at("transcription").at("language"), "en");
  EXPECT_EQ(ga.at("session").at("tools").at(0).at("name"), "transfer_call");
  EXPECT_FALSE(ga.at("session").as_object().contains("temperature"));
  const auto beta = js::parse(openai::session_update(s, openai::dialect::beta));
  EXPECT_EQ(beta.at("session").at("input_audio_format"), "g711_ulaw");
  EXPECT_EQ(beta.at("session").at("voice"), "cedar");
  EXPECT_EQ(beta.at("session").at("modalities").at(1), "audio");
}

TEST(realtime, client_event_shapes) {
  std::string out;
  openai::append_audio_append(out, "AAAA");
  EXPECT_EQ(js::parse(out), js::parse(R"({"type":"input_audio_buffer.append","audio":"AAAA"})"));
  EXPECT_EQ(js::parse(openai::truncate_item("item_1", 0, 1234)),
            js::parse(R"({"type":"conversation.item.truncate","item_id":"item_1","content_index":0,"audio_end_ms":1234})"));
  const auto output = js::parse(openai::create_function_output("call_1", R"({"ok":true})"));
  EXPECT_EQ(output.at("item").at("type"), "function_call_output");
  EXPECT_EQ(output.at("item").at("output"), R"({"ok":true})");
  EXPECT_EQ(js::parse(openai::create_assistant_text("hi", openai::dialect::beta)).at("item").at("content").at(0).at("type"), "text");
  EXPECT_EQ(js::parse(openai::response_create("Say bye")).at("response").at("instructions"), "Say bye");
}

TEST(realtime, parses_server_events_in_both_dialects) {
  for (const char* type : {"response.output_audio.delta", "response.audio.delta"}) {
    // Parsed events are views into the text: keep it alive while they are used.
    const std::string text = std::string(R"({"type":")") + type + R"(","item_id":"i1","response_id":"r1","delta":"AAA\/"})";
    auto e = openai::parse_server_event(text);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->kind, openai::server_event_kind::audio_delta);
    EXPECT_EQ(e->item_id, "i1");
    EXPECT_TRUE(e->delta_escaped);
  }
  auto started = openai::parse_server_event(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":1500,"item_id":"u1"})");
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->kind, openai::server_event_kind::speech_started);
  EXPECT_EQ(started->audio_ms, 1500);
  auto said = openai::parse_server_event(R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","transcript":"Hi \"there\""})");
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(said->text, "Hi \"there\"");
  auto done = openai::parse_server_event(R"({"type":"response.done","response":{"id":"r1","status":"cancelled","usage":{"total_tokens":3}}})");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->response_id, "r1");
  EXPECT_EQ(done->code, "cancelled");
  EXPECT_EQ(js::parse(done->usage).at("total_tokens"), 3);
  auto fn = openai::parse_server_event(R"({"type":"response.function_call_arguments.done","call_id":"c1","name":"book","arguments":"{\"a\":1}"})");
  ASSERT_TRUE(fn.ok());
  EXPECT_EQ(fn->call_id, "c1");
  EXPECT_EQ(fn->code, "book");
  EXPECT_EQ(fn->text, R"({"a":1})");
  auto err = openai::parse_server_event(R"({"type":"error","error":{"type":"invalid_request_error","code":"invalid_event","message":"bad"}})");
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->text, "bad");
  EXPECT_EQ(openai::parse_server_event(R"({"type":"rate_limits.updated","rate_limits":[]})")->kind, openai::server_event_kind::other);
  EXPECT_FALSE(openai::parse_server_event(R"({"delta":"x"})").ok());
}

}  // namespace
}  // namespace vg
