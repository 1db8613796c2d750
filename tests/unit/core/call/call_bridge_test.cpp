// The call state machine with a recording bridge_output and time passed in: greeting first,
// framing and marks, exact barge-in, DTMF, endings, restore after a reconnect, bad input.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/base64.hpp"
#include "core/call/call_bridge.hpp"
#include "known_bug.hpp"
#include "core/call/bridge_harness.hpp"

namespace vg::call {
namespace {
namespace js = boost::json;
using namespace bridge_testing;

// --- greeting -------------------------------------------------------------------------------------

TEST(call_bridge, model_connected_sends_session_update_then_the_greeting) {
  recorder out;
  bridge_settings s;
  s.session.voice = "cedar";
  s.session.instructions = "You are a receptionist.";
  s.greeting_prompt = "Say hello to the caller.";
  call_bridge b(s, out);
  b.on_model_connected(at_ms(0));
  ASSERT_EQ(out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create", "response.create"}));
  EXPECT_TRUE(out.twilio().empty());
  const auto m = out.model_json();
  EXPECT_EQ(m[0].at("session").at("type"), "realtime");
  EXPECT_EQ(m[0].at("session").at("audio").at("input").at("format").at("type"), "audio/pcmu");
  EXPECT_EQ(m[0].at("session").at("audio").at("output").at("voice"), "cedar");
  EXPECT_EQ(m[0].at("session").at("instructions"), "You are a receptionist.");
  EXPECT_EQ(m[1].at("item").at("type"), "message");
  EXPECT_EQ(m[1].at("item").at("role"), "user");
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("type"), "input_text");
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("text"), "Say hello to the caller.");
  EXPECT_FALSE(m[2].as_object().contains("response"));  // a plain response.create
  EXPECT_FALSE(b.ended());
}

TEST(call_bridge, beta_dialect_session_update) {
  recorder out;
  bridge_settings s;
  s.dialect = openai::dialect::beta;
  call_bridge b(s, out);
  b.on_model_connected(at_ms(0));
  ASSERT_EQ(out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create", "response.create"}));
  const auto update = out.model_json()[0];
  EXPECT_EQ(update.at("session").at("input_audio_format"), "g711_ulaw");
  EXPECT_EQ(update.at("session").at("output_audio_format"), "g711_ulaw");
  EXPECT_FALSE(update.at("session").as_object().contains("audio"));
}

TEST(call_bridge, start_records_the_stream_and_call) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  EXPECT_FALSE(b.stream_started());
  b.on_twilio_message(start_msg, at_ms(7));
  EXPECT_TRUE(b.stream_started());
  EXPECT_EQ(b.stream_sid(), "MZ1");
  EXPECT_EQ(b.call_sid(), "CA1");
  const auto* n = out.find_note(note_kind::stream_started);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->text, "MZ1");
  // A repeated start is ignored.
  b.on_twilio_message(R"({"event":"start","start":{"streamSid":"MZ2","callSid":"CA2"},"streamSid":"MZ2"})", at_ms(8));
  EXPECT_EQ(b.stream_sid(), "MZ1");
  EXPECT_EQ(b.call_sid(), "CA1");
  EXPECT_EQ(out.count_notes(note_kind::stream_started), 1u);
}

TEST(call_bridge, call_sid_set_by_the_session_wins) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.set_call_sid("CA_from_webhook");
  b.on_twilio_message(start_msg, at_ms(0));
  EXPECT_EQ(b.call_sid(), "CA_from_webhook");
  EXPECT_EQ(b.stream_sid(), "MZ1");
}

// --- audio to Twilio ------------------------------------------------------------------------------

TEST(call_bridge, audio_before_start_is_held_and_flushed_on_start) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  out.clear();
  const std::string greeting = audio(500, 1);  // 3 full frames + 20 bytes
  b.on_model_message(delta("item_1", greeting.substr(0, 333)), at_ms(10));
  b.on_model_message(delta("item_1", greeting.substr(333)), at_ms(11));
  EXPECT_TRUE(out.twilio().empty());  // no stream yet
  EXPECT_FALSE(b.audio_playback().playing());
  b.on_twilio_message(start_msg, at_ms(50));
  EXPECT_EQ(out.twilio_events(), (std::vector<std::string>{"media", "mark", "media", "mark", "media", "mark"}));
  EXPECT_EQ(out.twilio_audio(), greeting.substr(0, 480));
  EXPECT_EQ(b.audio_playback().outstanding(), 3u);
  // The rest goes when the item's audio is done.
  b.on_model_message(audio_done("item_1"), at_ms(60));
  EXPECT_EQ(out.twilio_audio(), greeting);
  EXPECT_EQ(out.mark_names(), (std::vector<std::string>{"1", "2", "3", "4"}));
  const auto* first = out.find_note(note_kind::first_audio);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->value, 0);  // sent the moment the stream started
}

