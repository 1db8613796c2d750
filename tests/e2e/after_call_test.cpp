// After the call: the assistant's extraction is filled by the (fake) Chat Completions API from
// the stored transcript, stored on the call with its state, readable through the API, and
// POSTed signed to the organisation's webhook (a real local receiver), a delivery that fails
// for good left on the call as an event; what the extraction's answer cost is kept, priced and
// summed with the call's; on SQLite and, when VOXGATE_TEST_POSTGRES_URL is set, on PostgreSQL
// with the call's usage and cost, read from a second node too.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>

#include "tests/e2e/api_client.hpp"
#include "tests/e2e/webhook_receiver.hpp"
#include "tests/fakes/fake_chat_server.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-after-call-tests-012345";

class after_call_test : public bridge_test {
 protected:
  // A node whose organisation `org_id` (on `number`; `org_extra` adds fields such as a
  // webhook_url) has the assistant Vox asking for `schema`, then one call that says `line`.
  void start(const char* schema, const std::string& org_extra = {}, const std::function<void(app::config&)>& tweak = {}) {
    start_server([&](app::config& c) {
      c.api_token = admin;
      c.openai_api_url = chat.url();
      c.openai_api_key = chat.api_key();  // the same key serves the fake Realtime model
      if (tweak) tweak(c);
    });
    const std::string org = R"({"id":")" + org_id + R"(","name":"Trattoria","numbers":[")" + number + "\"]" + org_extra + "}";
    auto r = call_api(loop, port, "POST", "/api/v1/orgs", org, admin);
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string assistant = std::string(R"({"name":"Vox","settings":{"extraction":{"schema":)") + schema + "}}}";
    r = call_api(loop, port, "POST", "/api/v1/orgs/" + org_id + "/assistants", assistant, admin);
    ASSERT_EQ(r.status, 201) << r.body;
    assistant_id = std::string(r.json.at("id").as_string());
    ASSERT_NO_FATAL_FAILURE(run_call("Two margherita pizzas for pickup, please."));
  }

  // One call to the organisation's number in which the caller says `line`, ended by Twilio's
  // stop once voxgate has stored the line and the model's usage. `caller` is that call's.
  void run_call(const std::string& line) {
    auto opts = caller_options();
    opts.to = number;
    const std::size_t conn = model.connections();  // this call's model connection
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    ASSERT_EQ(caller->open_stream(), 101);
    ASSERT_TRUE(wait_until([&] { return model.connections() > conn && model.received(conn).size() >= 3; }));
    model.send(conn, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":")" +
                         line + "\"}");
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
    // The caller's line is an event on another socket: hang up only once it is in the transcript.
    ASSERT_TRUE(wait_until([&] {
      const auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/transcript", {}, admin);
      return r.body.find(line) != std::string::npos;
    }));
    // Likewise the greeting's response.done, which carries the model's usage.
    ASSERT_TRUE(wait_until([&] {
      const auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
      return r.status == 200 && r.json.at("usage").at("responses").as_int64() >= 1;
    }));
    caller->send_stop();
    ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  }

  // The receiver looks the call up through the API (of the node on `api_port`, this one's when
  // 0) when the webhook comes, as an integrator would: the delivery's `seen` is the
  // extraction's status at that moment.
  void look_up_calls_on_delivery(std::uint16_t api_port = 0) {
    hook.on_request_look([this, api_port](const net::http_request& req) {
      boost::system::error_code ec;
      const auto body = js::parse(req.body, ec);
      if (ec || !body.is_object() || !body.as_object().contains("call_sid")) return std::string("no call_sid");
      const auto r = call_api(loop, api_port != 0 ? api_port : port, "GET",
                              "/api/v1/calls/" + std::string(body.at("call_sid").as_string()), {}, admin);
      return r.status == 200 ? js::serialize(r.json.at("extraction").at("status")) : "HTTP " + std::to_string(r.status);
    });
  }

  js::value call_of(const std::string& sid) { return call_api(loop, port, "GET", "/api/v1/calls/" + sid, {}, admin).json; }
  js::value extraction_of_call() { return extraction_of(caller->call_sid()); }
  js::value extraction_of(const std::string& sid) {
    return call_api(loop, port, "GET", "/api/v1/calls/" + sid, {}, admin).json.at("extraction");
  }

  void TearDown() override {
    if (other_node) other_node->stop();
    bridge_test::TearDown();
  }

  fakes::fake_chat_server chat{"sk-test"};
  std::unique_ptr<app::server> other_node;  // a second node on the same database, when a test starts one
  webhook_receiver hook;  // the organisation's webhook, when the test gives it one
  std::unique_ptr<fakes::simulated_caller> caller;
  std::string org_id = "pizza";
  std::string number = "+15125550166";
  std::string assistant_id;
};

