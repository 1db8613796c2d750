// The REST API over real HTTP against a running server: auth, organisations, assistants,
// numbers, prompts, tokens, and a simulated call read back through it.
#include <map>

#include "tests/e2e/api_client.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;

constexpr const char* admin_token = "admin-token-for-tests-0123456789";

class api_test : public bridge_test {
 protected:
  void start() {
    start_server([](app::config& c) { c.api_token = admin_token; });
  }

  api_reply call_api(const std::string& method, const std::string& path, const std::string& body = {},
                     const std::string& token = admin_token) {
    return e2e::call_api(loop, port, method, path, body, token);
  }

  static std::string dental_org() {
    return R"({"id":"bright-smile","name":"Bright Smile Dental","timezone":"America/Chicago",
               "owner":{"phone":"+15125550100","email":"owner@brightsmile.example"},
               "fallback_number":"+15125550101","numbers":["+15125550199"]})";
  }
  static std::string ava() {
    return R"({"name":"Ava","voice":"cedar","greeting":"Thanks for calling Bright Smile Dental, this is Ava.",
               "hours":{"mon-fri":"08:00-17:00"},"services":[{"name":"Cleaning","minutes":45,"price":120}]})";
  }
};

TEST_F(api_test, every_route_needs_a_valid_bearer_token) {
  start();
  auto r = call_api("GET", "/api/v1/orgs", {}, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  EXPECT_EQ(r.json.at("error").at("code"), "unauthorized");
  EXPECT_EQ(call_api("GET", "/api/v1/calls", {}, "not-a-token").status, 401);
  EXPECT_EQ(call_api("GET", "/assistant/get-prompt/?org_id=demo", {}, "").status, 401);
  EXPECT_EQ(call_api("GET", "/api/v1/orgs").status, 200);
}

TEST_F(api_test, a_fresh_server_has_the_demo_organisation_and_answers_with_it) {
  start();
  auto r = call_api("GET", "/api/v1/orgs");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  EXPECT_EQ(r.json.at("data").at(0).at("id"), "demo");
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return !model_events(0, "session.update").empty(); }));
  const auto update = model_events(0, "session.update").at(0);
  EXPECT_NE(std::string(update.at("session").at("instructions").as_string()).find("voxgate demo"), std::string::npos);
}

