// Chat Completions with tools (docs/protocols/chat-completions.md#conversations-with-tools): the
// request we write and the answers (words, function calls) we read, as the API shapes them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/openai/chat_tools.hpp"

namespace vg::openai {
namespace {
namespace js = boost::json;

std::string completion(const std::string& message, const std::string& finish) {
  return R"({"id":"chatcmpl-1","object":"chat.completion","created":1710000000,"model":"gpt-4o-mini-2024-07-18",)"
         R"("choices":[{"index":0,"finish_reason":")" + finish + R"(","message":)" + message + "}],"
         R"("usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}})";
}

TEST(chat_tools, messages_have_the_api_roles) {
  EXPECT_EQ(js::serialize(system_message("Be brief.")), R"({"role":"system","content":"Be brief."})");
  EXPECT_EQ(js::serialize(user_message("Hi")), R"({"role":"user","content":"Hi"})");
  EXPECT_EQ(js::serialize(assistant_message("Hello")), R"({"role":"assistant","content":"Hello"})");
  EXPECT_EQ(js::serialize(tool_message("call_1", R"({"ok":true})")),
            R"({"role":"tool","tool_call_id":"call_1","content":"{\"ok\":true}"})");
}

TEST(chat_tools, the_request_carries_the_tools_and_can_forbid_them) {
  const js::array messages{system_message("S"), user_message("U")};
  const js::array tools{js::object{{"type", "function"}, {"function", js::object{{"name", "save"}}}}};
  EXPECT_EQ(conversation_request("gpt-4o-mini", messages, tools),
            R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"S"},{"role":"user","content":"U"}],)"
            R"("tools":[{"type":"function","function":{"name":"save"}}]})");
  const js::value last = js::parse(conversation_request("gpt-4o-mini", messages, tools, false));
  EXPECT_EQ(last.at("tool_choice"), "none");
  const js::value none = js::parse(conversation_request("gpt-4o-mini", messages, {}, false));
  EXPECT_FALSE(none.as_object().contains("tools")) << "the API refuses an empty tools list";
  EXPECT_FALSE(none.as_object().contains("tool_choice"));
}

TEST(chat_tools, words_are_read) {
  auto a = parse_chat_answer(completion(R"({"role":"assistant","content":"May I have your email?","refusal":null})", "stop"));
  ASSERT_TRUE(a) << a.error_message();
  EXPECT_EQ(a->text, "May I have your email?");
  EXPECT_TRUE(a->tool_calls.empty());
  EXPECT_EQ(a->finish_reason, "stop");
  EXPECT_EQ(js::serialize(a->message), R"({"role":"assistant","content":"May I have your email?"})");
}

TEST(chat_tools, function_calls_are_read_and_the_message_goes_back_as_the_api_takes_it) {
  auto a = parse_chat_answer(completion(
      R"({"role":"assistant","content":null,"refusal":null,"annotations":[],"tool_calls":[)"
      R"({"id":"call_a","type":"function","function":{"name":"save_waitlist_entry","arguments":"{\"full_name\":\"Ann\"}"}},)"
      R"({"id":"call_b","type":"function","function":{"name":"end_call","arguments":"{}"}}]})",
      "tool_calls"));
  ASSERT_TRUE(a) << a.error_message();
  EXPECT_EQ(a->text, "");
  ASSERT_EQ(a->tool_calls.size(), 2u);
  EXPECT_EQ(a->tool_calls[0], (tool_call{"call_a", "save_waitlist_entry", R"({"full_name":"Ann"})"}));
  EXPECT_EQ(a->tool_calls[1], (tool_call{"call_b", "end_call", "{}"}));
  EXPECT_EQ(a->finish_reason, "tool_calls");
  EXPECT_EQ(js::serialize(a->message),
            R"({"role":"assistant","content":null,"tool_calls":[)"
            R"({"id":"call_a","type":"function","function":{"name":"save_waitlist_entry","arguments":"{\"full_name\":\"Ann\"}"}},)"
            R"({"id":"call_b","type":"function","function":{"name":"end_call","arguments":"{}"}}]})");
}

TEST(chat_tools, words_with_calls_keep_both) {
  auto a = parse_chat_answer(completion(
      R"({"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{}"}}]})",
      "tool_calls"));
  ASSERT_TRUE(a) << a.error_message();
  EXPECT_EQ(a->text, "Let me check.");
  EXPECT_EQ(a->message.at("content"), "Let me check.");
  EXPECT_EQ(a->tool_calls.size(), 1u);
}

TEST(chat_tools, a_refusal_is_said_and_silence_is_allowed) {
  auto refused = parse_chat_answer(completion(R"({"role":"assistant","content":null,"refusal":"I can't help with that."})", "stop"));
  ASSERT_TRUE(refused) << refused.error_message();
  EXPECT_EQ(refused->text, "I can't help with that.");
  auto quiet = parse_chat_answer(completion(R"({"role":"assistant","content":""})", "stop"));
  ASSERT_TRUE(quiet) << quiet.error_message();
  EXPECT_EQ(quiet->text, "");
  EXPECT_EQ(js::serialize(quiet->message), R"({"role":"assistant","content":""})");
}

TEST(chat_tools, bad_answers_are_errors_in_plain_english) {
  const std::pair<std::string, std::string> bad[] = {
      {"not json", "not a JSON object"},
      {R"({"error":{"message":"Rate limit reached","type":"requests"}})", "Rate limit reached"},
      {R"({"choices":[]})", "no choices"},
      {R"({"choices":[{"index":0}]})", "no message"},
      {completion(R"({"role":"assistant","content":"x"})", "content_filter"), "content filter"},
      {completion(R"({"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"x","arguments":"{}"}}]})", "tool_calls"),
       "without an id"},
      {completion(R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]})", "tool_calls"),
       "without an id or a name"},
  };
  for (const auto& [body, why] : bad) {
    auto a = parse_chat_answer(body);
    ASSERT_FALSE(a) << body;
    EXPECT_NE(a.error_message().find(why), std::string::npos) << a.error_message();
  }
}

}  // namespace
}  // namespace vg::openai
