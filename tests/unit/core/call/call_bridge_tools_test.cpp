// Function calls through the bridge: handed to the tool runner once per call id, results sent
// back with one response at a time, and hand-offs (transfer, hang-up) only after the reply played.
#include <gtest/gtest.h>

#include "core/call/bridge_harness.hpp"

namespace vg::call {
namespace {
using namespace bridge_testing;

std::string function_call(const std::string& call_id, const std::string& name, const std::string& args_escaped) {
  return R"({"type":"response.function_call_arguments.done","response_id":"r1","item_id":"fc","output_index":0,"call_id":")" +
         call_id + R"(","name":")" + name + R"(","arguments":")" + args_escaped + R"("})";
}

bridge_settings with_tools() {
  bridge_settings s;
  s.tools_bound = true;
  return s;
}

TEST(call_bridge_tools, a_function_call_goes_to_the_runner_with_unescaped_arguments) {
  live_call c(with_tools());
  c.bridge.on_model_message(response_created("r1"), at_ms(10));
  c.bridge.on_model_message(function_call("call_1", "book_service", R"({\"name\":\"Ann \\\"A\\\"\"})"), at_ms(20));
  ASSERT_EQ(c.out.tool_calls.size(), 1u);
  EXPECT_EQ(c.out.tool_calls[0].call_id, "call_1");
  EXPECT_EQ(c.out.tool_calls[0].name, "book_service");
  EXPECT_EQ(c.out.tool_calls[0].arguments, R"({"name":"Ann \"A\""})");
  EXPECT_TRUE(c.out.model().empty());  // nothing is said for it until the result comes
  // The same call id again (a replayed event) is never run twice.
  c.bridge.on_model_message(function_call("call_1", "book_service", "{}"), at_ms(30));
  EXPECT_EQ(c.out.tool_calls.size(), 1u);
}

TEST(call_bridge_tools, the_result_waits_for_the_running_response_to_finish) {
  live_call c(with_tools());
  c.bridge.on_model_message(response_created("r1"), at_ms(10));
  c.bridge.on_model_message(function_call("call_1", "lookup", "{}"), at_ms(20));
  c.bridge.on_tool_result("call_1", R"({"found":true})", std::nullopt, at_ms(30));
  ASSERT_EQ(c.out.model_types(), std::vector<std::string>{"conversation.item.create"});
  const auto item = c.out.model_json()[0].at("item");
  EXPECT_EQ(item.at("type"), "function_call_output");
  EXPECT_EQ(item.at("call_id"), "call_1");
  EXPECT_EQ(item.at("output"), R"({"found":true})");
  c.bridge.on_model_message(response_done("r1"), at_ms(40));
  EXPECT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
}

TEST(call_bridge_tools, without_a_runner_the_model_hears_the_tool_is_not_available) {
  live_call c;
  c.bridge.on_model_message(function_call("call_9", "x", "{}"), at_ms(20));
  EXPECT_TRUE(c.out.tool_calls.empty());
  ASSERT_EQ(c.out.model_types(), (std::vector<std::string>{"conversation.item.create", "response.create"}));
  EXPECT_NE(c.out.model()[0].find("not available"), std::string::npos);
}

TEST(call_bridge_tools, a_hand_off_waits_until_the_spoken_reply_has_played) {
  live_call c(with_tools());
  c.bridge.on_model_message(function_call("call_t", "transfer_call", "{}"), at_ms(20));
  c.bridge.on_tool_result("call_t", R"({"ok":true})", follow_up{transfer_to{"+15551230000"}}, at_ms(30));
  EXPECT_EQ(c.out.follow_ups.size(), 0u);
  c.bridge.on_model_message(response_created("r2"), at_ms(40));
  c.bridge.on_model_message(delta("item_2", audio(480, 2)), at_ms(50));  // 3 frames, 3 marks
  c.bridge.on_model_message(audio_done("item_2"), at_ms(60));
  c.bridge.on_model_message(response_done("r2"), at_ms(70));
  EXPECT_EQ(c.out.follow_ups.size(), 0u);  // sent, not yet heard
  c.bridge.on_twilio_message(mark_echo(1), at_ms(90));
  c.bridge.on_twilio_message(mark_echo(2), at_ms(110));
  EXPECT_EQ(c.out.follow_ups.size(), 0u);
  c.bridge.on_twilio_message(mark_echo(3), at_ms(130));
  ASSERT_EQ(c.out.follow_ups.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<transfer_to>(c.out.follow_ups[0]));
  EXPECT_EQ(std::get<transfer_to>(c.out.follow_ups[0]).number, "+15551230000");
  c.bridge.on_tick(at_ms(60'000));
  EXPECT_EQ(c.out.follow_ups.size(), 1u);  // once
}

TEST(call_bridge_tools, a_hand_off_happens_anyway_when_the_reply_never_comes) {
  bridge_settings s = with_tools();
  s.handoff_grace = std::chrono::seconds(5);
  live_call c(s);
  c.bridge.on_model_message(function_call("call_h", "end_call", "{}"), at_ms(20));
  c.bridge.on_tool_result("call_h", R"({"ok":true})", follow_up{hang_up{}}, at_ms(30));
  c.bridge.on_tick(at_ms(4'000));
  EXPECT_EQ(c.out.follow_ups.size(), 0u);
  c.bridge.on_tick(at_ms(5'100));
  EXPECT_EQ(c.out.follow_ups.size(), 1u);
}

TEST(call_bridge_tools, results_after_the_call_ended_are_dropped) {
  live_call c(with_tools());
  c.bridge.on_model_message(function_call("call_1", "lookup", "{}"), at_ms(20));
  c.bridge.on_twilio_message(stop_msg, at_ms(25));
  c.out.clear();
  c.bridge.on_tool_result("call_1", "{}", std::nullopt, at_ms(30));
  EXPECT_TRUE(c.out.model().empty());
}

}  // namespace
}  // namespace vg::call
