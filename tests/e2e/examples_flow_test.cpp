// The five example organisations (examples/*.yaml) end to end, as a user would run them: the
// YAML file read from disk and converted with yaml_to_json, the organisation created and its
// document PUT through the REST API, a simulated call to its first number, and the example's
// main path driven by the fake model's function calls. Results are checked where they land:
// store rows, SMS bodies at the fake Twilio REST API, live-call updates (hang-ups).
#include <fstream>
#include <sstream>

#include "adapters/yaml_json.hpp"
#include "core/audio/dtmf.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

#ifndef VG_EXAMPLES_DIR
#error "VG_EXAMPLES_DIR must name the examples/ directory"
#endif

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-examples-tests-0123456789";
constexpr const char* caller_number = "+15127770001";

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string str(const js::value& v) { return v.is_string() ? std::string(v.get_string()) : js::serialize(v); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class examples_flow : public bridge_test {
 protected:
  // Reads examples/<file>, creates its organisation, PUTs the document, and places a call to
  // the organisation's first number whose greeting has played. Use with ASSERT_NO_FATAL_FAILURE.
  void load_and_call(const std::string& file, std::chrono::milliseconds tool_timeout = 3000ms) {
    start_server([&](app::config& c) {
      c.api_token = admin;
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.tool_timeout = tool_timeout;
      c.twilio_phone_number = "+15125550000";
    });
    const std::string yaml = read_text_file(std::string(VG_EXAMPLES_DIR) + "/" + file);
    ASSERT_FALSE(yaml.empty()) << "cannot read " << VG_EXAMPLES_DIR << "/" << file;
    auto converted = adapters::yaml_to_json(yaml);
    ASSERT_TRUE(converted) << file << ": " << converted.error_message();
    ASSERT_TRUE(converted->is_object()) << file;
    document = converted->as_object();
    // This file drives the examples over the Realtime bridge; one that runs in gather mode
    // (waitlist.yaml) is driven as it runs, by Gather turns, in gather_test.cpp.
    for (auto& a : document.at("assistants").as_array()) {
      if (auto* settings = a.as_object().if_contains("settings"); settings != nullptr && settings->is_object()) {
        settings->as_object()["mode"] = "realtime";
      }
    }
    const auto& org = document.at("organization").as_object();
    org_id = str(org.at("id"));
    org_name = str(org.at("name"));
    number = str(org.at("numbers").at(0));
    assistant = document.at("assistants").at(0).as_object();

    auto r = call_api(loop, port, "POST", "/api/v1/orgs", js::serialize(js::object{{"id", org_id}, {"name", org_name}}), admin);
    ASSERT_EQ(r.status, 201) << r.body;
    r = call_api(loop, port, "PUT", "/api/v1/orgs/" + org_id + "/document", js::serialize(document), admin);
    ASSERT_EQ(r.status, 200) << r.body;
    r = call_api(loop, port, "GET", "/api/v1/orgs/" + org_id + "/document", {}, admin);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json.at("assistants").at(0).at("tools").as_array().size(), assistant.at("tools").as_array().size()) << r.body;

    auto opts = caller_options();
    opts.to = number;
    opts.from = caller_number;
    caller = make_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    // A gated line (the demo line: press any key) answers with a <Gather> first.
    if (contains(caller->twiml(), "<Gather")) {
      EXPECT_EQ(model.connections(), 0u);  // no model session before the key
      ASSERT_EQ(caller->press("1"), 200);
    }
    ASSERT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
    EXPECT_EQ(value_of(caller->parameters(), "org"), org_id);
    EXPECT_EQ(value_of(caller->parameters(), "assistant"), str(assistant.at("id")));
    ASSERT_EQ(caller->open_stream(), 101);
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; })) << "the greeting did not play";
    twilio.add_live_call(caller->call_sid(), opts.from, opts.to);
    ASSERT_NO_FATAL_FAILURE(check_session());
  }

  // The session.update carries the assistant's tools (names, order, schemas as in the file) and
  // a prompt that names the organisation and the assistant.
  void check_session() {
    const auto updates = model_events(0, "session.update");
    ASSERT_FALSE(updates.empty());
    const auto& session = updates.at(0).at("session").as_object();
    const auto& sent = session.at("tools").as_array();
    const auto& declared = assistant.at("tools").as_array();
    ASSERT_EQ(sent.size(), declared.size()) << js::serialize(sent);
    for (std::size_t i = 0; i < sent.size(); ++i) {
      EXPECT_EQ(sent[i].at("type"), "function");
      EXPECT_EQ(sent[i].at("name"), declared[i].at("name"));
      EXPECT_EQ(sent[i].at("parameters"), declared[i].at("parameters")) << str(declared[i].at("name"));
    }
    const std::string instructions = str(session.at("instructions"));
    EXPECT_TRUE(contains(instructions, "Name: " + org_name + "\n")) << instructions;
    EXPECT_TRUE(contains(instructions, "You are " + str(assistant.at("name")) + ", the phone assistant of " + org_name))
        << instructions;
    EXPECT_TRUE(contains(instructions, "The caller's phone number is " + std::string(caller_number)));
  }

  std::vector<ports::record_row> records(const std::string& collection) {
    ports::record_filter f{org_id, collection, {}, {}, {}, {}, 100, 0};
    return server->store().query([f](ports::store& s) { return s.list_records(f); }).get();
  }

  // The stored tool calls of this call, once `count` have finished.
  std::vector<ports::tool_call_row> finished_tool_calls(std::size_t count) {
    std::vector<ports::tool_call_row> calls;
    wait_until([&] {
      calls = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.tool_calls(sid); }).get();
      std::size_t done = 0;
      for (const auto& c : calls) done += c.outcome.empty() ? 0 : 1;
      return done >= count;
    });
    return calls;
  }

  // end_call: ok for the model, then (only after the goodbye played) Status=completed at Twilio.
  void end_call_hangs_up_after_the_goodbye(const std::string& call_id) {
    const std::size_t responses_before = model.responses_started(0);
    const std::size_t media_before = caller->media_received();
    const auto out = call_tool(call_id, "end_call", "{}");
    ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
    EXPECT_TRUE(out.contains("instruction"));
    std::size_t media_at_hang_up = 0, marks_sent_at_hang_up = 0, marks_played_at_hang_up = 0;
    ASSERT_TRUE(wait_until([&] {
      if (twilio.call_updates().empty()) return false;
      marks_played_at_hang_up = caller->marks_echoed();
      marks_sent_at_hang_up = caller->marks_received();
      media_at_hang_up = caller->media_received();
      return true;
    }, 5000ms)) << "Twilio never saw the hang-up";
    const auto updates = twilio.call_updates();
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].call_sid, caller->call_sid());
    EXPECT_EQ(updates[0].status, "completed");
    EXPECT_TRUE(updates[0].twiml.empty()) << updates[0].twiml;
    EXPECT_FALSE(twilio.call_live(caller->call_sid()));
    // The goodbye was asked for, arrived (10 more 20 ms frames), and had played to the last
    // mark before the hang-up.
    EXPECT_GT(model.responses_started(0), responses_before);
    EXPECT_GE(media_at_hang_up, media_before + 10);
    EXPECT_EQ(marks_played_at_hang_up, marks_sent_at_hang_up);
    EXPECT_GE(marks_played_at_hang_up, media_at_hang_up);
  }

  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::unique_ptr<fakes::simulated_caller> caller;
  js::object document;
  js::object assistant;
  std::string org_id, org_name, number;
};