TEST(call_bridge, a_finished_greeting_is_flushed_completely_on_start) {
  // The whole greeting (deltas and audio done) arrives before Twilio's start.
  // Expected: everything, including the last partial frame, goes out at start.
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  const std::string greeting = audio(500, 1);
  b.on_model_message(delta("item_1", greeting), at_ms(10));
  b.on_model_message(audio_done("item_1"), at_ms(11));
  b.on_twilio_message(start_msg, at_ms(50));
  ASSERT_EQ(out.twilio_audio().size(), greeting.size());
  EXPECT_TRUE(out.twilio_audio() == greeting);
  EXPECT_EQ(out.mark_names().size(), 4u);
}

TEST(call_bridge, audio_is_split_into_frames_each_followed_by_a_mark) {
  live_call c;
  const std::string a = audio(500, 2), b2 = audio(320, 3), c3 = audio(20, 4);
  c.bridge.on_model_message(delta("item_1", a), at_ms(100));
  EXPECT_EQ(c.out.twilio_frames().size(), 3u);  // 20 bytes wait for more
  c.bridge.on_model_message(delta("item_1", b2), at_ms(101));
  EXPECT_EQ(c.out.twilio_frames().size(), 5u);  // 820 bytes: 5 full frames, 20 held
  c.bridge.on_model_message(delta("item_1", c3), at_ms(102));
  EXPECT_EQ(c.out.twilio_frames().size(), 5u);  // 40 held
  c.bridge.on_model_message(audio_done("item_1"), at_ms(103));

  const auto frames = c.out.twilio_frames();
  ASSERT_EQ(frames.size(), 6u);
  for (std::size_t i = 0; i + 1 < frames.size(); ++i) EXPECT_EQ(frames[i].size(), 160u) << i;
  EXPECT_EQ(frames.back().size(), 40u);
  EXPECT_EQ(c.out.twilio_audio(), a + b2 + c3);  // byte-exact

  // media, mark, media, mark, ...: one mark after each media, named by sequence.
  const auto events = c.out.twilio_events();
  ASSERT_EQ(events.size(), 12u);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i], i % 2 == 0 ? "media" : "mark") << i;
  EXPECT_EQ(c.out.mark_names(), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  for (const auto& m : c.out.twilio()) {
    const auto v = js::parse(m);
    EXPECT_EQ(v.at("streamSid"), "MZ1");
    if (v.at("event") == "media") {
      EXPECT_EQ(v.at("media").as_object().size(), 1u) << m;  // payload only
    }
  }
  EXPECT_EQ(c.bridge.audio_playback().outstanding(), 6u);
  EXPECT_TRUE(c.out.model().empty());
}

TEST(call_bridge, first_audio_note_measures_from_stream_start) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_model_connected(at_ms(0));
  b.on_twilio_message(start_msg, at_ms(1000));
  b.on_model_message(delta("item_1", audio(160, 1)), at_ms(1850));
  b.on_model_message(delta("item_1", audio(160, 1)), at_ms(1900));
  EXPECT_EQ(out.count_notes(note_kind::first_audio), 1u);
  EXPECT_EQ(out.find_note(note_kind::first_audio)->value, 850);
}

TEST(call_bridge, custom_frame_size) {
  bridge_settings s;
  s.frame_bytes = 480;  // 60 ms per media message
  live_call c(s);
  const std::string a = audio(1000, 5);
  c.bridge.on_model_message(delta("item_1", a), at_ms(1));
  c.bridge.on_model_message(audio_done("item_1"), at_ms(2));
  const auto frames = c.out.twilio_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].size(), 480u);
  EXPECT_EQ(frames[1].size(), 480u);
  EXPECT_EQ(frames[2].size(), 40u);
  EXPECT_EQ(c.out.twilio_audio(), a);
}

TEST(call_bridge, zero_frame_size_falls_back_to_20_ms) {
  bridge_settings s;
  s.frame_bytes = 0;
  live_call c(s);
  c.bridge.on_model_message(delta("item_1", audio(320, 6)), at_ms(1));
  const auto frames = c.out.twilio_frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].size(), 160u);
}

TEST(call_bridge, a_new_item_flushes_the_tail_of_the_previous_one_first) {
  live_call c;
  const std::string a = audio(170, 1), b2 = audio(160, 2);
  c.bridge.on_model_message(delta("item_1", a), at_ms(1));
  c.bridge.on_model_message(delta("item_2", b2), at_ms(2));
  const auto frames = c.out.twilio_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], a.substr(0, 160));
  EXPECT_EQ(frames[1], a.substr(160));
  EXPECT_EQ(frames[2], b2);
  // The tail is accounted to item_1: once item_1 is acked, item_2 is what is playing.
  c.bridge.on_twilio_message(mark_echo(2), at_ms(30));
  const auto h = c.bridge.audio_playback().heard(at_ms(35));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->ms, 5);
}

