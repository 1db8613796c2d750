// Post-call extraction against the fake Chat Completions server over real sockets: the request
// voxgate sends, retries (5xx, 429, transport), no retry on other 4xx, and answers refused
// because they break the schema or the model declined.
#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>

#include "adapters/openai_chat.hpp"
#include "app/call/extraction.hpp"
#include "tests/fakes/event_loop.hpp"
#include "tests/fakes/fake_chat_server.hpp"

namespace vg::e2e {
namespace {
namespace js = boost::json;
using namespace std::chrono_literals;

// The demo's order extraction, in strict form (every property required, no extra ones).
const js::value order_schema = js::parse(R"({"type": "object", "additionalProperties": false,
  "required": ["summary", "intent", "order_items", "follow_up"],
  "properties": {
    "summary": {"type": "string"},
    "intent": {"type": "string", "enum": ["order", "question", "complaint", "other"]},
    "order_items": {"type": "array", "items": {"type": "object", "additionalProperties": false,
      "required": ["name", "quantity"],
      "properties": {"name": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}},
    "follow_up": {"type": "boolean"}}})");

constexpr const char* good_answer =
    R"({"summary":"Two margheritas for pickup","intent":"order",)"
    R"("order_items":[{"name":"margherita","quantity":2}],"follow_up":false})";

constexpr const char* transcript =
    "caller: Hi, two margheritas for pickup please.\n"
    "assistant: Two margheritas, ready in 20 minutes.\n"
    "[tool save_order {\"items\":[{\"name\":\"margherita\",\"quantity\":2}]} -> {\"ok\":true}]";

class extraction_test : public ::testing::Test {
 protected:
  extraction_test() {
    cfg.openai_api_url = chat.url();
    cfg.openai_api_key = chat.api_key();
    chat.set_content(good_answer);
  }

  app::extraction_result run(std::string model = "", js::value schema = order_schema) {
    // The adapter is made per run: tests change the URL or key between runs.
    adapters::openai_chat model_port(cfg.openai_api_url, cfg.openai_api_key, tls);
    return loop.run_sync(app::run_extraction(model_port, std::move(model), transcript, std::move(schema), 10ms));
  }

  fakes::fake_chat_server chat;
  fakes::event_loop loop;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  app::config cfg;
};

TEST_F(extraction_test, fills_the_schema_from_the_transcript) {
  const auto r = run();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(js::parse(r.json), js::parse(good_answer));
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(r.error.empty());

  const auto requests = chat.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[0].status, 200);
  EXPECT_EQ(net::find_header(requests[0].headers, "authorization"), "Bearer " + chat.api_key());
  EXPECT_EQ(net::find_header(requests[0].headers, "content-type"), "application/json");
  const js::value body = js::parse(requests[0].body);
  EXPECT_EQ(body.at("model"), "gpt-4o-mini");
  EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
  EXPECT_EQ(body.at("messages").at(0).at("role"), "system");
  EXPECT_EQ(body.at("messages").at(1).at("role"), "user");
  const std::string user(body.at("messages").at(1).at("content").as_string());
  EXPECT_NE(user.find(transcript), std::string::npos) << user;
  const js::value& format = body.at("response_format");
  EXPECT_EQ(format.at("type"), "json_schema");
  EXPECT_EQ(format.at("json_schema").at("schema"), order_schema);
  EXPECT_EQ(format.at("json_schema").at("strict"), true);
}

TEST_F(extraction_test, uses_the_given_model_and_a_trailing_slash_url) {
  cfg.openai_api_url = chat.url() + "/";
  const auto r = run("gpt-4o");
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(chat.requests().size(), 1u);
  EXPECT_EQ(chat.requests()[0].path, "/v1/chat/completions");
  EXPECT_EQ(js::parse(chat.requests()[0].body).at("model"), "gpt-4o");
}

TEST_F(extraction_test, retries_after_two_server_errors) {
  chat.fail_next(2, 500);
  const auto r = run();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 3);
  const auto requests = chat.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].status, 500);
  EXPECT_EQ(requests[1].status, 500);
  EXPECT_EQ(requests[2].status, 200);
  EXPECT_EQ(requests[0].body, requests[2].body);  // the same request each time
}

TEST_F(extraction_test, gives_up_after_three_server_errors) {
  chat.fail_next(5, 503, "Service unavailable");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(chat.requests().size(), 3u);
  EXPECT_EQ(r.error, "the OpenAI API answered HTTP 503: Service unavailable (after 3 attempts)");
}

TEST_F(extraction_test, no_retry_after_a_bad_request) {
  chat.fail_next(1, 400, "Invalid schema for response_format 'extraction'");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(chat.requests().size(), 1u);
  EXPECT_EQ(r.error, "the OpenAI API answered HTTP 400: Invalid schema for response_format 'extraction'");
}

