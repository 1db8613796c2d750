// Gather mode (settings.mode: gather) end to end over real sockets: the example organisations
// (examples/waitlist.yaml, examples/service-desk.yaml, both shipped in gather mode) loaded through the
// REST API, a simulated caller answering each <Gather> as Twilio does (signed SpeechResult or
// Digits to the action, the <Redirect> when silent), the fake Chat Completions server scripted
// with words and function calls (and recording every request, so what the model was told is
// checked), and the fake Twilio REST API for SMS. Results are checked where they land: the
// TwiML the caller heard, the requests the model got, store rows, the REST API, SMS bodies.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>

#include "adapters/yaml_json.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_chat_server.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

#ifndef VG_EXAMPLES_DIR
#error "VG_EXAMPLES_DIR must name the examples/ directory"
#endif

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-gather-tests-0123456789";
constexpr const char* caller_number = "+15127770001";
constexpr const char* waitlist_greeting =
    "Hi, this is Knotty from MasseurMatch! I can put you on our early-access waitlist in about a minute. May I have "
    "your full name?";

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class gather_test : public bridge_test {
 protected:
  app::config gather_config() const {
    app::config c = base_config();
    c.openai_api_key = chat.api_key();
    c.openai_api_url = chat.url();
    c.api_token = admin;
    c.twilio_account_sid = twilio.account_sid();
    c.twilio_api_url = twilio.url();
    c.twilio_phone_number = "+15125550000";
    c.say_voice = "Polly.Joanna";
    c.tool_timeout = 3000ms;
    return c;
  }

  // Reads examples/<file> into `document` (the caller may change it before load()).
  void read_example(const std::string& file) {
    const std::string yaml = read_text_file(std::string(VG_EXAMPLES_DIR) + "/" + file);
    ASSERT_FALSE(yaml.empty()) << file;
    auto converted = adapters::yaml_to_json(yaml);
    ASSERT_TRUE(converted) << file << ": " << converted.error_message();
    document = converted->as_object();
    org_id = std::string(document.at("organization").at("id").as_string());
    number = std::string(document.at("organization").at("numbers").at(0).as_string());
  }
  js::object& settings() { return document.at("assistants").at(0).as_object().at("settings").as_object(); }

  // Starts a node (unless one runs) and puts `document` in through the REST API.
  void load(std::uint16_t on_port = 0) {
    if (!server) {
      server = std::make_unique<app::server>(gather_config());
      port = server->start();
    }
    const std::uint16_t p = on_port != 0 ? on_port : port;
    auto r = call_api(loop, p, "POST", "/api/v1/orgs",
                      js::serialize(js::object{{"id", org_id}, {"name", document.at("organization").at("name")}}), admin);
    ASSERT_TRUE(r.status == 201 || r.status == 409) << r.body;
    r = call_api(loop, p, "PUT", "/api/v1/orgs/" + org_id + "/document", js::serialize(document), admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // A call to the organisation's first number, answered with its first turn.
  void call(std::uint16_t on_port = 0) {
    auto o = caller_options();
    if (on_port != 0) o.server_port = on_port;
    o.to = number;
    o.from = caller_number;
    caller = make_caller(o);
    ASSERT_EQ(caller->place_call(), 200) << caller->twiml();
    ASSERT_TRUE(contains(caller->twiml(), "<Gather ")) << caller->twiml();
    ASSERT_FALSE(contains(caller->twiml(), "<Connect")) << "no media stream in gather mode";
  }

  // The fake model's requests, parsed.
  std::vector<js::object> chat_requests() const {
    std::vector<js::object> out;
    for (const auto& r : chat.requests()) out.push_back(js::parse(r.body).as_object());
    return out;
  }
  // The messages of request `i` with role `role`.
  static std::vector<js::object> messages_of(const js::object& request, const std::string& role) {
    std::vector<js::object> out;
    for (const auto& m : request.at("messages").as_array()) {
      if (m.at("role").as_string() == role) out.push_back(m.as_object());
    }
    return out;
  }

  std::vector<ports::record_row> records(const std::string& collection) {
    ports::record_filter f{org_id, collection, {}, {}, {}, {}, 100, 0};
    return server->store().query([f](ports::store& s) { return s.list_records(f); }).get();
  }
  std::optional<ports::call_row> call_row() {
    return server->store().query([sid = caller->call_sid()](ports::store& s) { return s.find_call(sid); }).get();
  }
  bool listed_active(std::uint16_t on_port = 0) {
    auto r = call_api(loop, on_port != 0 ? on_port : port, "GET", "/api/v1/calls/active", {}, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& c : r.json.at("data").as_array()) {
      if (c.at("sid").as_string() == caller->call_sid()) return true;
    }
    return false;
  }

  fakes::fake_chat_server chat;
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::unique_ptr<fakes::simulated_caller> caller;
  js::object document;
  std::string org_id, number;
};

// -------------------------------------------------------------------------------------------

TEST_F(gather_test, the_waitlist_refuses_a_missing_field_saves_the_entry_texts_and_says_goodbye) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_EQ(settings().at("mode"), "gather");
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());

  // The first turn: the greeting, spoken in SAY_VOICE (the example names no gather voice),
  // inside a <Gather> listening for speech and keys in the assistant's language.
  EXPECT_EQ(caller->said(), std::vector<std::string>{waitlist_greeting});
  EXPECT_TRUE(contains(caller->twiml(), "<Say voice=\"Polly.Joanna\">")) << caller->twiml();
  EXPECT_EQ(caller->gather_attribute("input"), "speech dtmf");
  EXPECT_EQ(caller->gather_attribute("speechTimeout"), "auto");
  EXPECT_EQ(caller->gather_attribute("language"), "en-US");
  EXPECT_EQ(caller->gather_action(), std::string(public_url) + "/twilio/gather?org=masseurmatch&assistant=knotty");
  EXPECT_EQ(model.connections(), 0u) << "no Realtime session for a gather call";
  EXPECT_TRUE(chat.requests().empty()) << "the greeting needs no model";
  ASSERT_TRUE(wait_until([&] { return listed_active(); })) << "a gather call is an active call";

  // Turn 1: the model saves with the email missing; the schema check answers it, and it asks.
  chat.call_tools({{"call_w1", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})"}});
  chat.say("Thanks Kim. What's your email address?");
  ASSERT_EQ(caller->speak("I'm Kim Ray, a therapist, and my number is 512 777 0001."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks Kim. What's your email address?");
  EXPECT_FALSE(caller->twiml_hangs_up());
  auto requests = chat_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].at("model"), "gpt-4o-mini") << "OPENAI_CHAT_MODEL's default";
  const std::string instructions(messages_of(requests[0], "system").at(0).at("content").as_string());
  EXPECT_TRUE(contains(instructions, "You are Knotty, the phone assistant of MasseurMatch")) << instructions;
  EXPECT_TRUE(contains(instructions, "The caller's phone number is +15127770001.")) << instructions;
  const auto& tools = requests[0].at("tools").as_array();
  ASSERT_EQ(tools.size(), 3u);
  EXPECT_EQ(tools[0].at("type"), "function");
  EXPECT_EQ(tools[0].at("function").at("name"), "save_waitlist_entry");
  EXPECT_EQ(tools[0].at("function").at("parameters"),
            document.at("assistants").at(0).at("tools").at(0).at("parameters"));
  // The conversation so far: the greeting (said by the voice webhook), then the caller.
  const auto& first = requests[0].at("messages").as_array();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[1], (js::object{{"role", "assistant"}, {"content", waitlist_greeting}}));
  EXPECT_EQ(first[2], (js::object{{"role", "user"}, {"content", "I'm Kim Ray, a therapist, and my number is 512 777 0001."}}));
  // The schema's refusal went back to the model in the next request, answering its call.
  const auto answers = messages_of(requests[1], "tool");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].at("tool_call_id"), "call_w1");
  const auto refusal = js::parse(answers[0].at("content").as_string());
  EXPECT_TRUE(contains(std::string(refusal.at("error").as_string()), "email: is required")) << refusal;
  EXPECT_TRUE(contains(std::string(refusal.at("instruction").as_string()), "Never guess")) << refusal;
  EXPECT_TRUE(records("waitlist").empty());

  // Turn 2: all four fields: saved.
  const std::string entry = R"({"full_name":"Kim Ray","phone":"+15127770001","email":"kim.ray@mail.example","role":"therapist"})";
  chat.call_tools({{"call_w2", "save_waitlist_entry", entry}});
  chat.say("You're on the waitlist! Would you like a confirmation text?");
  ASSERT_EQ(caller->speak("kim dot ray at mail dot example"), 200);
  EXPECT_EQ(caller->said().back(), "You're on the waitlist! Would you like a confirmation text?");
  const auto rows = records("waitlist");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(js::parse(rows[0].data), js::parse(entry));
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  EXPECT_EQ(rows[0].caller, caller_number);
  requests = chat_requests();
  ASSERT_EQ(requests.size(), 4u);
  const auto saved = js::parse(messages_of(requests[3], "tool").back().at("content").as_string());
  EXPECT_EQ(saved.at("ok"), true) << saved;
  EXPECT_EQ(saved.at("reference").as_string(), rows[0].ref);
  EXPECT_TRUE(twilio.messages().empty());

  // Turn 3: yes to the text.
  chat.call_tools({{"call_w3", "send_confirmation_sms", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})"}});
  chat.say("Done, it's on its way. Anything else?");
  ASSERT_EQ(caller->speak("Yes please."), 200);
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100401");
  EXPECT_EQ(twilio.messages()[0].body,
            "Hi Kim Ray, you're on the MasseurMatch early-access waitlist as a therapist. We'll text you as soon as we "
            "launch. Reply STOP to opt out.");

  // Turn 4: end_call's follow-up is TwiML after the goodbye, and the call is over.
  chat.call_tools({{"call_w4", "end_call", "{}"}});
  chat.say("Thanks for joining, goodbye!");
  ASSERT_EQ(caller->speak("No, that's all."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks for joining, goodbye!");
  EXPECT_TRUE(caller->twiml_hangs_up());
  EXPECT_FALSE(contains(caller->twiml(), "<Gather")) << caller->twiml();
  EXPECT_TRUE(twilio.call_updates().empty()) << "the hang-up is the answer's TwiML, no REST update";
  EXPECT_EQ(chat.replies_left(), 0u);

  // Recorded as a realtime call is: transcript turns, tool calls, events, usage and cost.
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->end_reason == "stream_stopped";
  }));
  EXPECT_FALSE(listed_active());
  auto r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("org_id"), "masseurmatch");
  EXPECT_EQ(r.json.at("assistant_id"), "knotty");
  EXPECT_EQ(r.json.at("end_reason"), "stream_stopped");
  EXPECT_TRUE(r.json.at("first_audio_ms").is_null());
  const auto& transcript = r.json.at("transcript").as_array();
  std::vector<std::string> lines;
  for (const auto& t : transcript) lines.push_back(std::string(t.at("speaker").as_string()) + ": " + std::string(t.at("text").as_string()));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       std::string("assistant: ") + waitlist_greeting,
                       "caller: I'm Kim Ray, a therapist, and my number is 512 777 0001.",
                       "assistant: Thanks Kim. What's your email address?",
                       "caller: kim dot ray at mail dot example",
                       "assistant: You're on the waitlist! Would you like a confirmation text?",
                       "caller: Yes please.",
                       "assistant: Done, it's on its way. Anything else?",
                       "caller: No, that's all.",
                       "assistant: Thanks for joining, goodbye!",
                   }));
  std::vector<std::string> kinds;
  for (const auto& e : r.json.at("events").as_array()) kinds.push_back(std::string(e.at("kind").as_string()));
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "tool_call"), 4) << r.body;
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "hung_up"), 1) << r.body;
  // Eight completions of the fake (82 prompt and 17 completion tokens each), priced as gpt-4o-mini.
  EXPECT_EQ(r.json.at("usage").at("model"), "gpt-4o-mini");
  EXPECT_EQ(r.json.at("usage").at("responses"), 8);
  EXPECT_EQ(r.json.at("usage").at("input_text_tokens"), 8 * 82);
  EXPECT_EQ(r.json.at("usage").at("output_text_tokens"), 8 * 17);
  EXPECT_GT(r.json.at("cost").at("model_usd").to_number<double>(), 0.0) << r.json.at("cost");
  EXPECT_EQ(r.json.at("sms_sent"), 1);
  // The tool calls with their arguments and results, in place in the transcript.
  r = call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid() + "/transcript?format=text", {}, admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(contains(r.body, R"(tool: save_waitlist_entry({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"}) -> {"error":"Some values are missing or not valid: email: is required)")) << r.body;
  EXPECT_TRUE(contains(r.body, "tool: send_confirmation_sms(")) << r.body;
  EXPECT_TRUE(contains(r.body, "tool: end_call({}) -> {\"ok\":true")) << r.body;
  const auto calls = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.tool_calls(sid); }).get();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_EQ(calls[1].outcome, "ok");
  EXPECT_EQ(calls[2].outcome, "ok");
  EXPECT_EQ(calls[3].outcome, "ok");
}

