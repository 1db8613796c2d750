// The call state machine, with time passed in: greeting first, framing and marks, exact
// barge-in, DTMF, endings, restore after a reconnect.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/base64.hpp"
#include "core/call/call_bridge.hpp"
#include "core/call/playback.hpp"

namespace vg::call {
namespace {
namespace js = boost::json;
using std::chrono::milliseconds;

micros at_ms(std::int64_t ms) { return micros{ms * 1000}; }

// --- playback -------------------------------------------------------------------------------

TEST(playback, heard_is_last_echo_plus_elapsed_capped_by_the_next_frame) {
  playback p;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) p.sent(seq, 1, 160, at_ms(0));  // 100 ms sent at t=0
  EXPECT_EQ(p.heard(at_ms(30))->ms, 20);   // nothing echoed yet: capped by frame 1's end
  p.acked(1, at_ms(20));
  p.acked(2, at_ms(40));
  EXPECT_EQ(p.heard(at_ms(50))->ms, 50);   // 40 ms echoed + 10 ms since
  EXPECT_EQ(p.heard(at_ms(75))->ms, 60);   // but never past frame 3's end until its echo
  p.acked(5, at_ms(100));
  EXPECT_FALSE(p.playing());
  EXPECT_FALSE(p.heard(at_ms(120)).has_value());
}

TEST(playback, stale_and_unknown_echoes_are_ignored) {
  playback p;
  p.sent(1, 1, 160, at_ms(0));
  p.sent(2, 1, 160, at_ms(0));
  p.clear();
  p.acked(1, at_ms(5));  // Twilio echoes cleared marks: nothing outstanding, nothing changes
  EXPECT_FALSE(p.playing());
  p.sent(3, 2, 160, at_ms(100));
  p.acked(9, at_ms(110));  // never sent
  EXPECT_TRUE(p.playing());
  p.acked(2, at_ms(110));  // older than anything outstanding
  EXPECT_EQ(p.heard(at_ms(110))->ms, 10);
}

TEST(playback, a_new_item_starts_where_the_previous_one_ended) {
  playback p;
  p.sent(1, 1, 160, at_ms(0));
  p.sent(2, 2, 160, at_ms(5));
  p.acked(1, at_ms(20));
  const auto h = p.heard(at_ms(30));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->item, 2u);
  EXPECT_EQ(h->ms, 10);
}

TEST(playback, audio_sent_after_an_underrun_starts_playing_when_sent) {
  playback p;
  p.sent(1, 1, 160, at_ms(0));
  p.acked(1, at_ms(20));
  p.sent(2, 1, 160, at_ms(500));  // same item, Twilio idle meanwhile
  EXPECT_EQ(p.heard(at_ms(510))->ms, 30);  // 20 ms before + 10 ms of the new frame
}

// --- bridge ---------------------------------------------------------------------------------

struct recorder final : bridge_output {
  std::vector<std::string> twilio, model;
  std::vector<note_kind> notes;
  std::vector<std::int64_t> note_values;
  std::optional<end_reason> ended;
  void send_twilio(std::string_view j) override { twilio.emplace_back(j); }
  void send_model(std::string_view j) override { model.emplace_back(j); }
  void record(const note& n) override {
    notes.push_back(n.kind);
    note_values.push_back(n.value);
  }
  void end_call(end_reason why) override { ended = why; }

  std::vector<std::string> model_types() const {
    std::vector<std::string> out;
    for (const auto& m : model) out.push_back(js::value_to<std::string>(js::parse(m).at("type")));
    return out;
  }
  std::string twilio_audio() const {
    std::string out;
    for (const auto& m : twilio) {
      const auto v = js::parse(m);
      if (v.at("event") == "media") out += *base64::decode(js::value_to<std::string>(v.at("media").at("payload")));
    }
    return out;
  }
  std::vector<std::string> twilio_events() const {
    std::vector<std::string> out;
    for (const auto& m : twilio) out.push_back(js::value_to<std::string>(js::parse(m).at("event")));
    return out;
  }
  bool has_note(note_kind k) const { return std::find(notes.begin(), notes.end(), k) != notes.end(); }
};

const std::string start_msg =
    R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"customParameters":{},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ1"})";

std::string delta(const std::string& item, const std::string& bytes, const char* type = "response.output_audio.delta") {
  return std::string(R"({"type":")") + type + R"(","response_id":"r1","item_id":")" + item + R"(","delta":")" +
         base64::encode(bytes) + R"("})";
}
std::string mark_echo(int n) {
  return R"({"event":"mark","sequenceNumber":"9","streamSid":"MZ1","mark":{"name":")" + std::to_string(n) + R"("}})";
}
std::string audio(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 5 + static_cast<std::size_t>(seed)) & 0xFF);
  return s;
}

TEST(bridge, configures_the_session_then_greets_first) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  EXPECT_EQ(out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create", "response.create"}));
  EXPECT_EQ(js::parse(out.model[0]).at("session").at("audio").at("input").at("format").at("type"), "audio/pcmu");
}

