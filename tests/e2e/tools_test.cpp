// Tools end to end: the scripted fake model calls functions during a simulated call; voxgate
// validates, runs the bound actions against the store and the fake Twilio REST API, and
// answers the model. Rows, SMS bodies and call updates are checked where they land.
#include "app/tools/webhook_sender.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/e2e/webhook_receiver.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-tools-tests-0123456789";

// A receptionist open every day, with booking, reschedule, cancel, lookup (of the customers
// another tool registers), waitlist, SMS, owner notification, transfer and end-call tools.
constexpr const char* org_document = R"({
  "organization": {"id": "salon", "name": "Lumen Hair", "timezone": "America/Chicago",
    "owner": {"phone": "+15125550100"}, "fallback_number": "+15125550101", "numbers": ["+15125550199"]},
  "assistants": [{"name": "Ava", "hours": {"daily": "00:00-24:00"},
    "settings": {"booking": {"min_lead_minutes": 60}},
    "templates": {"booking_confirmed": "Hi {name}, you're booked for {service} on {date} at {time}. Ref {ref}.",
                  "booking_moved": "Hi {name}, your booking {ref} is now on {date} at {time}.",
                  "booking_cancelled": "Hi {name}, booking {ref} is cancelled.",
                  "waitlist_confirmed": "Thanks {full_name}, you're on the {org} waitlist."},
    "tools": [
      {"name": "book_service", "description": "Book.", "action": {"save": "bookings", "then_sms": "booking_confirmed"},
       "parameters": {"type": "object", "required": ["name", "phone", "service", "date", "time"], "additionalProperties": false,
         "properties": {"name": {"type": "string"}, "phone": {"type": "string", "format": "e164"}, "service": {"type": "string"},
                        "date": {"type": "string", "format": "date"}, "time": {"type": "string", "format": "time"}}}},
      {"name": "update_booking", "description": "Move.", "action": {"update": "bookings", "then_sms": "booking_moved"},
       "parameters": {"type": "object", "required": ["reference", "date", "time"],
         "properties": {"reference": {"type": "string"}, "date": {"type": "string", "format": "date"}, "time": {"type": "string"}}}},
      {"name": "cancel_booking", "description": "Cancel.", "action": {"cancel": "bookings", "then_sms": "booking_cancelled"},
       "parameters": {"type": "object", "properties": {"reference": {"type": "string"}}}},
      {"name": "save_waitlist_entry", "description": "Waitlist.", "action": {"save": "waitlist"},
       "parameters": {"type": "object", "required": ["full_name", "phone", "email", "role"],
         "properties": {"full_name": {"type": "string"}, "phone": {"type": "string", "format": "e164"},
                        "email": {"type": "string", "format": "email"}, "role": {"type": "string", "enum": ["client", "therapist"]}}}},
      {"name": "send_confirmation_sms", "description": "SMS.", "action": {"sms": "waitlist_confirmed"},
       "parameters": {"type": "object", "required": ["full_name"], "properties": {"full_name": {"type": "string"}}}},
      {"name": "lookup_customer", "description": "Find.", "action": {"lookup": "customers", "by": "customer_number", "fields": ["name", "address"]},
       "parameters": {"type": "object", "required": ["customer_number"], "properties": {"customer_number": {"type": "string"}}}},
      {"name": "register_customer", "description": "Register.", "action": {"save": "customers"},
       "parameters": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
      {"name": "notify_owner", "description": "Tell the owner.", "action": {"notify_owner": {"sms": true}},
       "parameters": {"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string"}}}},
      {"name": "open_ticket", "description": "Open a ticket in the CRM.", "action": {"webhook": "CRM_URL"},
       "parameters": {"type": "object", "properties": {}}},
      {"name": "transfer_call", "description": "Hand over.", "action": {"transfer": "fallback"}},
      {"name": "end_call", "description": "Hang up.", "action": {"end_call": true}}
    ]}]
})";