// The fake chat server's usage on every answer: 82 prompt tokens, 17 completion tokens; priced
// at gpt-4o-mini's text rates ($0.15 in, $0.60 out per 1M), the extraction's default model.
constexpr double fake_answer_usd = (82 * 0.15 + 17 * 0.60) / 1e6;

// `extraction.usage` of a call whose extraction got one answer from the fake on `model`.
void expect_one_answer_usage(const js::value& usage, const char* model) {
  ASSERT_TRUE(usage.is_object()) << js::serialize(usage);
  EXPECT_EQ(usage.at("model"), model);
  EXPECT_EQ(usage.at("input_text_tokens"), 82);
  EXPECT_EQ(usage.at("cached_text_tokens"), 0);
  EXPECT_EQ(usage.at("output_text_tokens"), 17);
  EXPECT_EQ(usage.at("input_audio_tokens"), 0);
  EXPECT_EQ(usage.at("output_audio_tokens"), 0);
  EXPECT_EQ(usage.at("responses"), 1);
}

constexpr const char* order_schema = R"({"type":"object","additionalProperties":false,"required":["summary","items"],
  "properties":{"summary":{"type":"string"},"items":{"type":"array","items":{"type":"object","additionalProperties":false,
  "required":["name","quantity"],"properties":{"name":{"type":"string"},"quantity":{"type":"integer","minimum":1}}}}}})";

TEST_F(after_call_test, the_extraction_is_filled_from_the_transcript_and_stored_on_the_call) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":2}]})");
  ASSERT_NO_FATAL_FAILURE(start(order_schema));
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "done"; }, 10s)) << js::serialize(extraction_of_call());
  const auto e = extraction_of_call();
  EXPECT_EQ(e.at("data").at("items").at(0).at("quantity"), 2);
  EXPECT_TRUE(e.at("error").is_null());
  ASSERT_EQ(chat.requests().size(), 1u);
  EXPECT_NE(chat.requests()[0].body.find("caller: Two margherita pizzas for pickup, please."), std::string::npos);
  // What the answer cost: its usage is on the call, priced apart and in the total.
  ASSERT_NO_FATAL_FAILURE(expect_one_answer_usage(e.at("usage"), "gpt-4o-mini"));
  const auto call = call_of(caller->call_sid());
  const auto& cost = call.at("cost");
  EXPECT_NEAR(cost.at("extraction_usd").as_double(), fake_answer_usd, 1e-15) << js::serialize(cost);
  EXPECT_GT(cost.at("model_usd").as_double(), 0);
  EXPECT_NEAR(cost.at("total_usd").as_double(),
              cost.at("model_usd").as_double() + fake_answer_usd + cost.at("twilio_voice_usd").as_double() +
                  cost.at("sms_usd").as_double(),
              1e-12);
  EXPECT_EQ(call.at("usage").at("model"), "gpt-realtime");  // the Realtime model's usage stays its own
  EXPECT_EQ(call.at("usage").at("input_text_tokens").as_int64() % 100, 0) << "the fake Realtime model reports 100 per response";
  // The organisation's day sums it.
  const auto day = call_api(loop, port, "GET", "/api/v1/orgs/" + org_id + "/usage", {}, admin);
  ASSERT_EQ(day.status, 200) << day.body;
  ASSERT_EQ(day.json.at("data").as_array().size(), 1u) << day.body;
  const auto& d = day.json.at("data").at(0);
  EXPECT_NEAR(d.at("extraction_usd").as_double(), fake_answer_usd, 1e-15);
  EXPECT_EQ(d.at("extraction_tokens"), 99);
  EXPECT_NEAR(d.at("total_usd").as_double(), cost.at("total_usd").as_double(), 1e-12);
}