TEST(bridge, greeting_audio_waits_for_start_then_goes_out_in_marked_frames) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  const std::string greeting = audio(500, 1);  // 3 full frames + 20 bytes
  b.on_model_message(delta("item_1", greeting.substr(0, 333)), at_ms(10));
  b.on_model_message(delta("item_1", greeting.substr(333)), at_ms(11));
  EXPECT_TRUE(out.twilio.empty());  // no stream yet
  b.on_twilio_message(start_msg, at_ms(50));
  EXPECT_EQ(out.twilio_events(), (std::vector<std::string>{"media", "mark", "media", "mark", "media", "mark"}));
  b.on_model_message(R"({"type":"response.output_audio.done","item_id":"item_1","response_id":"r1"})", at_ms(60));
  ASSERT_EQ(out.twilio.size(), 8u);  // the 20-byte remainder is flushed at audio.done
  EXPECT_EQ(out.twilio_audio(), greeting);
  EXPECT_EQ(js::parse(out.twilio[1]).at("mark").at("name"), "1");
  EXPECT_EQ(js::parse(out.twilio[7]).at("mark").at("name"), "4");
  EXPECT_TRUE(out.has_note(note_kind::first_audio));
}

TEST(bridge, caller_audio_is_spliced_through_unchanged) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_twilio_message(start_msg, at_ms(0));
  const std::string payload = base64::encode(audio(160, 3));
  const std::string media = R"({"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"20","payload":")" + payload + R"("},"streamSid":"MZ1"})";
  b.on_twilio_message(media, at_ms(20));
  EXPECT_TRUE(out.model.empty());  // no model session yet: nothing to send to
  b.on_model_connected(at_ms(30));
  out.model.clear();
  b.on_twilio_message(media, at_ms(40));
  ASSERT_EQ(out.model.size(), 1u);
  EXPECT_EQ(out.model[0], R"({"type":"input_audio_buffer.append","audio":")" + payload + R"("})");
}

TEST(bridge, barge_in_truncates_to_the_frame_exact_heard_duration) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(delta("item_1", audio(160 * 50, 2)), at_ms(100));  // 1 s of speech sent at once
  for (int n = 1; n <= 10; ++n) b.on_twilio_message(mark_echo(n), at_ms(100 + 20 * n));  // 200 ms played by t=300
  out.twilio.clear();
  out.model.clear();
  b.on_model_message(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":900,"item_id":"u1"})", at_ms(307));
  ASSERT_EQ(out.twilio_events(), std::vector<std::string>{"clear"});
  ASSERT_EQ(out.model.size(), 1u);
  const auto truncate = js::parse(out.model[0]);
  EXPECT_EQ(truncate.at("type"), "conversation.item.truncate");
  EXPECT_EQ(truncate.at("item_id"), "item_1");
  EXPECT_EQ(truncate.at("audio_end_ms"), 207);  // 10 echoed frames + 7 ms
  // Deltas of the interrupted item still in flight are dropped; Twilio echoes the cleared marks.
  b.on_model_message(delta("item_1", audio(320, 4)), at_ms(310));
  EXPECT_EQ(out.twilio.size(), 1u);
  for (int n = 11; n <= 50; ++n) b.on_twilio_message(mark_echo(n), at_ms(312));
  EXPECT_FALSE(b.audio_playback().playing());
  // The next answer plays normally.
  b.on_model_message(delta("item_2", audio(160, 5)), at_ms(400));
  EXPECT_EQ(out.twilio_events(), (std::vector<std::string>{"clear", "media", "mark"}));
}

TEST(bridge, barge_in_never_claims_more_than_was_sent) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(delta("item_1", audio(160 * 3, 2)), at_ms(0));  // 60 ms sent, echoes never come
  b.on_model_message(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":5000,"item_id":"u1"})", at_ms(5000));
  EXPECT_EQ(js::parse(out.model.back()).at("audio_end_ms"), 20);  // capped at the first unechoed frame
}

TEST(bridge, no_truncate_when_nothing_is_playing) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(delta("item_1", audio(160, 2)), at_ms(0));
  b.on_twilio_message(mark_echo(1), at_ms(20));
  out.model.clear();
  out.twilio.clear();
  b.on_model_message(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":900,"item_id":"u1"})", at_ms(500));
  EXPECT_TRUE(out.model.empty());
  EXPECT_TRUE(out.twilio.empty());
}

TEST(bridge, dtmf_becomes_text_for_the_model) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(R"({"type":"response.done","response":{"id":"r1","status":"completed"}})", at_ms(1));
  out.model.clear();
  b.on_twilio_message(R"({"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"#"}})", at_ms(5));
  ASSERT_EQ(out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  EXPECT_NE(out.model[0].find("pressed the key #"), std::string::npos);
}