class tools_test : public bridge_test {
 protected:
  void SetUp() override {
    start_server([this](app::config& c) {
      c.api_token = admin;
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.tool_timeout = 1500ms;
      c.twilio_phone_number = "+15125550000";  // the seeds' TWILIO_PHONE_NUMBER, for SMS sent without an organisation
    });
    std::string doc = org_document;
    doc.replace(doc.find("CRM_URL"), 7, crm.url());
    // The document route replaces an existing organisation: create it first.
    ASSERT_EQ(call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":"salon","name":"Lumen Hair"})", admin).status, 201);
    const auto r = call_api(loop, port, "PUT", "/api/v1/orgs/salon/document", doc, admin);
    ASSERT_EQ(r.status, 200) << r.body;
    auto opts = caller_options();
    opts.to = "+15125550199";
    opts.from = "+15127770001";
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    ASSERT_EQ(caller->open_stream(), 101);
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));  // the greeting played
    twilio.add_live_call(caller->call_sid(), opts.from, opts.to);
  }

  std::vector<ports::record_row> records(const std::string& collection) {
    ports::record_filter f{"salon", collection, {}, {}, {}, {}, 100, 0};
    return server->store().query([f](ports::store& s) { return s.list_records(f); }).get();
  }

  // Twilio's StatusCallback POST (docs/protocols/twilio-webhooks.md#sms-status-callback), signed over PUBLIC_URL, sent
  // here directly because the fake cannot reach voxgate.example.com.
  int sms_status_callback(const std::string& sid, const std::string& status) {
    const twilio::form form{{"MessageSid", sid}, {"MessageStatus", status}, {"SmsSid", sid}, {"SmsStatus", status},
                            {"AccountSid", twilio.account_sid()}, {"ApiVersion", "2010-04-01"}};
    return post_twilio_form(loop, port, "/twilio/sms-status", form);
  }

  webhook_receiver crm{R"({"ticket":"T-7","status":"open"})"};  // the organisation's CRM
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::unique_ptr<fakes::simulated_caller> caller;
};

TEST_F(tools_test, the_session_offers_the_assistants_tools_to_the_model) {
  const auto update = model_events(0, "session.update").at(0);
  const auto& tools = update.at("session").at("tools").as_array();
  ASSERT_EQ(tools.size(), 11u);
  EXPECT_EQ(tools[0].at("type"), "function");
  EXPECT_EQ(tools[0].at("name"), "book_service");
  EXPECT_EQ(tools[0].at("parameters").at("required").as_array().size(), 5u);
  EXPECT_EQ(update.at("session").at("tool_choice"), "auto");
}

TEST_F(tools_test, the_receptionist_books_reschedules_and_cancels_with_an_sms_each_time) {
  auto out = call_tool("c1", "book_service",
                       R"({"name":"Ann Lee","phone":"+15127770001","service":"Haircut","date":"2030-03-14","time":"10:30"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  const std::string ref(out.at("reference").as_string());
  EXPECT_EQ(ref.size(), 6u);
  EXPECT_EQ(out.at("sms"), "sent to +15127770001");
  // The model is asked to speak after the output.
  // (The caller's audio keeps flowing, so count the response.create rather than look at the last event.)
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() >= 2; }));
  auto rows = records("bookings");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, ref);
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  EXPECT_EQ(js::parse(rows[0].data).at("service"), "Haircut");
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].body, "Hi Ann Lee, you're booked for Haircut on 2030-03-14 at 10:30. Ref " + ref + ".");
  EXPECT_EQ(twilio.messages()[0].from, "+15125550199");  // the organisation's number the call came in on
  EXPECT_EQ(twilio.messages()[0].status_callback, "https://voxgate.example.com/twilio/sms-status");

  out = call_tool("c2", "update_booking", R"({"reference":")" + ref + R"(","date":"2030-03-15","time":"16:00"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  rows = records("bookings");
  EXPECT_EQ(js::parse(rows[0].data).at("date"), "2030-03-15");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 2; }));
  EXPECT_EQ(twilio.messages()[1].body, "Hi Ann Lee, your booking " + ref + " is now on 2030-03-15 at 16:00.");

  out = call_tool("c3", "cancel_booking", "{}");  // no reference: the caller's latest booking
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_EQ(records("bookings")[0].status, "cancelled");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 3; }));
  EXPECT_EQ(twilio.messages()[2].body, "Hi Ann Lee, booking " + ref + " is cancelled.");

  // The SMS status callback lands on the message row.
  const std::string sid = twilio.messages()[0].sid;
  EXPECT_EQ(sms_status_callback(sid, "delivered"), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto m = server->store().query([sid](ports::store& s) { return s.find_message(sid); }).get();
    return m && m->status == "delivered";
  }));
  // The transcript shows the tool calls in place.
  const auto text = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/transcript?format=text", {}, admin);
  EXPECT_NE(text.body.find("tool: book_service({\"name\":\"Ann Lee\""), std::string::npos) << text.body;
  // Every tool call is stored with its outcome.
  const auto calls = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.tool_calls(sid); }).get();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].name, "book_service");
  EXPECT_EQ(calls[0].outcome, "ok");
  EXPECT_NE(calls[0].result.find(ref), std::string::npos);
}