TEST_F(after_call_test, the_extraction_is_priced_at_the_model_the_assistant_asks_for) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":2}]})");
  const std::string schema_and_model = std::string(order_schema) + R"(,"model":"gpt-4.1-mini")";
  ASSERT_NO_FATAL_FAILURE(start(schema_and_model.c_str()));
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "done"; }, 10s)) << js::serialize(extraction_of_call());
  ASSERT_EQ(chat.requests().size(), 1u);
  EXPECT_EQ(js::parse(chat.requests()[0].body).at("model"), "gpt-4.1-mini");
  ASSERT_NO_FATAL_FAILURE(expect_one_answer_usage(extraction_of_call().at("usage"), "gpt-4.1-mini"));
  // gpt-4.1-mini: $0.40 in, $1.60 out per 1M.
  EXPECT_NEAR(call_of(caller->call_sid()).at("cost").at("extraction_usd").as_double(), (82 * 0.40 + 17 * 1.60) / 1e6, 1e-15);
}

TEST_F(after_call_test, an_extraction_without_an_answer_costs_nothing) {
  chat.fail_next(1, 400, "Invalid schema for response_format 'extraction'");  // not retried
  ASSERT_NO_FATAL_FAILURE(start(order_schema));
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "failed"; }, 10s)) << js::serialize(extraction_of_call());
  const auto call = call_of(caller->call_sid());
  EXPECT_TRUE(call.at("extraction").at("usage").is_null()) << js::serialize(call.at("extraction"));
  EXPECT_EQ(call.at("cost").at("extraction_usd").as_double(), 0.0);
  const auto day = call_api(loop, port, "GET", "/api/v1/orgs/" + org_id + "/usage", {}, admin);
  ASSERT_EQ(day.status, 200) << day.body;
  EXPECT_EQ(day.json.at("data").at(0).at("extraction_usd").as_double(), 0.0);
  EXPECT_EQ(day.json.at("data").at(0).at("extraction_tokens"), 0);
}

TEST_F(after_call_test, an_answer_that_breaks_the_schema_leaves_a_failed_state_with_the_reason) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":0}]})");
  ASSERT_NO_FATAL_FAILURE(start(order_schema));
  ASSERT_TRUE(wait_until([&] { return extraction_of_call().at("status") == "failed"; }, 10s));
  EXPECT_NE(std::string(extraction_of_call().at("error").as_string()).find("quantity"), std::string::npos)
      << js::serialize(extraction_of_call());
  // The answer was billed all the same, so it is counted.
  ASSERT_NO_FATAL_FAILURE(expect_one_answer_usage(extraction_of_call().at("usage"), "gpt-4o-mini"));
  EXPECT_NEAR(call_of(caller->call_sid()).at("cost").at("extraction_usd").as_double(), fake_answer_usd, 1e-15);
}

// --- The signed webhook after the extraction ---------------------------------------------

constexpr const char* margheritas = R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":2}]})";
constexpr const char* calzone = R"({"summary":"One calzone","items":[{"name":"calzone","quantity":1}]})";

// HMAC-SHA256 in lower-case hex, straight from OpenSSL (not voxgate's helpers).
std::string hmac_hex(const std::string& key, const std::string& text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
       mac, &n);
  std::string out;
  char byte[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    out += byte;
  }
  return out;
}

