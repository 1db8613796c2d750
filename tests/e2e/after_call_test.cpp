// After the call: the assistant's extraction is filled by the (fake) Chat Completions API from
// the stored transcript, stored on the call with its state, and readable through the API.
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_chat_server.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-after-call-tests-012345";

class after_call_test : public bridge_test {
 protected:
  void start(const char* schema) {
    start_server([this](app::config& c) {
      c.api_token = admin;
      c.openai_api_url = chat.url();
      c.openai_api_key = chat.api_key();  // the same key serves the fake Realtime model
    });
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":"pizza","name":"Trattoria","numbers":["+15125550166"]})", admin).status, 201);
    const std::string assistant = std::string(R"({"name":"Vox","settings":{"extraction":{"schema":)") + schema + "}}}";
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs/pizza/assistants", assistant, admin).status, 201);
    auto opts = caller_options();
    opts.to = "+15125550166";
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    ASSERT_EQ(caller->open_stream(), 101);
    ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
    model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Two margherita pizzas for pickup, please."})");
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
    // The caller's line is an event on another socket: hang up only once it is in the transcript.
    ASSERT_TRUE(wait_until([&] {
      const auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/transcript", {}, admin);
      return r.body.find("Two margherita pizzas") != std::string::npos;
    }));
    caller->send_stop();
    ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  }

  js::value extraction_of_call() {
    return call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin).json.at("extraction");
  }

  fakes::fake_chat_server chat{"sk-test"};
  std::unique_ptr<fakes::simulated_caller> caller;
};

constexpr const char* order_schema = R"({"type":"object","additionalProperties":false,"required":["summary","items"],
  "properties":{"summary":{"type":"string"},"items":{"type":"array","items":{"type":"object","additionalProperties":false,
  "required":["name","quantity"],"properties":{"name":{"type":"string"},"quantity":{"type":"integer","minimum":1}}}}}})";

TEST_F(after_call_test, the_extraction_is_filled_from_the_transcript_and_stored_on_the_call) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":2}]})");
  start(order_schema);
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "done"; }, 10s)) << js::serialize(extraction_of_call());
  const auto e = extraction_of_call();
  EXPECT_EQ(e.at("data").at("items").at(0).at("quantity"), 2);
  EXPECT_TRUE(e.at("error").is_null());
  ASSERT_EQ(chat.requests().size(), 1u);
  EXPECT_NE(chat.requests()[0].body.find("caller: Two margherita pizzas for pickup, please."), std::string::npos);
}

TEST_F(after_call_test, an_answer_that_breaks_the_schema_leaves_a_failed_state_with_the_reason) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":0}]})");
  start(order_schema);
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "failed"; }, 10s));
  EXPECT_NE(std::string(extraction_of_call().at("error").as_string()).find("quantity"), std::string::npos)
      << js::serialize(extraction_of_call());
}

}  // namespace
}  // namespace vg::e2e