TEST_F(extraction_test, wrong_key_is_not_retried) {
  cfg.openai_api_key = "sk-wrong";
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error, "the OpenAI API answered HTTP 401: Incorrect API key provided.");
}

TEST_F(extraction_test, retries_after_a_rate_limit) {
  chat.fail_next(1, 429, "Rate limit reached for gpt-4o-mini");
  const auto r = run();
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.attempts, 2);
  const auto requests = chat.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].status, 429);
  EXPECT_EQ(requests[1].status, 200);
}

TEST_F(extraction_test, retries_when_the_api_cannot_be_reached) {
  cfg.openai_api_url = "http://127.0.0.1:1/v1";  // nothing listens on port 1
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_TRUE(r.error.starts_with("the OpenAI API could not be reached")) << r.error;
}

TEST_F(extraction_test, an_answer_that_breaks_the_schema_is_an_error) {
  chat.set_content(R"({"summary":"Two margheritas","intent":"pizza","order_items":[{"name":"margherita","quantity":0}]})");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);  // a model's answer is not retried
  EXPECT_TRUE(r.error.starts_with("the answer did not match the schema: ")) << r.error;
  EXPECT_NE(r.error.find("intent"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("follow_up: is required"), std::string::npos) << r.error;
  EXPECT_TRUE(r.json.empty());
}

TEST_F(extraction_test, content_that_is_not_json_is_an_error) {
  chat.set_content("Sure! The caller ordered two pizzas.");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.starts_with("the answer is not JSON")) << r.error;
}

TEST_F(extraction_test, a_refusal_is_an_error) {
  chat.set_refusal("I'm sorry, I can't help with that request.");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error, "the model refused: I'm sorry, I can't help with that request.");
}

TEST_F(extraction_test, a_cut_off_answer_is_an_error) {
  chat.set_finish_reason("length");
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("cut off"), std::string::npos) << r.error;
}

TEST_F(extraction_test, no_api_key_fails_without_a_request) {
  cfg.openai_api_key.clear();
  const auto r = run();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_NE(r.error.find("OPENAI_API_KEY"), std::string::npos) << r.error;
  EXPECT_TRUE(chat.requests().empty());
}

TEST_F(extraction_test, a_broken_schema_fails_without_a_request) {
  const auto r = run("", js::parse(R"({"type":"object","properties":{"n":{"type":"number","minimum":"one"}}})"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_TRUE(r.error.starts_with("the extraction schema is invalid: ")) << r.error;
  EXPECT_TRUE(chat.requests().empty());
}

TEST_F(extraction_test, a_loose_schema_is_sent_without_strict) {
  // The examples' style: optional fields. Strict mode would refuse it; the answer is still checked.
  const js::value loose = js::parse(R"({"type":"object","properties":{"summary":{"type":"string"},"notes":{"type":"string"}}})");
  chat.set_content(R"({"summary":"Two margheritas"})");
  const auto r = run("", loose);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(js::parse(chat.requests().at(0).body).at("response_format").at("json_schema").at("strict"), false);
}

TEST(extraction_transcript, merges_turns_and_tools_in_time_order) {
  const std::vector<ports::transcript_turn> turns = {
      {"CA1", "caller", "Book me a haircut\nfor Friday at 3.", 1000},
      {"CA1", "assistant", "Done, you're booked.", 5000},
      {"CA1", "assistant", "Anything else?", 5000},
  };
  const std::vector<ports::tool_call_row> tools = {
      {"c1", "CA1", "book_service", R"({"service":"haircut"})", R"({"ok":true,"ref":"B-1"})", "ok", 3000, 40},
      {"c2", "CA1", "notify_owner", R"({"summary":"x"})", "", "timeout", 5000, 10000},
  };
  EXPECT_EQ(app::transcript_text(turns, tools),
            "caller: Book me a haircut for Friday at 3.\n"
            "[tool book_service {\"service\":\"haircut\"} -> {\"ok\":true,\"ref\":\"B-1\"}]\n"
            "assistant: Done, you're booked.\n"
            "assistant: Anything else?\n"
            "[tool notify_owner {\"summary\":\"x\"} -> (timeout)]");
  EXPECT_EQ(app::transcript_text({}, {}), "");
}

TEST(extraction_transcript, clips_long_tool_results) {
  const std::vector<ports::tool_call_row> tools = {{"c1", "CA1", "lookup", "{}", std::string(5000, 'x'), "ok", 0, 1}};
  const std::string text = app::transcript_text({}, tools);
  EXPECT_LT(text.size(), 2100u);
  EXPECT_TRUE(text.ends_with("...]")) << text.substr(text.size() - 10);
}

}  // namespace
}  // namespace vg::e2e