// webhook_sender.hpp: "X-Voxgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
// Checks the header's form, that it verifies with `secret` (and not with `not_secret`), and that
// t is about now.
void expect_signed(const net::http_request& req, const std::string& secret, const std::string& not_secret) {
  const std::string sig(req.header("x-voxgate-signature"));
  std::smatch m;
  ASSERT_TRUE(std::regex_match(sig, m, std::regex("t=([0-9]+),v1=([0-9a-f]{64})"))) << "signature header: '" << sig << "'";
  const std::string t = m[1];
  EXPECT_EQ(m[2].str(), hmac_hex(secret, t + "." + req.body)) << "does not verify with the secret over \"t.body\"";
  EXPECT_NE(m[2].str(), hmac_hex(not_secret, t + "." + req.body));
  const auto now = static_cast<long long>(std::time(nullptr));
  EXPECT_LE(std::llabs(std::stoll(t) - now), 300) << "t is not the time of sending";
}

constexpr const char* shared_secret = "whsec-after-call-tests-0123456789";
// Without VOXGATE_WEBHOOK_SECRET the secret is derived from the Twilio auth token (webhook_sender.hpp).
std::string derived_secret() { return hmac_hex(auth_token, "voxgate webhook secret v1"); }

TEST_F(after_call_test, the_extraction_is_posted_once_to_the_organisations_webhook_signed) {
  chat.set_content(margheritas);
  look_up_calls_on_delivery();
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\"",
                                [](app::config& c) { c.webhook_secret = shared_secret; }));
  const std::string first = caller->call_sid();
  ASSERT_TRUE(wait_until([&] { return !hook.deliveries().empty(); }, 10s)) << js::serialize(extraction_of_call());
  const auto d = hook.deliveries().at(0);
  EXPECT_EQ(d.request.method, "POST");
  EXPECT_EQ(d.request.path(), "/hooks/voxgate");
  EXPECT_EQ(d.request.header("content-type"), "application/json");
  ASSERT_NO_FATAL_FAILURE(expect_signed(d.request, shared_secret, derived_secret()));
  const auto body = js::parse(d.request.body).as_object();
  EXPECT_EQ(body.size(), 5u) << d.request.body;
  EXPECT_EQ(body.at("event"), "call.extracted");
  EXPECT_EQ(body.at("call_sid").as_string(), first);
  EXPECT_EQ(body.at("org_id"), "pizza");
  EXPECT_EQ(body.at("assistant_id").as_string(), assistant_id);
  EXPECT_EQ(body.at("data"), js::parse(margheritas));
  // What was sent is what is stored on the call, readable as soon as the webhook arrives.
  EXPECT_EQ(d.seen, "\"done\"");
  EXPECT_EQ(extraction_of(first).at("status"), "done");
  EXPECT_EQ(extraction_of(first).at("data"), body.at("data"));
  const auto call = call_api(loop, port, "GET", "/api/v1/calls/" + first, {}, admin).json;
  EXPECT_EQ(call.at("org_id"), body.at("org_id"));
  EXPECT_EQ(call.at("assistant_id"), body.at("assistant_id"));

  // Exactly one delivery per call: a second call on the same line gets its own, and by the
  // time it arrives (a whole call later) nothing more came for the first.
  chat.set_content(calzone);
  ASSERT_NO_FATAL_FAILURE(run_call("And a calzone."));
  const std::string second = caller->call_sid();
  ASSERT_NE(second, first);
  ASSERT_TRUE(wait_until([&] { return hook.deliveries().size() >= 2; }, 10s));
  const auto all = hook.deliveries();
  ASSERT_EQ(all.size(), 2u);
  const auto body2 = js::parse(all[1].request.body);
  EXPECT_EQ(body2.at("call_sid").as_string(), second);
  EXPECT_EQ(body2.at("data"), js::parse(calzone));
  ASSERT_NO_FATAL_FAILURE(expect_signed(all[1].request, shared_secret, derived_secret()));
  EXPECT_EQ(all[0].answered, 200);
  EXPECT_EQ(all[1].answered, 200);
  EXPECT_EQ(all[1].seen, "\"done\"");
  EXPECT_EQ(chat.requests().size(), 2u);
  // A delivered webhook is no event (one for the first call would have been stored, in order,
  // long before the second call ended).
  const auto first_call = call_of(first);
  for (const auto& e : first_call.at("events").as_array()) EXPECT_NE(e.at("kind"), "webhook_failed") << js::serialize(e);
}