TEST_F(api_test, organisations_assistants_and_numbers_are_managed_with_clear_errors) {
  start();
  auto r = call_api("POST", "/api/v1/orgs", dental_org());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("numbers").at(0), "+15125550199");
  EXPECT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 409);
  // A bad field is named; nothing is written.
  r = call_api("POST", "/api/v1/orgs", R"({"id":"x","name":"X","owner":{"phone":"12345"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "owner.phone");
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/x").status, 404);
  r = call_api("POST", "/api/v1/orgs", R"({"id":"x","name":"X","timezone":"Mars/Olympus"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "timezone");
  EXPECT_EQ(call_api("POST", "/api/v1/orgs", "{not json").json.at("error").at("code"), "invalid_json");
  // A number belongs to one organisation.
  r = call_api("POST", "/api/v1/orgs", R"({"id":"other","name":"Other","numbers":["+15125550199"]})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/other").status, 404);

  r = call_api("POST", "/api/v1/orgs/bright-smile/assistants", ava());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("id"), "ava");
  EXPECT_EQ(call_api("POST", "/api/v1/orgs/bright-smile/assistants", ava()).status, 409);
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/ava", R"({"name":"Ava","hours":{"mon":"9-5"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "hours");
  r = call_api("GET", "/api/v1/orgs/bright-smile/assistants");
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  EXPECT_EQ(r.json.at("data").at(0).at("voice"), "cedar");  // the failed PUT changed nothing

  r = call_api("POST", "/api/v1/orgs/bright-smile/numbers", R"({"number":"+15125550198"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(call_api("POST", "/api/v1/orgs/bright-smile/numbers", R"({"number":"555"})").status, 400);
  r = call_api("GET", "/api/v1/orgs/bright-smile/numbers");
  EXPECT_EQ(r.json.at("data").as_array().size(), 2u);
  EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/bright-smile/numbers/%2B15125550198").status, 204);
  EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/bright-smile/numbers/%2B15125550198").status, 404);

  // PUT replaces the organisation but keeps the numbers when the body leaves them out.
  r = call_api("PUT", "/api/v1/orgs/bright-smile", R"({"name":"Bright Smile Dental & Ortho","timezone":"America/Chicago"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("numbers").at(0), "+15125550199");
  EXPECT_EQ(call_api("PUT", "/api/v1/orgs/bright-smile", R"({"id":"nope","name":"N"})").status, 400);
  EXPECT_EQ(call_api("PATCH", "/api/v1/orgs/bright-smile", "{}").status, 405);

  r = call_api("GET", "/api/v1/orgs/bright-smile/prompt");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("You are Ava, the phone assistant of Bright Smile Dental & Ortho."), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Cleaning (45 minutes, 120 USD)"), std::string::npos);
  EXPECT_NE(r.body.find("(America/Chicago, UTC-0"), std::string::npos);
  EXPECT_EQ(call_api("GET", "/assistant/get-prompt/?org_id=bright-smile").body, r.body);

  // The whole document round-trips.
  r = call_api("GET", "/api/v1/orgs/bright-smile/document");
  ASSERT_EQ(r.status, 200);
  auto again = call_api("PUT", "/api/v1/orgs/bright-smile/document", r.body);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(js::serialize(again.json), js::serialize(r.json));

  EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/bright-smile/assistants/ava").status, 204);
  EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/bright-smile").status, 204);
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile").status, 404);
}

// Actions and settings are checked when they are written, not when a call uses them, and a
// valid assistant reads back exactly as it was written.
TEST_F(api_test, a_typo_in_an_action_or_a_setting_is_refused_when_written) {
  start();
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  const std::string written = R"({"id":"ava","name":"Ava","templates":{"booking_confirmed":"Ref {ref}."},
      "tools":[{"name":"book","parameters":{"type":"object","properties":{}},"action":{"save":"bookings","then_sms":"booking_confirmed"}},
               {"name":"tell_owner","parameters":{"type":"object","properties":{}},"action":{"notify_owner":true}},
               {"name":"bye","parameters":{"type":"object","properties":{}},"action":{"end_call":true}}],
      "settings":{"mode":"realtime","gate":{"press_any_key":true},"max_call_seconds":60,"recording":{"own":true},
                  "booking":{"min_lead_minutes":30}}})";
  auto r = call_api("POST", "/api/v1/orgs/bright-smile/assistants", written);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json, js::parse(written));
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile/assistants/ava").json, js::parse(written));

  std::string typo = written;
  typo.replace(typo.find("\"then_sms\""), 10, "\"then_smss\"");
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/ava", typo);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "tools[0].action.then_smss") << r.body;
  typo = written;
  typo.replace(typo.find("\"own\""), 5, "\"ownn\"");
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/ava", typo);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("message"), "settings.recording.ownn: is not a known field") << r.body;
  typo = written;
  typo.replace(typo.find("\"booking_confirmed\"}}"), 19, "\"booking_confirmd\"");
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/ava", typo);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "tools[0].action.then_sms") << r.body;
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile/assistants/ava").json, js::parse(written));  // unchanged
}