TEST_F(gather_test, the_service_desk_looks_a_customer_up_and_opens_a_task_order) {
  ASSERT_NO_FATAL_FAILURE(read_example("service-desk.yaml"));
  ASSERT_EQ(settings().at("mode"), "gather");
  settings()["gather"] = js::object{{"model", "gpt-4.1-mini"}, {"voice", "Polly.Matthew"}};
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_TRUE(server->store()
                  .query([](ports::store& s) {
                    s.add_record({"fieldserve", "customers", "CUST01",
                                  R"({"customer_number":"C104233","name":"Acme Offices","address":"12 Main St, Denver"})",
                                  "active", "", "", 1, 1});
                    return true;
                  })
                  .get());
  ASSERT_NO_FATAL_FAILURE(call());
  twilio.add_live_call(caller->call_sid(), caller_number, number);
  EXPECT_EQ(caller->said().back(), "FieldServe service desk, this is Riley. Could I have your customer number, please?");
  EXPECT_TRUE(contains(caller->twiml(), "<Say voice=\"Polly.Matthew\">")) << "settings.gather.voice";
  EXPECT_EQ(caller->gather_attribute("language"), "en-US") << "languages: [en, es]: the first";

  chat.call_tools({{"call_s1", "lookup_customer", R"({"customer_number":"C104233"})"}});
  chat.say("Thanks, I have Acme Offices. What's the problem?");
  ASSERT_EQ(caller->speak("It's C 104233."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks, I have Acme Offices. What's the problem?");
  // recording.twilio: Twilio records the call once it is in progress (the caller's first words).
  ASSERT_TRUE(wait_until([&] { return twilio.recordings_started().size() == 1; }));
  EXPECT_EQ(twilio.recordings_started()[0].call_sid, caller->call_sid());
  auto requests = chat_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].at("model"), "gpt-4.1-mini");
  EXPECT_EQ(requests[0].at("tools").as_array().size(), 5u);
  const auto found = js::parse(messages_of(requests[1], "tool").at(0).at("content").as_string());
  EXPECT_EQ(found.at("found"), true) << found;
  EXPECT_EQ(found.at("record").at("name"), "Acme Offices") << found;

  const std::string order =
      R"({"customer":"C104233","service_type":"plumbing","description":"A leaking pipe under the kitchen sink",)"
      R"("location":"12 Main St, Denver, 2nd floor kitchen","urgency":"high","contact_phone":"+15127770001"})";
  chat.call_tools({{"call_s2", "create_task_order", order}});
  chat.say("Your task order is logged; we'll call to schedule the visit.");
  ASSERT_EQ(caller->speak("A leaking pipe in the second floor kitchen, today please."), 200);
  const auto orders = records("task_orders");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(js::parse(orders[0].data).at("customer"), "C104233");
  EXPECT_EQ(js::parse(orders[0].data).at("urgency"), "high");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].body, "FieldServe: task order " + orders[0].ref +
                                           " (plumbing, high) for 12 Main St, Denver, 2nd floor kitchen is logged. We'll "
                                           "contact you to schedule the visit. Call +15550100501 with any updates.");
  EXPECT_EQ(caller->said().back(), "Your task order is logged; we'll call to schedule the visit.");

  // The caller hangs up: Twilio's status callback ends the call.
  EXPECT_TRUE(listed_active());
  ASSERT_EQ(caller->send_status("completed", 3, 95), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->end_reason == "stream_stopped" && row->status == "completed";
  }));
  EXPECT_FALSE(listed_active());
  // The after-call work runs as for a realtime call: the extraction asks the model (the fake
  // answers "{}", which the example's schema accepts).
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->extraction_status == "done";
  })) << call_row()->extraction_error;
  EXPECT_EQ(chat.requests().size(), 5u);
  EXPECT_TRUE(js::parse(chat.requests().back().body).as_object().contains("response_format"));
}

