// Silence on a call through the bridge (bridge_settings::idle_timeout): the nudge, the goodbye
// and the end with end_reason::idle, and what keeps a call from counting as silent (the
// caller's speech, the assistant's audio, a running tool).
#include <gtest/gtest.h>

#include "core/call/bridge_harness.hpp"

namespace vg::call {
namespace {
using namespace bridge_testing;

const std::string speech_stopped = R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":1900,"item_id":"u1"})";

bridge_settings idle_after(std::chrono::seconds timeout) {
  bridge_settings s;
  s.idle_timeout = timeout;
  s.idle_prompt = "Still there?";
  s.idle_goodbye_prompt = "Say goodbye.";
  s.tools_bound = true;
  return s;
}

std::string instructions_of(const js::value& v) { return js::value_to<std::string>(v.at("response").at("instructions")); }

// The model answers what it was asked with `bytes` of audio as `item`, and the caller hears it
// all: two 20 ms frames per 320 bytes, each mark echoed at `played`.
void speak(live_call& c, const std::string& id, std::size_t bytes, micros at, micros played) {
  c.bridge.on_model_message(response_created(id), at);
  c.bridge.on_model_message(delta("item_" + id, audio(bytes, 3)), at);
  c.bridge.on_model_message(audio_done("item_" + id), at);
  c.bridge.on_model_message(response_done(id), at);
  for (const auto& name : c.out.mark_names()) c.bridge.on_twilio_message(mark_echo(std::stoull(name)), played);
}

TEST(call_bridge_idle, asks_whether_the_caller_is_there_then_says_goodbye_and_ends_as_idle) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.on_tick(at_ms(9999));
  EXPECT_TRUE(c.out.timeline.empty());
  c.bridge.on_tick(at_ms(10000));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
  EXPECT_EQ(instructions_of(c.out.model_json()[0]), "Still there?");
  EXPECT_EQ(c.out.count_notes(note_kind::idle_nudge), 1u);
  c.out.clear();

  // The nudge plays until 10.6 s: the second period starts there.
  speak(c, "r_nudge", 320, at_ms(10100), at_ms(10600));
  c.bridge.on_tick(at_ms(20599));
  EXPECT_TRUE(c.out.model().empty());
  c.bridge.on_tick(at_ms(20600));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
  EXPECT_EQ(instructions_of(c.out.model_json()[0]), "Say goodbye.");
  EXPECT_TRUE(c.out.ends.empty());  // not before the goodbye has played
  c.out.clear();
  speak(c, "r_bye", 320, at_ms(20700), at_ms(21000));
  ASSERT_EQ(c.out.ends, std::vector<end_reason>{end_reason::idle});
  EXPECT_EQ(to_string(end_reason::idle), "idle");
  EXPECT_EQ(to_string(note_kind::idle_nudge), "idle_nudge");
}

TEST(call_bridge_idle, the_caller_speaking_resets_the_silence) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.on_model_message(speech_started, at_ms(8000));
  c.bridge.on_tick(at_ms(12000));  // mid-sentence: not silence
  c.bridge.on_tick(at_ms(19000));
  c.bridge.on_model_message(speech_stopped, at_ms(19500));
  c.bridge.on_tick(at_ms(29499));
  EXPECT_TRUE(c.out.model().empty());
  c.bridge.on_tick(at_ms(29500));
  EXPECT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
}

TEST(call_bridge_idle, an_answer_to_the_nudge_earns_a_fresh_nudge_not_a_goodbye) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.on_tick(at_ms(10000));
  speak(c, "r_nudge", 320, at_ms(10100), at_ms(10600));
  c.bridge.on_model_message(speech_started, at_ms(12000));
  c.bridge.on_model_message(speech_stopped, at_ms(13000));
  c.out.clear();
  c.bridge.on_tick(at_ms(23000));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
  EXPECT_EQ(instructions_of(c.out.model_json()[0]), "Still there?");
  EXPECT_TRUE(c.out.ends.empty());
}

TEST(call_bridge_idle, a_key_press_counts_as_the_caller) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.on_twilio_message(
      R"({"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"3"}})", at_ms(9000));
  c.out.clear();
  c.bridge.on_tick(at_ms(10000));
  EXPECT_TRUE(c.out.model().empty());
}

TEST(call_bridge_idle, a_running_tool_or_response_is_not_silence) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.on_model_message(response_created("r1"), at_ms(1000));
  c.bridge.on_model_message(
      R"({"type":"response.function_call_arguments.done","response_id":"r1","item_id":"fc","output_index":0,"call_id":"t1","name":"slow","arguments":"{}"})",
      at_ms(1000));
  c.bridge.on_model_message(response_done("r1"), at_ms(1001));
  ASSERT_EQ(c.out.tool_calls.size(), 1u);
  c.bridge.on_tick(at_ms(30000));  // the tool is still running
  EXPECT_TRUE(c.out.model().empty());
  c.bridge.on_tool_result("t1", R"({"ok":true})", std::nullopt, at_ms(31000));
  c.bridge.on_model_message(response_created("r2"), at_ms(31100));
  c.bridge.on_tick(at_ms(45000));  // its reply is still being generated
  c.out.clear();
  c.bridge.on_model_message(response_done("r2"), at_ms(45100));
  c.bridge.on_tick(at_ms(54999));
  EXPECT_TRUE(c.out.model().empty());
  c.bridge.on_tick(at_ms(55000));
  EXPECT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
}

TEST(call_bridge_idle, a_person_holding_the_call_is_not_silence) {
  live_call c(idle_after(std::chrono::seconds(10)));
  c.bridge.take_over(at_ms(1000));
  c.bridge.on_tick(at_ms(60000));
  EXPECT_TRUE(c.out.model().empty());
}

TEST(call_bridge_idle, the_duration_limit_still_wins_with_its_own_reason) {
  bridge_settings s = idle_after(std::chrono::seconds(10));
  s.max_duration = std::chrono::seconds(15);
  s.goodbye_prompt = "Time is up.";
  live_call c(std::move(s));
  c.bridge.on_tick(at_ms(10000));  // the nudge
  speak(c, "r_nudge", 320, at_ms(10100), at_ms(10600));
  c.out.clear();
  c.bridge.on_tick(at_ms(15000));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"response.create"});
  EXPECT_EQ(instructions_of(c.out.model_json()[0]), "Time is up.");
  c.out.clear();
  c.bridge.on_tick(at_ms(30000));  // no idle goodbye during the time-limit goodbye
  EXPECT_TRUE(c.out.model().empty());
  speak(c, "r_bye", 320, at_ms(30100), at_ms(30400));
  EXPECT_EQ(c.out.ends, std::vector<end_reason>{end_reason::max_duration});
}

TEST(call_bridge_idle, off_by_default) {
  live_call c;
  c.bridge.on_tick(at_ms(3600 * 1000));
  EXPECT_TRUE(c.out.timeline.empty());
}

}  // namespace
}  // namespace vg::call