// What one part of an organisation names in another (core/agent/document_checks.hpp) is checked
// on every write; a write is refused only for what it adds, so a document stored with a problem
// by an earlier version can still be changed and corrected (docs/decisions/0005).
TEST_F(api_test, what_a_document_names_is_checked_on_every_write) {
  start();
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  const std::string ava_tools = R"({"id":"ava","name":"Ava","templates":{"booked":"Ref {ref}."},
      "tools":[{"name":"human","action":{"transfer":"fallback"}},
               {"name":"book","action":{"save":"bookings","then_sms":"booked"}}],
      "settings":{"gate":{"press_any_key":true},"fallback":"transfer"}})";
  auto r = call_api("POST", "/api/v1/orgs/bright-smile/assistants", ava_tools);
  ASSERT_EQ(r.status, 201) << r.body;

  // The whole document: every problem, with its path in the document.
  r = call_api("GET", "/api/v1/orgs/bright-smile/document");
  ASSERT_EQ(r.status, 200);
  js::value doc = r.json;
  doc.at("organization").as_object().erase("fallback_number");
  r = call_api("PUT", "/api/v1/orgs/bright-smile/document", js::serialize(doc));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("message"),
            "assistants[0].tools[0].action.transfer: is fallback, but the organisation has no fallback_number; "
            "assistants[0].settings.fallback: is transfer, but the organisation has no fallback_number")
      << r.body;
  EXPECT_EQ(r.json.at("error").at("field"), "assistants[0].tools[0].action.transfer");

  // The organisation alone: its assistants still need its fallback number.
  r = call_api("PUT", "/api/v1/orgs/bright-smile", R"({"name":"Bright Smile Dental","timezone":"America/Chicago"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "assistants[0].tools[0].action.transfer") << r.body;
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile").json.at("fallback_number"), "+15125550101");  // unchanged
  // A number: the fallback number cannot become one of the organisation's own.
  r = call_api("POST", "/api/v1/orgs/bright-smile/numbers", R"({"number":"+15125550101"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "organization.fallback_number") << r.body;

  // One assistant: paths in the body; collections are the organisation's.
  r = call_api("POST", "/api/v1/orgs/bright-smile/assistants",
               R"({"id":"desk","name":"Desk","tools":[{"name":"find","action":{"lookup":"booking"}}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("message"),
            "tools[0].action.lookup: no tool of the organisation saves to 'booking', so there would never be a record to "
            "find (saved: bookings)")
      << r.body;
  r = call_api("POST", "/api/v1/orgs/bright-smile/assistants",
               R"({"id":"desk","name":"Desk","tools":[{"name":"find","action":{"lookup":"bookings"}}]})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/desk",
               R"({"name":"Desk","settings":{"gate":{"press_any_key":true,"digits":"1"}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json.at("error").at("field"), "settings.gate") << r.body;
  // Deleting the assistant another relies on is a conflict, naming the other's path.
  r = call_api("DELETE", "/api/v1/orgs/bright-smile/assistants/ava");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.json.at("error").at("message").as_string().find("assistants[0].tools[0].action.lookup: no tool of the "
                                                              "organisation saves to 'bookings'"),
            js::string::npos)
      << r.body;

  // A document stored with a problem (as by an earlier version) may still change elsewhere.
  const ports::assistant_record legacy{"bright-smile", "ava",
                                       R"({"id":"ava","name":"Ava","templates":{"booked":"Ref {ref}."},
      "tools":[{"name":"book","action":{"save":"bookings","then_sms":"booked"}}],
      "settings":{"gate":{"press_any_key":true,"digits":"1"}}})"};
  server->store().query([legacy](ports::store& s) { s.save_assistant(legacy); return true; }).get();
  r = call_api("PUT", "/api/v1/orgs/bright-smile", R"({"name":"Bright Smile Dental & Ortho","timezone":"America/Chicago"})");
  EXPECT_EQ(r.status, 200) << r.body;
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/desk", R"({"name":"Front Desk","tools":[{"name":"find","action":{"lookup":"bookings"}}]})");
  EXPECT_EQ(r.status, 200) << r.body;
  r = call_api("PUT", "/api/v1/orgs/bright-smile/assistants/ava", R"({"name":"Ava","templates":{"booked":"Ref {ref}."},
      "tools":[{"name":"book","action":{"save":"bookings","then_sms":"booked"}}],"settings":{"gate":{"digits":"1"}}})");
  EXPECT_EQ(r.status, 200) << r.body;  // corrected
}