TEST_F(gather_test, silence_is_reprompted_then_the_call_says_goodbye) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  ASSERT_EQ(caller->stay_silent(), 200) << "the <Redirect> after the <Gather> is followed";
  EXPECT_EQ(caller->said().back(), std::string("Sorry, I didn't catch that. ") + waitlist_greeting);
  EXPECT_TRUE(contains(caller->twiml(), "<Gather ")) << caller->twiml();
  EXPECT_FALSE(caller->twiml_hangs_up());
  // The second silence (attempts: 2 by default) is answered with the goodbye.
  ASSERT_EQ(caller->stay_silent(), 200);
  EXPECT_EQ(caller->said().back(), "Sorry, I can't hear you. Please call again later. Goodbye.");
  EXPECT_TRUE(caller->twiml_hangs_up());
  EXPECT_FALSE(contains(caller->twiml(), "<Gather")) << caller->twiml();
  EXPECT_EQ(caller->stay_silent(), 0) << "nothing follows the goodbye";
  EXPECT_TRUE(chat.requests().empty()) << "silence costs no model time";
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->end_reason == "stream_stopped";
  }));
  const auto events = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.events(sid); }).get();
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.kind == "no_input"; }), 2);
}

TEST_F(gather_test, attempts_sets_how_many_silent_turns_are_reprompted) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  settings()["gather"] = js::object{{"attempts", 3}};
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  EXPECT_EQ(caller->stay_silent(), 200);
  EXPECT_EQ(caller->stay_silent(), 200);
  // Speaking resets the count: the next silences are counted from one again.
  chat.say("Got it. And your phone number?");
  ASSERT_EQ(caller->speak("Kim Ray"), 200);
  EXPECT_EQ(caller->stay_silent(), 200);
  EXPECT_EQ(caller->said().back(), "Sorry, I didn't catch that. Got it. And your phone number?");
  EXPECT_EQ(caller->stay_silent(), 200);
  EXPECT_FALSE(caller->twiml_hangs_up());
  EXPECT_EQ(caller->stay_silent(), 200);  // the third silence in a row: the goodbye
  EXPECT_TRUE(caller->twiml_hangs_up());
  EXPECT_EQ(caller->said().back(), "Sorry, I can't hear you. Please call again later. Goodbye.");
}