TEST(call_bridge, escaped_base64_in_a_delta_is_unescaped) {
  live_call c;
  const std::string bytes = audio(160, 9);
  std::string b64 = base64::encode(bytes);
  ASSERT_NE(b64.find('/'), std::string::npos) << "pick a seed whose encoding has a '/'";
  std::string escaped;
  for (const char ch : b64) escaped += ch == '/' ? std::string("\\/") : std::string(1, ch);
  c.bridge.on_model_message(R"({"type":"response.output_audio.delta","item_id":"item_1","delta":")" + escaped + R"("})", at_ms(1));
  EXPECT_EQ(c.out.twilio_audio(), bytes);
}

TEST(call_bridge, beta_dialect_deltas_work) {
  bridge_settings s;
  s.dialect = openai::dialect::beta;
  live_call c(s);
  const std::string a = audio(400, 3);
  c.bridge.on_model_message(delta("item_1", a, "response.audio.delta"), at_ms(1));
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"media", "mark", "media", "mark"}));
  c.bridge.on_model_message(audio_done("item_1", "response.audio.done"), at_ms(2));
  EXPECT_EQ(c.out.twilio_audio(), a);
  EXPECT_EQ(c.out.mark_names().size(), 3u);
}

// --- caller audio to the model ----------------------------------------------------------------------

TEST(call_bridge, caller_media_is_forwarded_unchanged) {
  live_call c;
  const std::string payload = base64::encode(audio(160, 3));
  c.bridge.on_twilio_message(media_msg(payload, 20), at_ms(20));
  ASSERT_EQ(c.out.model().size(), 1u);
  EXPECT_EQ(c.out.model()[0], R"({"type":"input_audio_buffer.append","audio":")" + payload + R"("})");
  EXPECT_TRUE(c.out.twilio().empty());
  // Many frames in order.
  c.out.clear();
  std::vector<std::string> payloads;
  for (int i = 0; i < 5; ++i) {
    payloads.push_back(base64::encode(audio(160, 10 + i)));
    c.bridge.on_twilio_message(media_msg(payloads.back(), 40 + 20 * i), at_ms(40 + 20 * i));
  }
  const auto sent = c.out.model_json();
  ASSERT_EQ(sent.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(sent[i].at("audio"), payloads[i].c_str());
}

TEST(call_bridge, caller_media_with_escapes_is_unescaped_once) {
  live_call c;
  c.bridge.on_twilio_message(R"({"event":"media","media":{"payload":"ab\/cd+A=="},"streamSid":"MZ1"})", at_ms(1));
  ASSERT_EQ(c.out.model().size(), 1u);
  EXPECT_EQ(js::parse(c.out.model()[0]).at("audio"), "ab/cd+A==");
}

TEST(call_bridge, caller_media_is_dropped_while_no_model_listens) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_twilio_message(start_msg, at_ms(0));
  const std::string payload = base64::encode(audio(160, 3));
  b.on_twilio_message(media_msg(payload, 20), at_ms(20));
  EXPECT_TRUE(out.model().empty());
  b.on_model_connected(at_ms(30));
  out.clear();
  b.on_twilio_message(media_msg(payload, 40), at_ms(40));
  EXPECT_EQ(out.model().size(), 1u);
  b.on_model_lost(at_ms(50));
  out.clear();
  b.on_twilio_message(media_msg(payload, 60), at_ms(60));
  EXPECT_TRUE(out.model().empty());
  EXPECT_FALSE(b.ended());
}

// --- barge-in ---------------------------------------------------------------------------------------

TEST(call_bridge, barge_in_clears_twilio_and_truncates_to_what_was_heard) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(160 * 50, 2)), at_ms(100));  // 1 s sent at once
  for (int n = 1; n <= 10; ++n) c.bridge.on_twilio_message(mark_echo(n), at_ms(100 + 20 * n));  // 200 ms by t=300
  c.out.clear();
  c.bridge.on_model_message(speech_started, at_ms(307));
  ASSERT_EQ(c.out.twilio_events(), std::vector<std::string>{"clear"});
  EXPECT_EQ(js::parse(c.out.twilio()[0]), js::parse(R"({"event":"clear","streamSid":"MZ1"})"));
  ASSERT_EQ(c.out.model().size(), 1u);
  EXPECT_EQ(js::parse(c.out.model()[0]),
            js::parse(R"({"type":"conversation.item.truncate","item_id":"item_1","content_index":0,"audio_end_ms":207})"));
  const auto* n = c.out.find_note(note_kind::barge_in);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->text, "item_1");
  EXPECT_EQ(n->value, 207);
  EXPECT_FALSE(c.bridge.audio_playback().playing());
  EXPECT_FALSE(c.bridge.ended());
}