TEST_F(tools_test, a_slot_outside_the_rules_is_refused_with_the_reason) {
  auto out = call_tool("p1", "book_service",
                       R"({"name":"Ann","phone":"+15127770001","service":"Cut","date":"2020-01-01","time":"10:00"})");
  EXPECT_NE(std::string(out.at("error").as_string()).find("in the past"), std::string::npos) << js::serialize(out);
  EXPECT_TRUE(records("bookings").empty());
  EXPECT_TRUE(twilio.messages().empty());
}

TEST_F(tools_test, the_waitlist_needs_every_field_before_it_saves_then_confirms_by_sms) {
  auto out = call_tool("w1", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"client"})");
  const std::string error(out.at("error").as_string());
  EXPECT_NE(error.find("email: is required"), std::string::npos) << error;
  EXPECT_NE(std::string(out.at("instruction").as_string()).find("Never guess"), std::string::npos);
  EXPECT_TRUE(records("waitlist").empty());
  out = call_tool("w2", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"client","email":"kim at mail"})");
  EXPECT_NE(std::string(out.at("error").as_string()).find("email: must be an email address"), std::string::npos);
  out = call_tool("w3", "save_waitlist_entry",
                  R"({"full_name":"Kim Ray","phone":"+15127770001","role":"client","email":"kim@mail.example"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  ASSERT_EQ(records("waitlist").size(), 1u);
  out = call_tool("w4", "send_confirmation_sms", R"({"full_name":"Kim Ray"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].body, "Thanks Kim Ray, you're on the Lumen Hair waitlist.");
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
}

TEST_F(tools_test, the_service_desk_looks_a_customer_up_and_only_shares_allowed_fields) {
  ports::record_row customer{"salon", "customers", "CU1", R"({"customer_number":"48213","name":"Dana","address":"1 Elm St","credit_card":"4111"})",
                             "active", "", "+15550000000", 1, 1};
  server->store().query([customer](ports::store& s) { s.add_record(customer); return true; }).get();
  auto out = call_tool("l1", "lookup_customer", R"({"customer_number":"48213"})");
  ASSERT_EQ(out.at("found"), true) << js::serialize(out);
  EXPECT_EQ(out.at("record").at("name"), "Dana");
  EXPECT_FALSE(out.at("record").as_object().contains("credit_card"));
  out = call_tool("l2", "lookup_customer", R"({"customer_number":"99999"})");
  EXPECT_EQ(out.at("found"), false);
}

TEST_F(tools_test, twilio_errors_and_timeouts_are_told_to_the_model_truthfully) {
  twilio.fail_next(1, 400, 21211, "The 'To' number is not a valid phone number.");
  auto out = call_tool("e1", "notify_owner", R"({"summary":"Caller wants a refund"})");
  EXPECT_NE(std::string(out.at("error").as_string()).find("Twilio 21211"), std::string::npos) << js::serialize(out);
  out = call_tool("e2", "notify_owner", R"({"summary":"Caller wants a refund"})");
  ASSERT_EQ(out.at("ok"), true);
  EXPECT_EQ(twilio.messages().back().to, "+15125550100");
  EXPECT_NE(twilio.messages().back().body.find("Caller wants a refund"), std::string::npos);

  twilio.delay_next(5s);  // beyond TOOL_TIMEOUT_MS
  out = call_tool("e3", "send_confirmation_sms", R"({"full_name":"Kim"})");
  EXPECT_NE(std::string(out.at("error").as_string()).find("did not answer in time"), std::string::npos) << js::serialize(out);
  // An unknown function and broken arguments are refused without running anything.
  out = call_tool("e4", "launch_rocket", "{}");
  EXPECT_NE(std::string(out.at("error").as_string()).find("no function named"), std::string::npos);
  out = call_tool("e5", "book_service", "{not json");
  EXPECT_NE(std::string(out.at("error").as_string()).find("not a JSON object"), std::string::npos);
}

TEST_F(tools_test, a_webhook_action_is_signed_retried_and_its_reply_is_the_result) {
  crm.fail_next(1, 503);
  auto out = call_tool("k1", "open_ticket", "{}");
  EXPECT_EQ(out.at("ticket"), "T-7") << js::serialize(out);
  const auto got = crm.received();
  ASSERT_EQ(got.size(), 2u);  // a 503, then the retry
  const auto& req = got[1];
  const auto body = js::parse(req.body);
  EXPECT_EQ(body.at("tool"), "open_ticket");
  EXPECT_EQ(body.at("call_sid").as_string(), caller->call_sid());
  EXPECT_EQ(body.at("caller"), "+15127770001");
  // The signature verifies with the shared secret over "t.body".
  const std::string sig(req.header("x-voxgate-signature"));
  const auto t = sig.substr(2, sig.find(',') - 2);
  app::config cfg = base_config();
  EXPECT_EQ(sig, app::webhook_signature(app::webhook_secret(cfg), std::stoll(t), req.body));
  EXPECT_NE(sig, app::webhook_signature("another secret", std::stoll(t), req.body));
}

TEST_F(tools_test, a_transfer_dials_the_fallback_after_the_assistant_has_said_so) {
  auto out = call_tool("t1", "transfer_call", "{}");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  // The fake model answers the response.create with speech; the caller plays it and echoes marks.
  ASSERT_TRUE(wait_until([&] { return twilio.call_updates().size() == 1; }, 5000ms));
  const auto update = twilio.call_updates()[0];
  EXPECT_EQ(update.call_sid, caller->call_sid());
  EXPECT_NE(update.twiml.find("<Dial>+15125550101</Dial>"), std::string::npos) << update.twiml;
  // Only after the reply was heard.
  EXPECT_GE(caller->marks_echoed(), 11u);
}

TEST_F(tools_test, a_failed_transfer_is_told_to_the_caller) {
  twilio.fail_next(1, 500, 20500, "Internal Server Error");
  auto out = call_tool("t2", "transfer_call", "{}");
  ASSERT_EQ(out.at("ok"), true);
  // After the "transferring you" reply played, the update fails: the assistant is asked to say so.
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : model_events(0, "response.create")) {
      if (js::serialize(e).find("transfer did not go through") != std::string::npos) return true;
    }
    return false;
  }, 5000ms));
  EXPECT_TRUE(twilio.call_updates().empty());
  const auto sid = caller->call_sid();
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : server->store().query([sid](ports::store& s) { return s.events(sid); }).get()) {
      if (e.kind == "transfer_failed") return true;
    }
    return false;
  }));
  EXPECT_EQ(server->active_calls(), 1u);  // the caller is still on the line
}