// -------------------------------------------------------------------------------------------

TEST_F(examples_flow, receptionist_books_moves_and_cancels_with_an_sms_each_time) {
  ASSERT_NO_FATAL_FAILURE(load_and_call("receptionist.yaml"));
  EXPECT_EQ(org_id, "1");
  EXPECT_EQ(number, "+15550100101");

  // Monday is closed (hours mon: closed): refused with the reason, nothing saved or sent.
  auto out = call_tool("r0", "book_service",
                       R"({"name":"Ann Lee","phone":"+15127770002","service":"Men's cut","date":"2030-03-11","time":"10:30"})");
  ASSERT_TRUE(out.contains("error")) << js::serialize(out);
  EXPECT_TRUE(contains(str(out.at("error")), "closed")) << js::serialize(out);
  EXPECT_TRUE(records("bookings").empty());
  EXPECT_TRUE(twilio.messages().empty());

  // Thursday 2030-03-14 10:30 (tue-fri 10:00-19:00), to a mobile other than the calling number.
  out = call_tool("r1", "book_service",
                  R"({"name":"Ann Lee","phone":"+15127770002","service":"Women's cut and style",)"
                  R"("add_ons":["Scalp massage"],"date":"2030-03-14","time":"10:30","notes":"First visit"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  const std::string ref = str(out.at("reference"));
  EXPECT_EQ(ref.size(), 6u);
  EXPECT_EQ(out.at("collection"), "bookings");
  EXPECT_EQ(out.at("sms"), "sent to +15127770002");
  auto rows = records("bookings");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, ref);
  EXPECT_EQ(rows[0].status, "active");
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  EXPECT_EQ(rows[0].caller, caller_number);
  auto data = js::parse(rows[0].data);
  EXPECT_EQ(data.at("service"), "Women's cut and style");
  EXPECT_EQ(data.at("add_ons").at(0), "Scalp massage");
  EXPECT_EQ(data.at("date"), "2030-03-14");
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, "+15127770002");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100101");
  EXPECT_EQ(twilio.messages()[0].body, "Hi Ann Lee, you're booked at Lumen Hair Studio for Women's cut and style on 2030-03-14 at "
                                       "10:30. Ref " + ref + ". Reply or call +15550100101 to change it.");

  // Moved to Saturday 09:30 (sat 09:00-17:00).
  out = call_tool("r2", "update_booking", R"({"ref":")" + ref + R"(","phone":"+15127770002","date":"2030-03-16","time":"09:30"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_EQ(js::parse(records("bookings").at(0).data).at("time"), "09:30");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 2; }));
  EXPECT_EQ(twilio.messages()[1].body,
            "Hi Ann Lee, your Lumen Hair Studio appointment (" + ref + ") is now on 2030-03-16 at 09:30. See you then!");

  out = call_tool("r3", "cancel_booking", R"({"ref":")" + ref + R"(","phone":"+15127770002","reason":"Out of town"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_EQ(out.at("status"), "cancelled");
  EXPECT_EQ(str(out.at("reference")), ref);
  EXPECT_EQ(out.at("sms"), "sent to +15127770002");
  rows = records("bookings");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "cancelled");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 3; }));
  EXPECT_EQ(twilio.messages()[2].to, "+15127770002");
  EXPECT_EQ(twilio.messages()[2].body, "Hi Ann Lee, your Lumen Hair Studio appointment (" + ref +
                                           ") has been cancelled. We hope to see you another time.");

  const auto calls = finished_tool_calls(4);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].outcome, "error");
  EXPECT_EQ(calls[1].outcome, "ok");
  EXPECT_EQ(calls[3].name, "cancel_booking");
  EXPECT_EQ(calls[3].outcome, "ok");
}