TEST(call_bridge, barge_in_position_is_acked_frames_times_20_plus_elapsed) {
  for (int acked = 0; acked <= 8; ++acked) {
    for (const int elapsed : {0, 1, 13, 19}) {
      live_call c;
      c.bridge.on_model_message(delta("item_1", audio(160 * 10, 1)), at_ms(0));
      std::int64_t last = 0;
      for (int k = 1; k <= acked; ++k) {
        last = 20 * k + 3;  // echoes arrive a little late
        c.bridge.on_twilio_message(mark_echo(static_cast<std::uint64_t>(k)), at_ms(last));
      }
      c.out.clear();
      c.bridge.on_model_message(speech_started, at_ms(last + elapsed));
      ASSERT_EQ(c.out.model().size(), 1u);
      EXPECT_EQ(js::parse(c.out.model()[0]).at("audio_end_ms"), 20 * acked + elapsed) << acked << "/" << elapsed;
    }
  }
}

TEST(call_bridge, barge_in_never_claims_more_than_was_sent) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(160 * 3, 2)), at_ms(0));  // 60 ms sent
  c.bridge.on_twilio_message(mark_echo(1), at_ms(20));
  c.bridge.on_twilio_message(mark_echo(2), at_ms(40));
  c.out.clear();
  c.bridge.on_model_message(speech_started, at_ms(5000));  // the last echo never came
  ASSERT_EQ(c.out.model().size(), 1u);
  EXPECT_EQ(js::parse(c.out.model()[0]).at("audio_end_ms"), 60);

  live_call d;
  d.bridge.on_model_message(delta("item_1", audio(160 * 3, 2)), at_ms(0));  // no echo at all
  d.out.clear();
  d.bridge.on_model_message(speech_started, at_ms(5000));
  EXPECT_EQ(js::parse(d.out.model()[0]).at("audio_end_ms"), 20);  // capped at the first unechoed frame
}

TEST(call_bridge, deltas_of_the_cut_item_are_dropped_afterwards) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(160 * 5 + 40, 2)), at_ms(0));
  c.bridge.on_twilio_message(mark_echo(1), at_ms(20));
  c.bridge.on_model_message(speech_started, at_ms(30));
  c.out.clear();
  c.bridge.on_model_message(delta("item_1", audio(320, 4)), at_ms(31));  // in flight when the caller spoke
  c.bridge.on_model_message(audio_done("item_1"), at_ms(32));            // and its held tail is not flushed
  EXPECT_TRUE(c.out.twilio().empty());
  // Twilio echoes the cleared marks: they change nothing.
  for (int n = 2; n <= 5; ++n) c.bridge.on_twilio_message(mark_echo(n), at_ms(33));
  EXPECT_FALSE(c.bridge.audio_playback().playing());
  // The next answer plays normally, and its marks continue the sequence.
  const std::string next = audio(160, 5);
  c.bridge.on_model_message(delta("item_2", next), at_ms(400));
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"media", "mark"}));
  EXPECT_EQ(c.out.twilio_audio(), next);
  EXPECT_EQ(c.out.mark_names(), std::vector<std::string>{"6"});
  EXPECT_TRUE(c.bridge.audio_playback().playing());
}

TEST(call_bridge, barge_in_truncates_the_item_that_is_playing) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(320, 1)), at_ms(0));
  c.bridge.on_model_message(audio_done("item_1"), at_ms(1));
  c.bridge.on_model_message(delta("item_2", audio(800, 2)), at_ms(2));  // queued behind item_1
  c.bridge.on_twilio_message(mark_echo(1), at_ms(20));
  c.out.clear();
  c.bridge.on_model_message(speech_started, at_ms(30));
  ASSERT_EQ(c.out.model().size(), 1u);
  const auto t = js::parse(c.out.model()[0]);
  EXPECT_EQ(t.at("item_id"), "item_1");  // still playing item_1 (frame 2 not echoed yet)
  EXPECT_EQ(t.at("audio_end_ms"), 30);

  live_call d;
  d.bridge.on_model_message(delta("item_1", audio(320, 1)), at_ms(0));
  d.bridge.on_model_message(audio_done("item_1"), at_ms(1));
  d.bridge.on_model_message(delta("item_2", audio(800, 2)), at_ms(2));
  d.bridge.on_twilio_message(mark_echo(1), at_ms(20));
  d.bridge.on_twilio_message(mark_echo(2), at_ms(40));
  d.out.clear();
  d.bridge.on_model_message(speech_started, at_ms(52));
  const auto u = js::parse(d.out.model()[0]);
  EXPECT_EQ(u.at("item_id"), "item_2");
  EXPECT_EQ(u.at("audio_end_ms"), 12);  // item_2 started playing at the echo of item_1's last frame
}

TEST(call_bridge, no_truncate_when_nothing_is_playing) {
  live_call c;
  c.bridge.on_model_message(speech_started, at_ms(10));  // before any audio
  EXPECT_TRUE(c.out.timeline.empty());
  c.bridge.on_model_message(delta("item_1", audio(320, 2)), at_ms(20));
  c.bridge.on_twilio_message(mark_echo(1), at_ms(40));
  c.bridge.on_twilio_message(mark_echo(2), at_ms(60));
  c.out.clear();
  c.bridge.on_model_message(speech_started, at_ms(500));  // everything already played
  EXPECT_TRUE(c.out.timeline.empty());
  EXPECT_EQ(c.out.find_note(note_kind::barge_in), nullptr);
}