TEST_F(tools_test, end_call_hangs_up_through_twilio) {
  auto out = call_tool("h1", "end_call", "{}");
  ASSERT_EQ(out.at("ok"), true);
  ASSERT_TRUE(wait_until([&] { return twilio.call_updates().size() == 1; }, 5000ms));
  EXPECT_EQ(twilio.call_updates()[0].status, "completed");
  EXPECT_FALSE(twilio.call_live(caller->call_sid()));
}

TEST_F(tools_test, rest_sms_transfer_and_records_with_csv) {
  auto r = call_api(loop, port, "POST", "/assistant/send-sms/", R"({"to":"+15127770002","message":"Hello from the API"})", admin);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(twilio.messages().back().body, "Hello from the API");
  EXPECT_EQ(twilio.messages().back().from, "+15125550000");
  r = call_api(loop, port, "POST", "/api/v1/sms", R"({"to":"+15127770002","message":"From the salon","org_id":"salon"})", admin);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(twilio.messages().back().from, "+15125550199");
  EXPECT_EQ(r.json.at("sid"), js::value(twilio.messages().back().sid));
  EXPECT_EQ(r.json.at("status"), js::value(twilio.messages().back().status)) << "Twilio's word, not ours";
  EXPECT_EQ(call_api(loop, port, "POST", "/api/v1/sms", R"({"to":"12","message":"x"})", admin).json.at("error").at("field"), "to");
  EXPECT_EQ(call_api(loop, port, "POST", "/api/v1/sms", R"({"to":"+15127770002"})", "").status, 401);

  call_tool("r1", "book_service", R"({"name":"Ann, \"Jr\"","phone":"+15127770001","service":"Cut","date":"2030-03-14","time":"10:30"})");
  r = call_api(loop, port, "GET", "/api/v1/orgs/salon/records/bookings", {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.at("data").as_array().size(), 1u);
  const std::string ref(r.json.at("data").at(0).at("reference").as_string());
  r = call_api(loop, port, "PATCH", "/api/v1/orgs/salon/records/bookings/" + ref, R"({"status":"done","data":{"note":"paid"}})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("data").at("note"), "paid");
  r = call_api(loop, port, "GET", "/api/v1/orgs/salon/records/bookings?format=csv", {}, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(r.body.find("\"Ann, \"\"Jr\"\"\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"done\""), std::string::npos);

  r = call_api(loop, port, "POST", "/api/v1/calls/" + caller->call_sid() + "/transfer", "{}", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("transferred_to"), "+15125550101");
  EXPECT_NE(twilio.call_updates().back().twiml.find("<Dial>+15125550101</Dial>"), std::string::npos);
  r = call_api(loop, port, "POST", "/assistant/transfer-call/", R"({"organization_id":"salon","call_sid":"CAnope"})", admin);
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace vg::e2e