TEST_F(examples_flow, waitlist_refuses_a_missing_field_then_saves_and_texts_a_confirmation) {
  ASSERT_NO_FATAL_FAILURE(load_and_call("waitlist.yaml"));
  EXPECT_EQ(org_id, "masseurmatch");

  auto out = call_tool("w1", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})");
  ASSERT_TRUE(out.contains("error")) << js::serialize(out);
  const std::string error = str(out.at("error"));
  EXPECT_TRUE(contains(error, "email: is required")) << error;
  EXPECT_FALSE(contains(error, "full_name")) << error;
  EXPECT_FALSE(contains(error, "phone")) << error;
  EXPECT_TRUE(contains(str(out.at("instruction")), "Never guess"));
  EXPECT_FALSE(out.contains("ok"));
  EXPECT_TRUE(records("waitlist").empty());

  const std::string entry = R"({"full_name":"Kim Ray","phone":"+15127770001","email":"kim.ray@mail.example","role":"therapist"})";
  out = call_tool("w2", "save_waitlist_entry", entry);
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_FALSE(out.contains("sms"));  // no then_sms: the text is offered separately
  const auto rows = records("waitlist");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, str(out.at("reference")));
  EXPECT_EQ(js::parse(rows[0].data), js::parse(entry));
  EXPECT_TRUE(twilio.messages().empty());

  out = call_tool("w3", "send_confirmation_sms", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_EQ(out.at("sms"), "sent to +15127770001");
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100401");
  EXPECT_EQ(twilio.messages()[0].body,
            "Hi Kim Ray, you're on the MasseurMatch early-access waitlist as a therapist. We'll text you as soon as we "
            "launch. Reply STOP to opt out.");

  const auto calls = finished_tool_calls(3);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_EQ(calls[1].outcome, "ok");
  EXPECT_EQ(calls[2].outcome, "ok");

  // "Once the sign-up is complete, thank the caller, say goodbye and end the call."
  ASSERT_NO_FATAL_FAILURE(end_call_hangs_up_after_the_goodbye("w4"));
}