TEST_F(api_test, an_organisation_token_sees_only_its_own_organisation) {
  start();
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  auto r = call_api("POST", "/api/v1/tokens", R"({"name":"front desk","org_id":"bright-smile"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string token(r.json.at("token").as_string());
  EXPECT_TRUE(token.starts_with("vg_"));
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile", {}, token).status, 200);
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/demo", {}, token).status, 403);
  EXPECT_EQ(call_api("GET", "/api/v1/calls?org=demo", {}, token).status, 403);
  r = call_api("GET", "/api/v1/orgs", {}, token);
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  EXPECT_EQ(call_api("POST", "/api/v1/orgs", R"({"name":"Mine"})", token).status, 403);
  EXPECT_EQ(call_api("DELETE", "/api/v1/orgs/bright-smile", {}, token).status, 403);
  EXPECT_EQ(call_api("GET", "/api/v1/tokens", {}, token).status, 403);
  // The stored token list never shows a secret; revoking works at once.
  r = call_api("GET", "/api/v1/tokens");
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  EXPECT_EQ(r.body.find(token.substr(20)), std::string::npos);
  const std::string id(r.json.at("data").at(0).at("id").as_string());
  EXPECT_EQ(call_api("DELETE", "/api/v1/tokens/" + id).status, 204);
  EXPECT_EQ(call_api("GET", "/api/v1/orgs/bright-smile", {}, token).status, 401);
}

TEST_F(api_test, a_call_to_an_organisations_number_is_read_back_with_status_and_transcript) {
  start();
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", dental_org()).status, 201);
  ASSERT_EQ(call_api("POST", "/api/v1/orgs/bright-smile/assistants", ava()).status, 201);
  auto token = call_api("POST", "/api/v1/tokens", R"({"org_id":"bright-smile"})").json.at("token").as_string();
  const std::string org_token(token);

  auto opts = caller_options();
  opts.to = "+15125550199";
  auto caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(value_of(caller->parameters(), "org"), "bright-smile");
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
  const auto update = model_events(0, "session.update").at(0);
  EXPECT_NE(std::string(update.at("session").at("instructions").as_string()).find("You are Ava, the phone assistant of Bright Smile Dental."),
            std::string::npos);
  EXPECT_EQ(update.at("session").at("audio").at("output").at("voice"), "cedar");
  const auto greet = model_events(0, "conversation.item.create").at(0);
  EXPECT_NE(js::serialize(greet).find("Thanks for calling Bright Smile Dental, this is Ava."), std::string::npos);

  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Can I book a cleaning?"})");
  ASSERT_EQ(caller->send_status("in-progress", 1, 0), 204);
  const std::string sid = caller->call_sid();
  // Active while it runs.
  ASSERT_TRUE(wait_until([&] { return call_api("GET", "/api/v1/calls/active", {}, org_token).json.at("data").as_array().size() == 1; }));
  ASSERT_TRUE(wait_until([&] {
    return call_api("GET", "/api/v1/calls/" + sid + "/transcript", {}, org_token).json.at("data").as_array().size() >= 2;
  }));
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  ASSERT_EQ(caller->send_status("completed", 3, 42), 204);
  ASSERT_TRUE(wait_until([&] { return call_api("GET", "/api/v1/calls/" + sid, {}, org_token).json.at("status") == "completed"; }));

  auto r = call_api("GET", "/api/v1/calls/" + sid, {}, org_token);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json.at("org_id"), "bright-smile");
  EXPECT_EQ(r.json.at("assistant_id"), "ava");
  EXPECT_EQ(r.json.at("to"), "+15125550199");
  EXPECT_EQ(r.json.at("duration_s"), 42);
  EXPECT_EQ(r.json.at("end_reason"), "stream_stopped");
  EXPECT_TRUE(r.json.at("ended_at").is_string());
  EXPECT_TRUE(r.json.at("answered_at").is_string());  // from the in-progress status callback
  const auto& turns = r.json.at("transcript").as_array();
  ASSERT_GE(turns.size(), 2u);
  EXPECT_EQ(turns[0].at("speaker"), "assistant");
  EXPECT_EQ(turns[1].at("text"), "Can I book a cleaning?");
  // Cost: the fake model reports 100 text tokens in and 20 out per response (gpt-realtime: $4 and
  // $16 per 1M), and 42 s of an inbound call is one started Twilio minute ($0.0085).
  const auto responses = r.json.at("usage").at("responses").as_int64();
  ASSERT_GE(responses, 1);
  EXPECT_EQ(r.json.at("usage").at("model"), "gpt-realtime");
  EXPECT_NEAR(r.json.at("cost").at("model_usd").as_double(), static_cast<double>(responses) * 0.00072, 1e-12);
  EXPECT_NEAR(r.json.at("cost").at("twilio_voice_usd").as_double(), 0.0085, 1e-12);
  auto day = call_api("GET", "/api/v1/orgs/bright-smile/usage", {}, org_token);
  ASSERT_EQ(day.status, 200) << day.body;
  ASSERT_EQ(day.json.at("data").as_array().size(), 1u);
  EXPECT_EQ(day.json.at("data").at(0).at("calls"), 1);
  EXPECT_EQ(day.json.at("data").at(0).at("minutes"), 1);
  EXPECT_NEAR(day.json.at("data").at(0).at("total_usd").as_double(), r.json.at("cost").at("total_usd").as_double(), 1e-12);
  r = call_api("GET", "/api/v1/calls/" + sid + "/transcript?format=text", {}, org_token);
  EXPECT_NE(r.body.find("caller: Can I book a cleaning?"), std::string::npos) << r.body;
  EXPECT_EQ(call_api("GET", "/api/v1/calls/active", {}, org_token).json.at("data").as_array().size(), 0u);

  // Listing: filters and a page cursor.
  r = call_api("GET", "/api/v1/calls?org=bright-smile&limit=1", {}, org_token);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  EXPECT_TRUE(r.json.at("next_cursor").is_string());
  const std::string cursor(r.json.at("next_cursor").as_string());
  r = call_api("GET", "/api/v1/calls?limit=1&cursor=" + cursor, {}, org_token);
  EXPECT_EQ(r.json.at("data").as_array().size(), 0u);
  EXPECT_EQ(call_api("GET", "/api/v1/calls?limit=0").json.at("error").at("field"), "limit");
  EXPECT_EQ(call_api("GET", "/api/v1/calls?since=yesterday").json.at("error").at("field"), "since");
  EXPECT_EQ(call_api("GET", "/api/v1/calls?status=completed&number=%2B15125550199").json.at("data").as_array().size(), 1u);
  // Another organisation's token may not read it.
  ASSERT_EQ(call_api("POST", "/api/v1/orgs", R"({"id":"other","name":"Other"})").status, 201);
  const std::string other(call_api("POST", "/api/v1/tokens", R"({"org_id":"other"})").json.at("token").as_string());
  EXPECT_EQ(call_api("GET", "/api/v1/calls/" + sid, {}, other).status, 403);
  EXPECT_EQ(call_api("GET", "/api/v1/calls/CAnope").status, 404);
}

TEST_F(api_test, a_webhook_naming_an_unknown_organisation_hears_an_apology) {
  start();
  auto opts = caller_options();
  opts.voice_path = "/assistant/incoming-call/?org_id=42";
  auto caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_NE(caller->twiml().find("<Say>Sorry, this line is not set up yet. Goodbye.</Say>"), std::string::npos) << caller->twiml();
  EXPECT_EQ(caller->twiml().find("<Stream"), std::string::npos);
}

}  // namespace
}  // namespace vg::e2e