TEST_F(after_call_test, a_webhook_that_fails_first_gets_the_same_delivery_again_after_a_pause) {
  // No VOXGATE_WEBHOOK_SECRET: the derived secret signs.
  hook.fail_next(1, 500);
  chat.set_content(margheritas);
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\""));
  ASSERT_TRUE(wait_until([&] { return hook.deliveries().size() >= 2; }, 10s)) << hook.deliveries().size() << " deliveries";
  const auto all = hook.deliveries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].answered, 500);
  EXPECT_EQ(all[1].answered, 200);
  EXPECT_EQ(all[1].request.body, all[0].request.body);
  for (const auto& d : all) ASSERT_NO_FATAL_FAILURE(expect_signed(d.request, derived_secret(), shared_secret));
  const auto body = js::parse(all[1].request.body);
  EXPECT_EQ(body.at("event"), "call.extracted");
  EXPECT_EQ(body.at("call_sid").as_string(), caller->call_sid());
  EXPECT_EQ(body.at("data"), js::parse(margheritas));
  // Promised: 0.5 s before the second attempt (a lower bound, so a slow machine cannot fail it).
  EXPECT_GE(all[1].at - all[0].at, 450ms);
  EXPECT_EQ(chat.requests().size(), 1u);  // the webhook is retried, not the extraction
}

TEST_F(after_call_test, a_webhook_that_fails_every_attempt_is_an_event_on_the_call) {
  hook.fail_next(1000, 500);
  chat.set_content(margheritas);
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\""));
  const std::string sid = caller->call_sid();
  const auto failed_events = [&] {
    js::array out;
    const auto call = call_of(sid);  // kept: a loop over a temporary's member would dangle
    for (const auto& e : call.at("events").as_array()) {
      if (e.at("kind") == "webhook_failed") out.push_back(e);
    }
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return !failed_events().empty(); }, 10s)) << js::serialize(call_of(sid).at("events"));
  const auto events = failed_events();
  ASSERT_EQ(events.size(), 1u) << js::serialize(events);
  EXPECT_EQ(events[0].at("detail"), "call.extracted: the webhook failed 3 times (HTTP 500)");
  const auto all = hook.deliveries();
  ASSERT_EQ(all.size(), 3u);  // every attempt made, each refused
  for (const auto& d : all) EXPECT_EQ(d.answered, 500);
  // The extraction itself is done: only its delivery failed.
  EXPECT_EQ(extraction_of(sid).at("status"), "done");
}

TEST_F(after_call_test, a_webhook_refused_with_a_4xx_is_an_event_after_one_attempt) {
  hook.fail_next(1000, 410);
  chat.set_content(margheritas);
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\""));
  const std::string sid = caller->call_sid();
  const auto last_event = [&] {
    const auto events = call_of(sid).at("events").as_array();
    return events.empty() ? js::value() : events.back();
  };
  ASSERT_TRUE(wait_until([&] { return last_event().is_object() && last_event().at("kind") == "webhook_failed"; }, 10s))
      << js::serialize(call_of(sid).at("events"));
  EXPECT_EQ(last_event().at("detail"), "call.extracted: the webhook answered HTTP 410");
  EXPECT_EQ(hook.deliveries().size(), 1u);  // a 4xx is not retried
}