TEST(bridge, stop_ends_the_call_once) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_twilio_message(R"({"event":"stop","sequenceNumber":"9","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"})", at_ms(9));
  ASSERT_TRUE(out.ended.has_value());
  EXPECT_EQ(*out.ended, end_reason::stream_stopped);
  EXPECT_TRUE(b.ended());
}

TEST(bridge, max_duration_says_goodbye_then_ends_when_it_has_played) {
  recorder out;
  bridge_settings s;
  s.max_duration = std::chrono::seconds(10);
  call_bridge b(s, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(R"({"type":"response.created","response":{"id":"r_greet","status":"in_progress"}})", at_ms(1));
  b.on_tick(at_ms(9999));
  EXPECT_FALSE(b.ended());
  out.model.clear();
  b.on_tick(at_ms(10000));
  EXPECT_EQ(out.model_types(), (std::vector<std::string>{"response.cancel", "response.create"}));
  EXPECT_NE(out.model[1].find("goodbye"), std::string::npos);
  // The cancelled greeting's response.done is not the goodbye.
  b.on_model_message(R"({"type":"response.done","response":{"id":"r_greet","status":"cancelled"}})", at_ms(10001));
  EXPECT_FALSE(b.ended());
  b.on_model_message(R"({"type":"response.created","response":{"id":"r_bye","status":"in_progress"}})", at_ms(10002));
  b.on_model_message(delta("item_bye", audio(320, 9)), at_ms(10003));
  b.on_model_message(R"({"type":"response.done","response":{"id":"r_bye","status":"completed"}})", at_ms(10004));
  EXPECT_FALSE(b.ended());  // still playing
  b.on_twilio_message(mark_echo(1), at_ms(10023));
  EXPECT_FALSE(b.ended());
  b.on_twilio_message(mark_echo(2), at_ms(10043));
  ASSERT_TRUE(out.ended.has_value());
  EXPECT_EQ(*out.ended, end_reason::max_duration);
}

TEST(bridge, the_goodbye_grace_ends_a_call_whose_model_stays_silent) {
  recorder out;
  bridge_settings s;
  s.max_duration = std::chrono::seconds(1);
  s.goodbye_grace = std::chrono::seconds(5);
  call_bridge b(s, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_tick(at_ms(1000));
  b.on_tick(at_ms(5999));
  EXPECT_FALSE(b.ended());
  b.on_tick(at_ms(6000));
  EXPECT_EQ(*out.ended, end_reason::max_duration);
}

TEST(bridge, a_new_model_session_gets_the_conversation_back) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(R"({"type":"response.output_audio_transcript.done","item_id":"a1","transcript":"Hello, Bright Smile Dental."})", at_ms(1));
  b.on_model_message(R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","transcript":"I need a cleaning."})", at_ms(2));
  b.on_model_lost(at_ms(3));
  out.model.clear();
  b.on_model_connected(at_ms(4));
  EXPECT_EQ(out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create",
                                                         "conversation.item.create", "response.create"}));
  const auto first = js::parse(out.model[1]);
  EXPECT_EQ(first.at("item").at("role"), "assistant");
  EXPECT_EQ(first.at("item").at("content").at(0).at("type"), "output_text");
  EXPECT_EQ(js::parse(out.model[2]).at("item").at("content").at(0).at("text"), "I need a cleaning.");
  EXPECT_NE(out.model[3].find("instructions"), std::string::npos);
  EXPECT_TRUE(out.has_note(note_kind::model_restored));
}

TEST(bridge, bad_and_unknown_messages_are_noted_not_fatal) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_twilio_message("{nope", at_ms(1));
  b.on_twilio_message(R"({"event":"whatever"})", at_ms(2));
  b.on_model_message("[1,2]", at_ms(3));
  b.on_model_message(R"({"type":"response.output_audio.delta","item_id":"i","delta":"%%%"})", at_ms(4));
  EXPECT_FALSE(b.ended());
  EXPECT_TRUE(out.has_note(note_kind::bad_message));
  EXPECT_TRUE(out.has_note(note_kind::unknown_event));
  b.on_model_message(delta("item_9", audio(160, 1)), at_ms(5));
  EXPECT_EQ(out.twilio_events(), (std::vector<std::string>{"media", "mark"}));
}

TEST(bridge, beta_deltas_and_larger_frames) {
  recorder out;
  bridge_settings s;
  s.dialect = openai::dialect::beta;
  s.frame_bytes = 480;  // 60 ms per media message
  call_bridge b(s, out);
  b.on_model_connected(at_ms(0));
  EXPECT_NE(out.model[0].find("g711_ulaw"), std::string::npos);
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_model_message(delta("item_1", audio(960, 3), "response.audio.delta"), at_ms(1));
  EXPECT_EQ(out.twilio_events(), (std::vector<std::string>{"media", "mark", "media", "mark"}));
  EXPECT_EQ(out.twilio_audio(), audio(960, 3));
}

}  // namespace
}  // namespace vg::call