TEST_F(gather_test, a_chat_model_error_is_an_apology_and_the_call_ends) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  chat.fail_next(1, 503, "The engine is currently overloaded.");
  ASSERT_EQ(caller->speak("Hello?"), 200);
  EXPECT_EQ(caller->said().back(), app::config{}.apology);
  EXPECT_TRUE(caller->twiml_hangs_up());
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->end_reason == "model_unavailable";
  }));
  const auto events = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.events(sid); }).get();
  ASSERT_FALSE(events.empty());
  const auto error = std::find_if(events.begin(), events.end(), [](const auto& e) { return e.kind == "model_error"; });
  ASSERT_NE(error, events.end());
  EXPECT_TRUE(contains(error->detail, "HTTP 503: The engine is currently overloaded.")) << error->detail;
}

TEST_F(gather_test, a_chat_model_that_does_not_answer_in_time_is_an_apology) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  server = std::make_unique<app::server>([&] {
    app::config c = gather_config();
    c.gather_turn_timeout = 500ms;
    return c;
  }());
  port = server->start();
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  chat.push_reply({"Too late.", {}, 200, 5000ms});
  ASSERT_EQ(caller->speak("Hello?"), 200);
  EXPECT_EQ(caller->said().back(), app::config{}.apology);
  EXPECT_TRUE(caller->twiml_hangs_up());
  ASSERT_TRUE(wait_until([&] {
    const auto row = call_row();
    return row && row->end_reason == "model_unavailable";
  }));
}