TEST_F(examples_flow, service_desk_finds_the_customer_and_creates_a_task_order) {
  ASSERT_NO_FATAL_FAILURE(load_and_call("service-desk.yaml"));
  EXPECT_EQ(number, "+15550100501");

  // The lookup tool reads collection "customers" by field "customer_number".
  const auto& action = assistant.at("tools").at(0).at("action");
  ASSERT_EQ(action.at("lookup"), "customers");
  ASSERT_EQ(action.at("by"), "customer_number");
  const std::string customer_data =
      R"({"customer_number":"C104233","name":"Acme Offices","contact_name":"Dana Cruz","address":"1600 Champa St, Denver"})";
  ports::record_row customer{org_id, "customers", "ACM3E2", customer_data, "active", "", "+15550000000", 1, 1};
  server->store().query([customer](ports::store& s) { s.add_record(customer); return true; }).get();

  auto out = call_tool("s1", "lookup_customer", R"({"customer_number":"C104233"})");
  ASSERT_EQ(out.at("found"), true) << js::serialize(out);
  // The action lists no `fields`, so every stored field may be told, plus the reference.
  js::object expected = js::parse(customer_data).as_object();
  expected["reference"] = "ACM3E2";
  EXPECT_EQ(out.at("record"), expected);

  out = call_tool("s2", "lookup_customer", R"({"customer_number":"C999999"})");
  EXPECT_EQ(out.at("found"), false) << js::serialize(out);
  out = call_tool("s3", "lookup_customer", R"({"customer_number":"104233"})");  // fails the pattern
  EXPECT_TRUE(contains(str(out.at("error")), "customer_number")) << js::serialize(out);

  out = call_tool("s4", "create_task_order",
                  R"({"customer":"C104233","service_type":"plumbing","description":"Water leaking from the kitchen ceiling",)"
                  R"("location":"1600 Champa St, floor 3, kitchen","urgency":"high","contact_name":"Dana Cruz",)"
                  R"("contact_phone":"+15127770001","preferred_date":"2030-03-14"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  const std::string ref = str(out.at("reference"));
  EXPECT_EQ(out.at("collection"), "task_orders");
  const auto rows = records("task_orders");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, ref);
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  const auto data = js::parse(rows[0].data);
  EXPECT_EQ(data.at("customer"), "C104233");
  EXPECT_EQ(data.at("service_type"), "plumbing");
  EXPECT_EQ(data.at("urgency"), "high");
  EXPECT_EQ(records("customers").size(), 1u);  // the lookup created nothing
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100501");
  EXPECT_EQ(twilio.messages()[0].body, "FieldServe: task order " + ref +
                                           " (plumbing, high) for 1600 Champa St, floor 3, kitchen is logged. We'll contact "
                                           "you to schedule the visit. Call +15550100501 with any updates.");
}

TEST_F(examples_flow, demo_line_places_an_order_then_hangs_up_after_the_goodbye) {
  ASSERT_NO_FATAL_FAILURE(load_and_call("demo-line.yaml"));
  EXPECT_EQ(org_id, "vox-demo");

  // 2 x (Margherita 14 + extra mozzarella 2.5) + Tiramisu 8 = 41.
  const std::string order =
      R"({"customer_name":"Marco","fulfilment":"pickup","order_items":[{"name":"Margherita pizza","quantity":2,)"
      R"("add_ons":["Extra mozzarella"]},{"name":"Tiramisu","quantity":1}],)"
      R"("summary":"2 Margherita pizzas with extra mozzarella, 1 Tiramisu","total":41})";
  auto out = call_tool("d1", "place_order", order);
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  const auto rows = records("orders");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, str(out.at("reference")));
  EXPECT_EQ(rows[0].caller, caller_number);
  EXPECT_EQ(js::parse(rows[0].data), js::parse(order));
  // No phone given: the confirmation goes to the number calling.
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, caller_number);
  EXPECT_EQ(twilio.messages()[0].from, "+15550100201");
  EXPECT_EQ(twilio.messages()[0].body,
            "Thanks Marco! Your Trattoria Vox demo order is in: 2 Margherita pizzas with extra mozzarella, 1 Tiramisu. "
            "Total 41. This was a Vox demo - nothing will be charged.");
  EXPECT_TRUE(twilio.call_updates().empty());

  ASSERT_NO_FATAL_FAILURE(end_call_hangs_up_after_the_goodbye("d2"));
}