TEST(call_bridge, a_barge_in_drops_audio_held_below_a_frame) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(170, 2)), at_ms(0));  // 160 sent, 10 held
  c.bridge.on_model_message(speech_started, at_ms(5));
  c.out.clear();
  c.bridge.on_model_message(delta("item_2", audio(160, 3)), at_ms(100));  // flushes nothing of item_1
  EXPECT_EQ(c.out.twilio_audio(), audio(160, 3));
}

// --- DTMF -------------------------------------------------------------------------------------------

TEST(call_bridge, dtmf_sends_a_user_text_item_and_a_response) {
  live_call c;
  c.bridge.on_twilio_message(R"({"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"5"}})",
                             at_ms(5));
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  const auto item = c.out.model_json()[0].at("item");
  EXPECT_EQ(item.at("role"), "user");
  EXPECT_EQ(item.at("content").at(0).at("type"), "input_text");
  const std::string text = js::value_to<std::string>(item.at("content").at(0).at("text"));
  EXPECT_NE(text.find("pressed the key 5"), std::string::npos) << text;
  const auto* n = c.out.find_note(note_kind::dtmf);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->text, "5");
  EXPECT_TRUE(c.out.twilio().empty());
}

TEST(call_bridge, dtmf_during_a_response_does_not_start_another) {
  live_call c;
  c.bridge.on_model_message(response_created("r1"), at_ms(1));
  c.bridge.on_twilio_message(R"({"event":"dtmf","dtmf":{"track":"inbound_track","digit":"#"}})", at_ms(5));
  EXPECT_EQ(c.out.model_types(), std::vector<std::string>{"conversation.item.create"});
  EXPECT_NE(c.out.model()[0].find("pressed the key #"), std::string::npos);
  c.out.clear();
  c.bridge.on_model_message(response_done("r1"), at_ms(6));
  c.bridge.on_twilio_message(R"({"event":"dtmf","dtmf":{"track":"inbound_track","digit":"*"}})", at_ms(7));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
}

TEST(call_bridge, dtmf_without_a_model_is_only_noted) {
  recorder out;
  call_bridge b(bridge_settings{}, out);
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_twilio_message(R"({"event":"dtmf","dtmf":{"track":"inbound_track","digit":"9"}})", at_ms(5));
  EXPECT_TRUE(out.model().empty());
  ASSERT_NE(out.find_note(note_kind::dtmf), nullptr);
  EXPECT_EQ(out.find_note(note_kind::dtmf)->text, "9");
}

// --- stop -------------------------------------------------------------------------------------------

TEST(call_bridge, stop_ends_the_call_once_and_silences_the_bridge) {
  live_call c;
  c.bridge.on_twilio_message(stop_msg, at_ms(9));
  ASSERT_EQ(c.out.ends, std::vector<end_reason>{end_reason::stream_stopped});
  EXPECT_TRUE(c.bridge.ended());
  c.out.clear();
  c.bridge.on_twilio_message(stop_msg, at_ms(10));
  c.bridge.on_twilio_message(media_msg(base64::encode(audio(160, 1)), 40), at_ms(10));
  c.bridge.on_model_message(delta("item_1", audio(320, 1)), at_ms(11));
  c.bridge.on_model_connected(at_ms(12));
  c.bridge.on_tick(at_ms(100000));
  EXPECT_TRUE(c.out.timeline.empty());
  EXPECT_EQ(c.out.ends.size(), 1u);
}

TEST(call_bridge, end_reason_names) {
  EXPECT_EQ(to_string(end_reason::stream_stopped), "stream_stopped");
  EXPECT_EQ(to_string(end_reason::max_duration), "max_duration");
  EXPECT_EQ(to_string(end_reason::model_unavailable), "model_unavailable");
  EXPECT_EQ(to_string(end_reason::bridge_error), "bridge_error");
}

// --- max duration -----------------------------------------------------------------------------------

bridge_settings limited(std::chrono::seconds max, std::chrono::seconds grace = std::chrono::seconds(15)) {
  bridge_settings s;
  s.max_duration = max;
  s.goodbye_grace = grace;
  s.goodbye_prompt = "Time is up: say goodbye.";
  return s;
}

TEST(call_bridge, max_duration_says_goodbye_then_ends_when_it_has_played) {
  live_call c(limited(std::chrono::seconds(10)));
  c.bridge.on_model_message(response_created("r_greet"), at_ms(1));
  c.bridge.on_model_message(response_done("r_greet"), at_ms(2));
  c.bridge.on_tick(at_ms(9999));
  EXPECT_TRUE(c.out.timeline.empty());
  c.bridge.on_tick(at_ms(10000));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});  // nothing to cancel
  EXPECT_EQ(c.out.model_json()[0].at("response").at("instructions"), "Time is up: say goodbye.");
  c.bridge.on_tick(at_ms(10001));  // asked once only
  EXPECT_EQ(c.out.model().size(), 1u);

  c.bridge.on_model_message(response_created("r_bye"), at_ms(10100));
  c.bridge.on_model_message(delta("item_bye", audio(320, 9)), at_ms(10200));
  c.bridge.on_model_message(audio_done("item_bye"), at_ms(10201));
  c.bridge.on_model_message(response_done("r_bye"), at_ms(10202));
  EXPECT_FALSE(c.bridge.ended());  // still playing
  c.bridge.on_twilio_message(mark_echo(1), at_ms(10220));
  EXPECT_FALSE(c.bridge.ended());
  c.bridge.on_twilio_message(mark_echo(2), at_ms(10240));
  ASSERT_EQ(c.out.ends, std::vector<end_reason>{end_reason::max_duration});
  EXPECT_TRUE(c.bridge.ended());
}

