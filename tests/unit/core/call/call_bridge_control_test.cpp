// The call bridge under a live call's commands: human takeover and hand-back, injected
// messages, audio of our own (DTMF), the audio tap for listeners.
#include "bridge_harness.hpp"

namespace vg::call {
namespace {
using namespace bridge_testing;

// The assistant is speaking: 3 frames of item a1 sent, none heard yet.
void speaking(live_call& c) {
  c.bridge.on_model_message(response_created("r1"), at_ms(10));
  c.bridge.on_model_message(delta("a1", audio(480, 1)), at_ms(20));
  c.out.clear();
}

TEST(call_bridge_control, a_takeover_clears_what_plays_and_cancels_the_response) {
  live_call c;
  speaking(c);
  c.bridge.take_over(at_ms(30));
  EXPECT_TRUE(c.bridge.taken_over());
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"clear"}));
  const auto types = c.out.model_types();
  ASSERT_EQ(types, (std::vector<std::string>{"response.cancel", "conversation.item.truncate"}));
}

TEST(call_bridge_control, while_taken_over_the_model_neither_speaks_nor_answers) {
  live_call c;
  c.bridge.take_over(at_ms(0));
  c.out.clear();
  // Server VAD makes the model answer by itself: it is cancelled, its audio never plays.
  c.bridge.on_model_message(response_created("r9"), at_ms(10));
  c.bridge.on_model_message(delta("a9", audio(480, 9)), at_ms(20));
  EXPECT_TRUE(c.out.twilio().empty());
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"response.cancel"}));
  // The caller's words still reach the model and the transcript.
  c.out.clear();
  c.bridge.on_twilio_message(media_msg(base64::encode(audio(160, 3)), 20), at_ms(30));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"input_audio_buffer.append"}));
  c.bridge.on_model_message(user_transcript("I need a person"), at_ms(40));
  ASSERT_NE(c.out.find_note(note_kind::caller_said), nullptr);
  EXPECT_EQ(c.bridge.transcript().back().text, "I need a person");
  // A speech start does not clear the operator's audio.
  c.out.clear();
  c.bridge.play_audio(audio(320, 4), at_ms(50));
  c.bridge.on_model_message(speech_started, at_ms(60));
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"media", "mark", "media", "mark"}));
}

TEST(call_bridge_control, hand_back_tells_the_model_and_lets_it_answer) {
  live_call c;
  c.bridge.take_over(at_ms(0));
  c.out.clear();
  c.bridge.hand_back(at_ms(100));
  EXPECT_FALSE(c.bridge.taken_over());
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  EXPECT_NE(c.out.model()[0].find("handed the call back"), std::string::npos);
  EXPECT_NE(c.out.model()[0].find(R"("role":"system")"), std::string::npos);
  c.out.clear();
  c.bridge.on_model_message(delta("a2", audio(160, 2)), at_ms(120));
  EXPECT_EQ(c.out.twilio_events(), (std::vector<std::string>{"media", "mark"}));
}

TEST(call_bridge_control, an_injected_message_waits_for_the_running_response) {
  live_call c;
  speaking(c);
  c.bridge.inject("The caller's order has shipped.", true, at_ms(30));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create"}));
  c.bridge.on_model_message(response_done("r1"), at_ms(40));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  c.out.clear();
  c.bridge.inject("Note only.", false, at_ms(50));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create"}));
}

TEST(call_bridge_control, own_audio_is_framed_marked_and_played_after_the_assistant) {
  bridge_settings s;
  s.frame_bytes = 160;
  live_call c(s);
  c.bridge.on_model_message(delta("a1", audio(100, 1)), at_ms(10));  // less than a frame: held
  EXPECT_TRUE(c.out.twilio().empty());
  const std::string tones = audio(400, 7);
  c.bridge.play_audio(tones, at_ms(20));
  const auto frames = c.out.twilio_frames();
  ASSERT_EQ(frames.size(), 4u);  // the held 100 bytes, then 160 + 160 + 80
  EXPECT_EQ(frames[0], audio(100, 1));
  EXPECT_EQ(frames[1] + frames[2] + frames[3], tones);
  EXPECT_EQ(c.out.mark_names().size(), 4u);
  EXPECT_TRUE(c.bridge.audio_playback().playing());
}

TEST(call_bridge_control, the_audio_tap_hears_both_sides_only_while_on) {
  live_call c;
  const std::string caller = audio(160, 5);
  c.bridge.on_twilio_message(media_msg(base64::encode(caller), 20), at_ms(20));
  c.bridge.on_model_message(delta("a1", audio(160, 6)), at_ms(25));
  EXPECT_TRUE(c.out.tapped.empty());
  c.bridge.set_audio_tap(true);
  c.bridge.on_twilio_message(media_msg(base64::encode(caller), 40), at_ms(40));
  c.bridge.on_model_message(delta("a1", audio(160, 8)), at_ms(45));
  ASSERT_EQ(c.out.tapped.size(), 2u);
  EXPECT_TRUE(c.out.tapped[0].caller);
  EXPECT_EQ(c.out.tapped[0].mulaw, caller);
  EXPECT_FALSE(c.out.tapped[1].caller);
  EXPECT_EQ(c.out.tapped[1].mulaw, audio(160, 8));
}

TEST(call_bridge_control, each_follow_up_kind_reaches_the_session_unchanged) {
  const std::vector<follow_up> kinds{transfer_to{"+15551230000"}, hang_up{}, send_digits{"1w2#"}, join_conference{"room-7"}};
  for (const follow_up& f : kinds) {
    bridge_settings s;
    s.tools_bound = true;
    s.handoff_grace = std::chrono::seconds(1);
    live_call c(s);
    c.bridge.on_tool_result("call_1", "{}", f, at_ms(10));
    c.bridge.on_tick(at_ms(2000));
    ASSERT_EQ(c.out.follow_ups.size(), 1u) << name_of(f);
    EXPECT_EQ(c.out.follow_ups[0].index(), f.index());
  }
  EXPECT_EQ(name_of(follow_up{join_conference{"x"}}), "join_conference");
  EXPECT_EQ(name_of(follow_up{send_digits{"1"}}), "send_digits");
}

}  // namespace
}  // namespace vg::call