TEST_F(examples_flow, demo_line_order_sms_writes_a_total_with_cents_as_money) {
  // (Once a bug: decimals were written as JSON, "Total 3.05E1.")
  ASSERT_NO_FATAL_FAILURE(load_and_call("demo-line.yaml"));
  // Margherita 14 + Diavola 16.5 = 30.5 ("total": {type: number}).
  auto out = call_tool("m1", "place_order",
                       R"({"customer_name":"Lea","fulfilment":"pickup","order_items":[{"name":"Margherita pizza","quantity":1},)"
                       R"({"name":"Diavola pizza","quantity":1}],"summary":"1 Margherita pizza, 1 Diavola pizza","total":30.5})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].body,
            "Thanks Lea! Your Trattoria Vox demo order is in: 1 Margherita pizza, 1 Diavola pizza. Total 30.5. "
            "This was a Vox demo - nothing will be charged.");
}

TEST_F(examples_flow, outbound_caller_presses_keys_and_is_told_the_truth_about_what_this_server_lacks) {
  // 1 s of tool time: report_outcome's webhook (https://holdfast.example, a reserved name that
  // never resolves) retries with 0.5 s + 1 s pauses, so it always runs out of time first.
  ASSERT_NO_FATAL_FAILURE(load_and_call("outbound-caller.yaml", 1000ms));
  EXPECT_EQ(org_id, "call-assistant");

  // Arguments are validated before anything runs.
  auto out = call_tool("o1", "press_digits", R"({"digits":"two"})");
  EXPECT_TRUE(contains(str(out.at("error")), "digits:")) << js::serialize(out);

  // press_digits plays the keys into the call (in-band DTMF) once the model's reply has played.
  out = call_tool("o2", "press_digits", R"({"digits":"2","reason":"billing menu"})");
  EXPECT_EQ(out.at("pressed"), "2") << js::serialize(out);
  const std::string tones = *audio::dtmf_audio("2");
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().find(tones) != std::string::npos; }));
  // conference_user is not implemented: the model hears so, the call goes on.
  out = call_tool("o3", "conference_user", R"({"summary":"The agent needs to verify the account holder.","agent_name":"Sam"})");
  EXPECT_EQ(out, (js::object{{"error", "The function 'conference_user' is not connected to an action this server knows."}}));
  // No dial-out, no conference: the only request is the recording the example asks for.
  for (const auto& r : twilio.requests()) EXPECT_NE(r.path.find("/Recordings.json"), std::string::npos) << r.path;
  EXPECT_EQ(server->active_calls(), 1u);
  // (The caller's audio keeps flowing, so count the response.create rather than look at the last event.)
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() >= 3; }));

  out = call_tool("o4", "report_outcome",
                  R"({"status":"resolved","summary":"The duplicate charge will be refunded.","reference_number":"RF-20931",)"
                  R"("agent_name":"Sam","refund_amount":12.5})",
                  8000ms);
  ASSERT_TRUE(out.contains("error")) << js::serialize(out);
  EXPECT_FALSE(out.contains("ok"));
  EXPECT_EQ(str(out.at("error")), "The action 'report_outcome' did not answer in time and may not have happened. "
                                  "Tell the caller, and offer to take a message instead.");
  EXPECT_EQ(server->active_calls(), 1u);

  const auto calls = finished_tool_calls(4);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_EQ(calls[1].outcome, "ok");  // press_digits
  EXPECT_EQ(calls[2].outcome, "error");
  EXPECT_EQ(calls[3].name, "report_outcome");
  EXPECT_EQ(calls[3].outcome, "timeout");

  ASSERT_NO_FATAL_FAILURE(end_call_hangs_up_after_the_goodbye("o5"));
}

}  // namespace
}  // namespace vg::e2e