TEST(call_bridge, max_duration_cancels_a_response_in_progress_first) {
  live_call c(limited(std::chrono::seconds(10)));
  c.bridge.on_model_message(response_created("r_busy"), at_ms(9000));
  c.bridge.on_tick(at_ms(10000));
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"response.cancel", "response.create"}));
  // The cancelled response's done is not the goodbye.
  c.bridge.on_model_message(response_done("r_busy", "cancelled"), at_ms(10001));
  EXPECT_FALSE(c.bridge.ended());
  c.bridge.on_model_message(response_created("r_bye"), at_ms(10002));
  c.bridge.on_model_message(response_done("r_other"), at_ms(10003));  // not the goodbye either
  EXPECT_FALSE(c.bridge.ended());
  c.bridge.on_model_message(response_done("r_bye"), at_ms(10004));  // no audio outstanding
  ASSERT_EQ(c.out.ends, std::vector<end_reason>{end_reason::max_duration});
}

TEST(call_bridge, max_duration_is_measured_from_stream_start) {
  recorder out;
  call_bridge b(limited(std::chrono::seconds(10)), out);
  b.on_model_connected(at_ms(0));
  b.on_tick(at_ms(50000));  // no stream yet: nothing
  b.on_twilio_message(start_msg, at_ms(60000));
  out.clear();
  b.on_tick(at_ms(69999));
  EXPECT_TRUE(out.model().empty());
  b.on_tick(at_ms(70000));
  EXPECT_EQ(out.model_types(), std::vector<std::string>{"response.create"});
}

TEST(call_bridge, max_duration_without_a_model_ends_at_once) {
  recorder out;
  call_bridge b(limited(std::chrono::seconds(10)), out);
  b.on_twilio_message(start_msg, at_ms(0));
  b.on_tick(at_ms(10000));
  EXPECT_EQ(out.ends, std::vector<end_reason>{end_reason::max_duration});
  EXPECT_TRUE(out.model().empty());
}

TEST(call_bridge, no_limit_by_default) {
  live_call c;
  c.bridge.on_tick(at_ms(10LL * 3600 * 1000));
  EXPECT_TRUE(c.out.timeline.empty());
  EXPECT_FALSE(c.bridge.ended());
}

TEST(call_bridge, grace_deadline_ends_the_call_anyway) {
  live_call c(limited(std::chrono::seconds(1), std::chrono::seconds(5)));
  c.bridge.on_tick(at_ms(1000));
  EXPECT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
  c.bridge.on_model_message(response_created("r_bye"), at_ms(1100));
  c.bridge.on_model_message(delta("item_bye", audio(800, 1)), at_ms(1200));  // marks never echoed
  c.bridge.on_tick(at_ms(5999));
  EXPECT_FALSE(c.bridge.ended());
  c.bridge.on_tick(at_ms(6000));
  ASSERT_EQ(c.out.ends, std::vector<end_reason>{end_reason::max_duration});
  c.bridge.on_tick(at_ms(7000));
  EXPECT_EQ(c.out.ends.size(), 1u);
}

// --- model reconnect --------------------------------------------------------------------------------