// The same for a webhook sent during the call: notify_owner's (a tool), refused by the receiver.
TEST_F(after_call_test, a_failed_owner_notification_webhook_is_an_event_on_the_call) {
  hook.fail_next(1000, 404);
  start_server([&](app::config& c) { c.api_token = admin; });
  const std::string org = R"({"id":")" + org_id + R"(","name":"Trattoria","numbers":[")" + number + R"("],"webhook_url":")" +
                          hook.url() + "\"}";
  auto r = call_api(loop, port, "POST", "/api/v1/orgs", org, admin);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string assistant = R"({"name":"Vox","tools":[{"name":"notify_owner","description":"Tell the owner.",
    "action":{"notify_owner":{"sms":false,"webhook":true}},
    "parameters":{"type":"object","required":["summary"],"properties":{"summary":{"type":"string"}}}}]})";
  r = call_api(loop, port, "POST", "/api/v1/orgs/" + org_id + "/assistants", assistant, admin);
  ASSERT_EQ(r.status, 201) << r.body;
  auto opts = caller_options();
  opts.to = number;
  caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));  // the greeting played
  const auto out = call_tool("n1", "notify_owner", R"({"summary":"Wants a table for six"})");
  EXPECT_EQ(out.at("webhook"), "failed: the webhook answered HTTP 404") << js::serialize(out);
  const std::string sid = caller->call_sid();
  const auto failures = [&] {
    std::vector<std::string> out;
    const auto call = call_of(sid);
    for (const auto& e : call.at("events").as_array()) {
      if (e.at("kind") == "webhook_failed") out.emplace_back(e.at("detail").as_string());
    }
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return !failures().empty(); })) << js::serialize(call_of(sid).at("events"));
  EXPECT_EQ(failures(), std::vector<std::string>{"owner_notification: the webhook answered HTTP 404"});
  ASSERT_EQ(hook.deliveries().size(), 1u);
  EXPECT_EQ(js::parse(hook.deliveries()[0].request.body).at("event"), "owner_notification");
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
}

TEST_F(after_call_test, a_failed_extraction_sends_no_webhook) {
  chat.set_content(R"({"summary":"Pickup order","items":[{"name":"margherita","quantity":0}]})");  // breaks the schema
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\""));
  const std::string failed = caller->call_sid();
  ASSERT_TRUE(wait_until([&] { return extraction_of(failed).at("status") == "failed"; }, 10s)) << js::serialize(extraction_of(failed));
  // A webhook for the failed call would leave right after its state was stored, well before a
  // whole second call has ended and been extracted: the second call's delivery is the only one.
  chat.set_content(calzone);
  ASSERT_NO_FATAL_FAILURE(run_call("Just a calzone."));
  ASSERT_TRUE(wait_until([&] { return !hook.deliveries().empty(); }, 10s));
  const auto all = hook.deliveries();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(js::parse(all[0].request.body).at("call_sid").as_string(), caller->call_sid());
  EXPECT_EQ(extraction_of(failed).at("status"), "failed");
}

// --- The same on PostgreSQL -----------------------------------------------------------------