TEST_F(gather_test, keys_reach_the_model_as_text) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  chat.say("Thanks.");
  ASSERT_EQ(caller->press("42#"), 200);
  const auto requests = chat_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(messages_of(requests[0], "user").back().at("content"), "[The caller pressed the keys 42# on the phone keypad.]");
  const auto events = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.events(sid); }).get();
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.kind == "dtmf"; }), 3);
}

TEST_F(gather_test, the_gather_callback_and_its_seed_alias_check_the_signature) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  const twilio::form form = {{"CallSid", caller->call_sid()}, {"From", caller_number}, {"To", number},
                             {"SpeechResult", "Hello"}, {"Confidence", "0.9"}};
  for (const std::string path : {"/twilio/gather", "/api/phone/process-speech"}) {
    net::client_request req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    req.body = twilio::encode_form(form);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    auto [error, unsigned_res] = loop.run_sync(fetch(req));
    ASSERT_TRUE(unsigned_res) << error;
    EXPECT_EQ(unsigned_res->status, 403) << path << ": unsigned";
    req.headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(auth_token, std::string(public_url) + "/elsewhere", form));
    auto [error2, wrong] = loop.run_sync(fetch(req));
    ASSERT_TRUE(wrong) << error2;
    EXPECT_EQ(wrong->status, 403) << path << ": signed for another URL";
  }
  EXPECT_TRUE(chat.requests().empty()) << "nothing reached the model";
  // Signed as Twilio signs, seed 004's path continues the conversation.
  chat.say("Hi! May I have your full name?");
  EXPECT_EQ(post_twilio_form(loop, port, "/api/phone/process-speech?org=masseurmatch&assistant=knotty", form), 200);
  ASSERT_EQ(chat.requests().size(), 1u);
  EXPECT_EQ(messages_of(chat_requests()[0], "user").back().at("content"), "Hello");
}

