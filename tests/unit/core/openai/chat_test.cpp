// Chat Completions extraction (docs/protocols/chat-completions.md): the structured-output request we write and
// the answers we accept or refuse.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "core/openai/chat.hpp"

namespace vg::openai {
namespace {
namespace js = boost::json;

const js::value strict_schema = js::parse(R"({"type": "object", "additionalProperties": false,
  "required": ["summary", "order_items", "follow_up"],
  "properties": {"summary": {"type": "string"},
    "order_items": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["name", "quantity"], "properties": {"name": {"type": "string"}, "quantity": {"type": "integer"}}}},
    "follow_up": {"type": "boolean"}}})");

// A completion whose first message has `message` (a JSON object text) and `finish`.
std::string completion(const std::string& message, const std::string& finish = "stop") {
  return R"({"id":"chatcmpl-1","object":"chat.completion","created":1710000000,"model":"gpt-4o-mini-2024-07-18",)"
         R"("choices":[{"index":0,"finish_reason":")" + finish + R"(","message":)" + message + "}],"
         R"("usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}})";
}

// --- request ---------------------------------------------------------------------------------

TEST(chat_request, carries_model_messages_and_strict_schema) {
  const js::value v = js::parse(extraction_request("gpt-4o", "Extract the order.", "caller: two pizzas\nassistant: ok",
                                                   strict_schema));
  EXPECT_EQ(v.at("model"), "gpt-4o");
  EXPECT_EQ(v.at("temperature").to_number<double>(), 0.0);
  const js::array& messages = v.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "system");
  EXPECT_EQ(messages[0].at("content"), "Extract the order.");
  EXPECT_EQ(messages[1].at("role"), "user");
  const std::string user(messages[1].at("content").as_string());
  EXPECT_NE(user.find("caller: two pizzas\nassistant: ok"), std::string::npos) << user;
  const js::value& format = v.at("response_format");
  EXPECT_EQ(format.at("type"), "json_schema");
  EXPECT_EQ(format.at("json_schema").at("name"), "extraction");
  EXPECT_EQ(format.at("json_schema").at("schema"), strict_schema);
  EXPECT_EQ(format.at("json_schema").at("strict"), true);
  EXPECT_FALSE(v.as_object().contains("tools"));
}

TEST(chat_request, defaults_model_and_instructions) {
  const js::value v = js::parse(extraction_request("", "", "caller: hi", strict_schema));
  EXPECT_EQ(v.at("model"), "gpt-4o-mini");
  EXPECT_EQ(v.at("messages").at(0).at("content"), js::value(std::string(default_extraction_instructions)));
}

TEST(chat_request, escapes_the_transcript) {
  const std::string text = "caller: \"quote\" \\ back\tslash \xC3\xA9t\xC3\xA9";
  const js::value v = js::parse(extraction_request("m", "i", text, strict_schema));
  const std::string user(v.at("messages").at(1).at("content").as_string());
  EXPECT_NE(user.find(text), std::string::npos);
}

TEST(chat_request, non_strict_schema_is_sent_without_strict) {
  // Optional fields (the examples' style): strict mode would refuse it with a 400.
  const js::value loose = js::parse(R"({"type":"object","properties":{"summary":{"type":"string"}}})");
  const js::value v = js::parse(extraction_request("m", "i", "t", loose));
  EXPECT_EQ(v.at("response_format").at("json_schema").at("strict"), false);
  EXPECT_EQ(v.at("response_format").at("json_schema").at("schema"), loose);
}

TEST(chat_request, strict_compatible_rules) {
  EXPECT_TRUE(strict_compatible(strict_schema));
  EXPECT_TRUE(strict_compatible(js::parse(R"({"type":"object","additionalProperties":false,"properties":{},"required":[]})")));
  EXPECT_TRUE(strict_compatible(js::parse(
      R"({"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"$ref":"#/$defs/x"}},)"
      R"("$defs":{"x":{"anyOf":[{"type":"string"},{"type":"null"}]}}})")));
  // Missing additionalProperties:false, at the root or nested.
  EXPECT_FALSE(strict_compatible(js::parse(R"({"type":"object","required":["a"],"properties":{"a":{"type":"string"}}})")));
  EXPECT_FALSE(strict_compatible(js::parse(
      R"({"type":"object","additionalProperties":false,"required":["a"],)"
      R"("properties":{"a":{"type":"array","items":{"type":"object","properties":{}}}}})")));
  // An optional property.
  EXPECT_FALSE(strict_compatible(js::parse(
      R"({"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{},"b":{}}})")));
  EXPECT_FALSE(strict_compatible(js::parse(
      R"({"type":"object","additionalProperties":false,"properties":{"a":{}}})")));
  EXPECT_FALSE(strict_compatible(js::parse(R"({"type":"object","additionalProperties":{"type":"string"}})")));
  EXPECT_FALSE(strict_compatible(js::value(nullptr)));
  EXPECT_FALSE(strict_compatible(js::value(true)));
}