TEST(call_bridge, a_new_model_session_gets_the_transcript_back) {
  bridge_settings s;
  s.resume_prompt = "We are back: apologise briefly.";
  live_call c(s);
  c.bridge.on_model_message(assistant_transcript("Hello, Bright Smile Dental."), at_ms(1));
  c.bridge.on_model_message(user_transcript("I need a \\\"cleaning\\\"."), at_ms(2));
  c.bridge.on_model_message(assistant_transcript("Sure, when?"), at_ms(3));
  ASSERT_EQ(c.bridge.transcript().size(), 3u);
  EXPECT_FALSE(c.bridge.transcript()[0].caller);
  EXPECT_TRUE(c.bridge.transcript()[1].caller);
  EXPECT_EQ(c.bridge.transcript()[1].text, "I need a \"cleaning\".");
  c.bridge.on_model_lost(at_ms(4));
  c.out.clear();
  c.bridge.on_model_connected(at_ms(5));
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create",
                                                           "conversation.item.create", "conversation.item.create",
                                                           "response.create"}));
  const auto m = c.out.model_json();
  EXPECT_EQ(m[1].at("item").at("role"), "assistant");
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("type"), "output_text");
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("text"), "Hello, Bright Smile Dental.");
  EXPECT_EQ(m[2].at("item").at("role"), "user");
  EXPECT_EQ(m[2].at("item").at("content").at(0).at("type"), "input_text");
  EXPECT_EQ(m[2].at("item").at("content").at(0).at("text"), "I need a \"cleaning\".");
  EXPECT_EQ(m[3].at("item").at("role"), "assistant");
  EXPECT_EQ(m[3].at("item").at("content").at(0).at("text"), "Sure, when?");
  EXPECT_EQ(m[4].at("response").at("instructions"), "We are back: apologise briefly.");
  const auto* n = c.out.find_note(note_kind::model_restored);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->value, 3);
  // No second greeting.
  for (const auto& v : m) EXPECT_EQ(js::serialize(v).find(bridge_settings{}.greeting_prompt), std::string::npos);
}

TEST(call_bridge, restore_in_the_beta_dialect_uses_text_content) {
  bridge_settings s;
  s.dialect = openai::dialect::beta;
  live_call c(s);
  c.bridge.on_model_message(assistant_transcript("Hi there.", "response.audio_transcript.done"), at_ms(1));
  c.bridge.on_model_lost(at_ms(2));
  c.out.clear();
  c.bridge.on_model_connected(at_ms(3));
  const auto m = c.out.model_json();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("type"), "text");
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("text"), "Hi there.");
}

TEST(call_bridge, restore_replays_only_the_most_recent_turns) {
  bridge_settings s;
  s.max_restore_turns = 3;
  live_call c(s);
  for (int i = 0; i < 10; ++i) c.bridge.on_model_message(user_transcript("turn " + std::to_string(i)), at_ms(i));
  EXPECT_LE(c.bridge.transcript().size(), 6u);  // bounded
  c.bridge.on_model_lost(at_ms(20));
  c.out.clear();
  c.bridge.on_model_connected(at_ms(21));
  const auto m = c.out.model_json();
  ASSERT_EQ(m.size(), 5u);  // update + 3 turns + response
  EXPECT_EQ(m[1].at("item").at("content").at(0).at("text"), "turn 7");
  EXPECT_EQ(m[2].at("item").at("content").at(0).at("text"), "turn 8");
  EXPECT_EQ(m[3].at("item").at("content").at(0).at("text"), "turn 9");
  EXPECT_EQ(c.out.find_note(note_kind::model_restored)->value, 3);
}

TEST(call_bridge, restore_with_an_empty_transcript_still_resumes) {
  live_call c;
  c.bridge.on_model_lost(at_ms(1));
  c.out.clear();
  c.bridge.on_model_connected(at_ms(2));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"session.update", "response.create"}));
  EXPECT_EQ(c.out.find_note(note_kind::model_restored)->value, 0);
}

TEST(call_bridge, transcripts_are_noted_and_empty_ones_ignored) {
  live_call c;
  c.bridge.on_model_message(user_transcript("Hello?"), at_ms(1));
  c.bridge.on_model_message(assistant_transcript("Hi!"), at_ms(2));
  c.bridge.on_model_message(user_transcript(""), at_ms(3));
  ASSERT_NE(c.out.find_note(note_kind::caller_said), nullptr);
  EXPECT_EQ(c.out.find_note(note_kind::caller_said)->text, "Hello?");
  EXPECT_EQ(c.out.find_note(note_kind::assistant_said)->text, "Hi!");
  EXPECT_EQ(c.out.count_notes(note_kind::caller_said), 1u);
  EXPECT_EQ(c.bridge.transcript().size(), 2u);
}

TEST(call_bridge, the_partial_frame_of_a_lost_session_is_dropped) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(170, 2)), at_ms(0));  // 10 bytes held
  c.bridge.on_model_lost(at_ms(1));
  c.bridge.on_model_connected(at_ms(2));
  c.out.clear();
  const std::string next = audio(160, 4);
  c.bridge.on_model_message(delta("item_9", next), at_ms(3));
  EXPECT_EQ(c.out.twilio_audio(), next);
}

TEST(call_bridge, restore_during_the_goodbye_does_not_ask_to_resume) {
  live_call c(limited(std::chrono::seconds(1)));
  c.bridge.on_model_message(user_transcript("Bye."), at_ms(1));
  c.bridge.on_tick(at_ms(1000));
  c.bridge.on_model_lost(at_ms(1001));
  c.out.clear();
  c.bridge.on_model_connected(at_ms(1002));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"session.update", "conversation.item.create"}));
}

// --- tools and errors -------------------------------------------------------------------------------