TEST_F(after_call_test, on_postgresql_the_extraction_usage_and_cost_are_stored_and_readable) {
  const char* url = std::getenv("VOXGATE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "no PostgreSQL here (set VOXGATE_TEST_POSTGRES_URL; CI does)";
  // The database is shared between runs and processes: an organisation (so its usage counts
  // this call only) and a number of this run's own.
  const auto pid = static_cast<long>(::getpid());
  org_id = "after-call-" + fakes::random_sid("").substr(0, 12);
  number = "+1737" + std::to_string(1000000 + pid % 8999999);
  chat.set_content(margheritas);
  // The integrator's lookup goes to another node on the same database, as behind a load balancer.
  app::config other = base_config();
  other.api_token = admin;
  other.database_url = url;
  other_node = std::make_unique<app::server>(other);
  const std::uint16_t other_port = other_node->start();
  look_up_calls_on_delivery(other_port);
  ASSERT_NO_FATAL_FAILURE(start(order_schema, R"(,"webhook_url":")" + hook.url() + "\"", [&](app::config& c) {
    c.database_url = url;
    c.webhook_secret = shared_secret;
  }));
  const std::string sid = caller->call_sid();
  ASSERT_EQ(caller->send_status("completed", 3, 42), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto r = call_api(loop, port, "GET", "/api/v1/calls/" + sid, {}, admin);
    return r.status == 200 && r.json.at("status") == "completed" && r.json.at("extraction").at("status") == "done";
  }, 10s)) << call_api(loop, port, "GET", "/api/v1/calls/" + sid, {}, admin).body;

  const auto r = call_api(loop, port, "GET", "/api/v1/calls/" + sid, {}, admin);
  EXPECT_EQ(r.json.at("org_id").as_string(), org_id);
  EXPECT_EQ(r.json.at("assistant_id").as_string(), assistant_id);
  EXPECT_EQ(r.json.at("duration_s"), 42);
  EXPECT_EQ(r.json.at("extraction").at("data"), js::parse(margheritas));
  EXPECT_TRUE(r.json.at("extraction").at("error").is_null());
  // Usage summed over the model's responses (the fake reports 100 text tokens in, 20 out per
  // response; gpt-realtime: $4 and $16 per 1M), and 42 s inbound is one Twilio minute ($0.0085).
  const auto responses = r.json.at("usage").at("responses").as_int64();
  ASSERT_GE(responses, 1);
  EXPECT_EQ(r.json.at("usage").at("model"), "gpt-realtime");
  // The extraction's answer (82 in, 17 out on gpt-4o-mini) is priced apart and in the total.
  ASSERT_NO_FATAL_FAILURE(expect_one_answer_usage(r.json.at("extraction").at("usage"), "gpt-4o-mini"));
  const auto& cost = r.json.at("cost");
  EXPECT_NEAR(cost.at("model_usd").as_double(), static_cast<double>(responses) * 0.00072, 1e-12);
  EXPECT_NEAR(cost.at("extraction_usd").as_double(), fake_answer_usd, 1e-15);
  EXPECT_NEAR(cost.at("twilio_voice_usd").as_double(), 0.0085, 1e-12);
  EXPECT_NEAR(cost.at("sms_usd").as_double(), 0.0, 1e-12);
  EXPECT_NEAR(cost.at("total_usd").as_double(), cost.at("model_usd").as_double() + fake_answer_usd + 0.0085, 1e-12);
  // The organisation's usage per day is made from the same row.
  const auto day = call_api(loop, port, "GET", "/api/v1/orgs/" + org_id + "/usage", {}, admin);
  ASSERT_EQ(day.status, 200) << day.body;
  ASSERT_EQ(day.json.at("data").as_array().size(), 1u) << day.body;
  EXPECT_EQ(day.json.at("data").at(0).at("calls"), 1);
  EXPECT_EQ(day.json.at("data").at(0).at("minutes"), 1);
  EXPECT_NEAR(day.json.at("data").at(0).at("extraction_usd").as_double(), fake_answer_usd, 1e-15);
  EXPECT_EQ(day.json.at("data").at(0).at("extraction_tokens"), 99);
  EXPECT_NEAR(day.json.at("data").at(0).at("total_usd").as_double(), cost.at("total_usd").as_double(), 1e-12);
  // The webhook went out from this node too, signed, with what the database holds.
  ASSERT_TRUE(wait_until([&] { return !hook.deliveries().empty(); }, 10s));
  const auto d = hook.deliveries().at(0);
  ASSERT_NO_FATAL_FAILURE(expect_signed(d.request, shared_secret, derived_secret()));
  const auto body = js::parse(d.request.body);
  EXPECT_EQ(body.at("call_sid").as_string(), sid);
  EXPECT_EQ(body.at("org_id").as_string(), org_id);
  EXPECT_EQ(body.at("data"), r.json.at("extraction").at("data"));
  EXPECT_EQ(d.seen, "\"done\"");  // readable from the database, on any node, when the webhook arrives
  // The other node serves the same call, extraction and cost.
  const auto there = call_api(loop, other_port, "GET", "/api/v1/calls/" + sid, {}, admin);
  ASSERT_EQ(there.status, 200) << there.body;
  EXPECT_EQ(there.json.at("extraction"), r.json.at("extraction"));
  EXPECT_EQ(there.json.at("cost"), r.json.at("cost"));
  EXPECT_EQ(there.json.at("usage"), r.json.at("usage"));

  // Leave the shared database as it was.
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/calls/" + sid, {}, admin).status, 204);
  EXPECT_EQ(call_api(loop, port, "DELETE", "/api/v1/orgs/" + org_id, {}, admin).status, 204);
}

}  // namespace
}  // namespace vg::e2e