// Two nodes on one PostgreSQL database: the turn after the greeting is answered by the other
// node, which continues the same conversation (it reads what the first node stored).
TEST_F(gather_test, a_turn_answered_by_a_second_node_continues_the_conversation) {
  const char* url = std::getenv("VOXGATE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "no PostgreSQL here (set VOXGATE_TEST_POSTGRES_URL; CI does)";
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  app::config c = gather_config();
  c.database_url = url;
  server = std::make_unique<app::server>(c);
  port = server->start();
  auto second = std::make_unique<app::server>(c);
  const std::uint16_t second_port = second->start();
  ASSERT_NO_FATAL_FAILURE(load());
  // The second node learns of the organisation through the database (CONFIG_POLL_MS).
  ASSERT_TRUE(wait_until([&] {
    auto r = call_api(loop, second_port, "GET", "/api/v1/orgs/" + org_id + "/prompt", {}, admin);
    return r.status == 200;
  }, 10000ms));
  ASSERT_NO_FATAL_FAILURE(call());
  chat.say("Nice to meet you, Kim. What's your phone number?");
  ASSERT_EQ(caller->speak("Kim Ray."), 200);  // node 1
  ASSERT_TRUE(wait_until([&] { return listed_active(second_port); })) << "active on every node";

  auto o = caller_options();
  o.server_port = second_port;
  o.call_sid = caller->call_sid();
  o.to = number;
  o.from = caller_number;
  auto there = make_caller(o);
  there->use_twiml_of(*caller);
  chat.say("Thanks. And your email?");
  ASSERT_EQ(there->speak("It's 512 777 0001."), 200);  // node 2
  EXPECT_EQ(there->said().back(), "Thanks. And your email?");
  const auto requests = chat_requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& messages = requests[1].at("messages").as_array();
  ASSERT_EQ(messages.size(), 5u) << js::serialize(messages);  // the system message, then the call so far
  EXPECT_EQ(messages[1].at("content"), waitlist_greeting);
  EXPECT_EQ(messages[2].at("content"), "Kim Ray.");
  EXPECT_EQ(messages[3].at("content"), "Nice to meet you, Kim. What's your phone number?");
  EXPECT_EQ(messages[4].at("content"), "It's 512 777 0001.");
  // Both nodes' turns are on the one call.
  ASSERT_TRUE(wait_until([&] {
    const auto turns = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.transcript(sid); }).get();
    return turns.size() == 5 && turns[4].text == "Thanks. And your email?";
  }));
  auto r = call_api(loop, second_port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin);
  EXPECT_EQ(r.json.at("usage").at("responses"), 2) << r.body;
  second->stop();
}

// Gather turn latency through voxgate with the fake model answering at once: the caller's
// webhook to its TwiML, over loopback (reported, not asserted: tests never time themselves).
TEST_F(gather_test, turn_latency_with_the_fake_model_is_reported) {
  ASSERT_NO_FATAL_FAILURE(read_example("waitlist.yaml"));
  ASSERT_NO_FATAL_FAILURE(load());
  ASSERT_NO_FATAL_FAILURE(call());
  constexpr int turns = 50;
  std::vector<double> ms;
  for (int i = 0; i < turns; ++i) {
    chat.say("Noted, turn " + std::to_string(i) + ".");
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(caller->speak("Turn " + std::to_string(i)), 200);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_EQ(caller->said().back(), "Noted, turn " + std::to_string(i) + ".");
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / turns;
  const double p50 = sorted[turns / 2];
  const double p99 = sorted[std::min(turns - 1, static_cast<int>(turns * 0.99))];
  std::cout << "gather turn latency over " << turns << " turns (fake model, loopback): mean " << mean << " ms, p50 " << p50
            << " ms, p99 " << p99 << " ms, max " << sorted.back() << " ms\n";
  RecordProperty("gather_turn_mean_ms", std::to_string(mean));
  RecordProperty("gather_turn_p99_ms", std::to_string(p99));
}

}  // namespace
}  // namespace vg::e2e