TEST(call_bridge, unbound_tool_calls_get_an_error_output_and_a_response) {
  live_call c;
  c.bridge.on_model_message(
      R"({"type":"response.function_call_arguments.done","call_id":"call_1","name":"transfer_call","arguments":"{}"})",
      at_ms(1));
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  const auto item = c.out.model_json()[0].at("item");
  EXPECT_EQ(item.at("type"), "function_call_output");
  EXPECT_EQ(item.at("call_id"), "call_1");
  EXPECT_TRUE(js::parse(js::value_to<std::string>(item.at("output"))).as_object().contains("error"));
  ASSERT_NE(c.out.find_note(note_kind::tool_call), nullptr);
  EXPECT_EQ(c.out.find_note(note_kind::tool_call)->text, "transfer_call");
}

TEST(call_bridge, model_errors_are_noted_not_fatal) {
  live_call c;
  c.bridge.on_model_message(
      R"({"type":"error","error":{"type":"invalid_request_error","code":"invalid_value","message":"Bad audio_end_ms"}})", at_ms(1));
  ASSERT_NE(c.out.find_note(note_kind::model_error), nullptr);
  EXPECT_EQ(c.out.find_note(note_kind::model_error)->text, "Bad audio_end_ms");
  c.bridge.on_model_message(R"({"type":"error","error":{"code":"only_code"}})", at_ms(2));
  EXPECT_EQ(c.out.notes.back().text, "only_code");
  EXPECT_FALSE(c.bridge.ended());
  EXPECT_TRUE(c.out.timeline.empty());
}

// --- bad input --------------------------------------------------------------------------------------

TEST(call_bridge, malformed_json_and_unknown_events_are_noted_not_fatal) {
  live_call c;
  c.bridge.on_twilio_message("{nope", at_ms(1));
  EXPECT_EQ(c.out.count_notes(note_kind::bad_message), 1u);
  c.bridge.on_twilio_message(R"({"event":"whatever","streamSid":"MZ1"})", at_ms(2));
  ASSERT_NE(c.out.find_note(note_kind::unknown_event), nullptr);
  EXPECT_EQ(c.out.find_note(note_kind::unknown_event)->text, "whatever");
  c.bridge.on_twilio_message(R"({"event":"media","media":{}})", at_ms(3));  // missing payload
  EXPECT_EQ(c.out.count_notes(note_kind::bad_message), 2u);
  c.bridge.on_model_message("[1,2]", at_ms(4));
  c.bridge.on_model_message(R"({"no_type":true})", at_ms(5));
  c.bridge.on_model_message(R"({"type":"response.output_audio.delta","item_id":"i"})", at_ms(6));  // no delta
  c.bridge.on_model_message(R"({"type":"response.output_audio.delta","item_id":"i","delta":"%%%"})", at_ms(7));
  EXPECT_EQ(c.out.count_notes(note_kind::bad_message), 6u);
  for (const auto& n : c.out.notes) EXPECT_FALSE(n.text.empty());
  // Events the bridge does not act on are ignored silently.
  c.bridge.on_model_message(R"({"type":"rate_limits.updated","rate_limits":[]})", at_ms(8));
  c.bridge.on_model_message(R"({"type":"response.output_item.added","item":{}})", at_ms(9));
  c.bridge.on_model_message(R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":5})", at_ms(10));
  c.bridge.on_twilio_message(R"({"event":"connected","protocol":"Call","version":"1.0.0"})", at_ms(11));
  EXPECT_TRUE(c.out.timeline.empty());
  EXPECT_FALSE(c.bridge.ended());
  EXPECT_TRUE(c.out.ends.empty());
  // The call still works.
  const std::string bytes = audio(160, 1);
  c.bridge.on_model_message(delta("item_9", bytes), at_ms(12));
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"media", "mark"}));
  EXPECT_EQ(c.out.twilio_audio(), bytes);
}

TEST(call_bridge, a_bad_delta_does_not_corrupt_the_audio_around_it) {
  live_call c;
  const std::string a = audio(100, 1), b2 = audio(60, 2);
  c.bridge.on_model_message(delta("item_1", a), at_ms(1));
  c.bridge.on_model_message(R"({"type":"response.output_audio.delta","item_id":"item_1","delta":"!!!!"})", at_ms(2));
  c.bridge.on_model_message(delta("item_1", b2), at_ms(3));
  EXPECT_EQ(c.out.twilio_audio(), a + b2);
}

TEST(call_bridge, odd_mark_names_are_ignored) {
  live_call c;
  c.bridge.on_model_message(delta("item_1", audio(320, 1)), at_ms(0));
  for (const char* name : {"0", "-1", "abc", "", "1.5", "99"}) {
    c.bridge.on_twilio_message(R"({"event":"mark","streamSid":"MZ1","mark":{"name":")" + std::string(name) + R"("}})", at_ms(5));
  }
  EXPECT_EQ(c.bridge.audio_playback().outstanding(), 2u);
  EXPECT_FALSE(c.bridge.ended());
}

}  // namespace
}  // namespace vg::call