// --- response --------------------------------------------------------------------------------

TEST(chat_response, parses_the_content_as_json) {
  const auto r = parse_extraction_response(
      completion(R"({"role":"assistant","content":"{\"summary\":\"Two pizzas\",\"follow_up\":true}","refusal":null})"));
  ASSERT_TRUE(r) << r.error_message();
  EXPECT_EQ(*r, js::parse(R"({"summary":"Two pizzas","follow_up":true})"));
}

TEST(chat_response, refusal_is_an_error) {
  const auto r = parse_extraction_response(
      completion(R"({"role":"assistant","content":null,"refusal":"I can't help with that."})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error_message(), "the model refused: I can't help with that.");
}

TEST(chat_response, cut_off_answer_is_an_error) {
  const auto r = parse_extraction_response(completion(R"({"role":"assistant","content":"{\"summary\":\"Two pi"})", "length"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error_message().find("cut off"), std::string::npos) << r.error_message();
}

TEST(chat_response, content_filter_is_an_error) {
  const auto r = parse_extraction_response(completion(R"({"role":"assistant","content":"{}"})", "content_filter"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error_message().find("content filter"), std::string::npos);
}

TEST(chat_response, missing_or_null_content_is_an_error) {
  for (const char* message : {R"({"role":"assistant"})", R"({"role":"assistant","content":null})",
                              R"({"role":"assistant","content":""})", R"({"role":"assistant","content":{"a":1}})"}) {
    const auto r = parse_extraction_response(completion(message));
    ASSERT_FALSE(r) << message;
    EXPECT_EQ(r.error_message(), "the answer has no content") << message;
  }
}

TEST(chat_response, content_that_is_not_json_is_an_error) {
  const auto r = parse_extraction_response(completion(R"({"role":"assistant","content":"Sure! Here is the summary."})"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error_message().starts_with("the answer is not JSON")) << r.error_message();
}

TEST(chat_response, malformed_bodies_are_errors) {
  for (const char* body : {"", "not json", "[]", "{}", R"({"choices":[]})", R"({"choices":[{"index":0}]})",
                           R"({"choices":{"0":{}}})", R"({"choices":[1]})"}) {
    EXPECT_FALSE(parse_extraction_response(body)) << body;
  }
}

// --- usage -----------------------------------------------------------------------------------

TEST(chat_usage, is_read_from_a_completion_whatever_its_answer) {
  const auto u = parse_chat_usage(completion(R"({"role":"assistant","content":"{}"})"));
  ASSERT_TRUE(u) << u.error_message();
  EXPECT_EQ(*u, (chat_usage{82, 0, 17}));
  // A refused answer is billed all the same.
  const auto refused = parse_chat_usage(completion(R"({"role":"assistant","content":null,"refusal":"No."})"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->completion_tokens, 17);
}

TEST(chat_usage, cached_tokens_come_from_the_prompt_details) {
  const auto u = parse_chat_usage(R"({"choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
    "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
    "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})");
  ASSERT_TRUE(u) << u.error_message();
  EXPECT_EQ(*u, (chat_usage{2006, 1920, 300}));
}

TEST(chat_usage, odd_counts_are_zero_and_cached_is_at_most_the_prompt) {
  auto u = parse_chat_usage(R"({"usage":{}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, chat_usage{});
  u = parse_chat_usage(R"({"usage":{"prompt_tokens":-5,"completion_tokens":"17","prompt_tokens_details":{"cached_tokens":3}}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, chat_usage{});  // cached never exceeds the prompt it is part of
  u = parse_chat_usage(R"({"usage":{"prompt_tokens":10,"completion_tokens":1.5,"prompt_tokens_details":{"cached_tokens":64}}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, (chat_usage{10, 10, 0}));
  u = parse_chat_usage(R"({"usage":{"prompt_tokens":18446744073709551615,"prompt_tokens_details":null}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, chat_usage{});  // beyond int64: not a count
}

TEST(chat_usage, a_body_without_usage_is_an_error) {
  for (const char* body : {"", "not json", "[]", "{}", R"({"usage":null})", R"({"usage":[82,17]})",
                           R"({"error":{"message":"Rate limit reached","type":"requests"}})"}) {
    EXPECT_FALSE(parse_chat_usage(body)) << body;
  }
  EXPECT_EQ(parse_chat_usage("{}").error_message(), "the API answer has no usage");
}

TEST(chat_response, api_error_object) {
  const std::string body =
      R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})";
  const auto r = parse_extraction_response(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error_message(), "the API answered an error: Incorrect API key provided");
  EXPECT_EQ(api_error_message(body), "Incorrect API key provided");
  EXPECT_EQ(api_error_message("<html>bad gateway</html>"), "");
  EXPECT_EQ(api_error_message(R"({"error":"x"})"), "");
}

}  // namespace
}  // namespace vg::openai
