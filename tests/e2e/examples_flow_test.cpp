// The five example organisations (examples/*.yaml) end to end, AS SHIPPED, as a user would run
// them: the YAML file read from disk and converted with yaml_to_json, the organisation created
// and its document PUT through the REST API, and a simulated call to its first number in the
// mode the file sets: over the media stream and the fake Realtime model (demo line behind its
// key-press gate, receptionist, outbound caller), or by <Gather> turns answered by the fake Chat
// Completions server (waitlist, service desk). Each claim in an example's header comments is
// checked here, where it lands: store rows, SMS bodies at the fake Twilio REST API, webhook
// deliveries, recordings, the call's record in the API, what the caller heard.
#include <fstream>
#include <sstream>

#include "adapters/yaml_json.hpp"
#include "core/audio/dtmf.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/e2e/webhook_receiver.hpp"
#include "tests/fakes/fake_chat_server.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/manual_clock.hpp"

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
  // Starts a node against the fakes (Realtime, Chat Completions, Twilio REST), reads
  // examples/<file>, lets `tweak` change what only a test must change (an endpoint the
  // organisation owns, pointed at the local webhook receiver; a mode to try), creates the
  // organisation and PUTs the document. Use with ASSERT_NO_FATAL_FAILURE.
  void load(const std::string& file, const std::function<void(js::object&)>& tweak = {},
            std::chrono::milliseconds tool_timeout = 3000ms) {
    start_server([&](app::config& c) {
      c.api_token = admin;
      c.openai_api_url = chat.url();
      c.openai_api_key = chat.api_key();  // the same key serves the fake Realtime model
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.tool_timeout = tool_timeout;
      c.twilio_phone_number = "+15125550000";
      c.say_voice = "Polly.Joanna";
    });
    const std::string yaml = read_text_file(std::string(VG_EXAMPLES_DIR) + "/" + file);
    ASSERT_FALSE(yaml.empty()) << "cannot read " << VG_EXAMPLES_DIR << "/" << file;
    auto converted = adapters::yaml_to_json(yaml);
    ASSERT_TRUE(converted) << file << ": " << converted.error_message();
    ASSERT_TRUE(converted->is_object()) << file;
    document = converted->as_object();
    if (tweak) tweak(document);
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
  }

  // The organisation's webhook_url, pointed at the local receiver (the file's is the
  // organisation's own server, a reserved name that never resolves).
  std::function<void(js::object&)> webhook_to_receiver() {
    return [this](js::object& d) { d.at("organization").as_object()["webhook_url"] = hook.url(); };
  }

  std::string mode() const { return str(assistant.at("settings").at("mode")); }

  fakes::caller_options call_options() const {
    auto opts = caller_options();
    opts.to = number;
    opts.from = caller_number;
    return opts;
  }

  // A caller whose call Twilio's REST API knows from the start (as a live call), so requests
  // about it (a recording started when it is answered, a hang-up) find it.
  std::unique_ptr<fakes::simulated_caller> new_caller(fakes::caller_options opts) {
    if (opts.call_sid.empty()) opts.call_sid = fakes::random_sid("CA");
    twilio.add_live_call(opts.call_sid, opts.from, opts.to);
    return make_caller(std::move(opts));
  }

  // A call to a realtime example with no gate: the stream is opened and the greeting has played.
  void call_realtime(fakes::caller_options opts) {
    ASSERT_EQ(mode(), "realtime");
    caller = new_caller(opts);
    ASSERT_EQ(caller->place_call(), 200);
    ASSERT_FALSE(contains(caller->twiml(), "<Gather")) << caller->twiml();
    ASSERT_NO_FATAL_FAILURE(stream_and_greeting());
  }
  void stream_and_greeting() {
    ASSERT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
    EXPECT_EQ(value_of(caller->parameters(), "org"), org_id);
    EXPECT_EQ(value_of(caller->parameters(), "assistant"), str(assistant.at("id")));
    ASSERT_EQ(caller->open_stream(), 101);
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; })) << "the greeting did not play";
    ASSERT_NO_FATAL_FAILURE(check_session());
  }

  // A call to a gather-mode example: its first turn is a <Gather> with the greeting, no stream.
  void call_gather() {
    ASSERT_EQ(mode(), "gather");
    caller = new_caller(call_options());
    ASSERT_EQ(caller->place_call(), 200) << caller->twiml();
    ASSERT_TRUE(contains(caller->twiml(), "<Gather ")) << caller->twiml();
    ASSERT_FALSE(contains(caller->twiml(), "<Connect")) << "no media stream in gather mode";
    EXPECT_EQ(caller->gather_attribute("input"), "speech dtmf");
    EXPECT_EQ(caller->said(), std::vector<std::string>{str(assistant.at("greeting"))});
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
    instructions = str(session.at("instructions"));
    EXPECT_TRUE(contains(instructions, "Name: " + org_name + "\n")) << instructions;
    EXPECT_TRUE(contains(instructions, "You are " + str(assistant.at("name")) + ", the phone assistant of " + org_name))
        << instructions;
    EXPECT_TRUE(contains(instructions, "The caller's phone number is " + std::string(caller_number)));
  }

  // The latest tool answer voxgate sent the chat model in gather mode (parsed), or null.
  js::value last_tool_answer() const {
    const auto requests = chat.requests();
    for (auto r = requests.rbegin(); r != requests.rend(); ++r) {
      const auto body = js::parse(r->body);
      const auto& messages = body.at("messages").as_array();
      for (auto m = messages.rbegin(); m != messages.rend(); ++m) {
        if (m->at("role") == "tool") return js::parse(m->at("content").as_string());
      }
    }
    return {};
  }

  std::vector<ports::record_row> records(const std::string& collection) {
    ports::record_filter f{org_id, collection, {}, {}, {}, {}, 100, 0};
    return server->store().query([f](ports::store& s) { return s.list_records(f); }).get();
  }

  js::value call_record() { return call_api(loop, port, "GET", "/api/v1/calls/" + caller->call_sid(), {}, admin).json; }

  std::string stored_end_reason() {
    auto row = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.find_call(sid); }).get();
    return row && row->ended_at_ms != 0 ? row->end_reason : std::string();
  }

  // The stored tool calls of this call, once `count` have finished.
  std::vector<ports::tool_call_row> finished_tool_calls(std::size_t count) {
    std::vector<ports::tool_call_row> calls;
    wait_until([&] {
      calls = server->store().query([sid = caller->call_sid()](ports::store& s) { return s.tool_calls(sid); }).get();
      std::size_t done = 0;
      for (const auto& c : calls) done += c.outcome.empty() || c.outcome == "running" ? 0 : 1;
      return done >= count;
    });
    return calls;
  }

  // Webhook deliveries whose JSON `event` is `event`.
  std::vector<js::value> delivered(const std::string& event) const {
    std::vector<js::value> out;
    for (const auto& d : hook.deliveries()) {
      auto v = js::parse(d.request.body);
      if (v.is_object() && v.as_object().contains("event") && v.at("event") == event.c_str()) out.push_back(std::move(v));
    }
    return out;
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

  fakes::fake_chat_server chat;
  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  webhook_receiver hook;
  std::unique_ptr<fakes::simulated_caller> caller;
  js::object document;
  js::object assistant;
  std::string org_id, org_name, number, instructions;
};

// The demo line runs on the call's manual clock (for its 60-second limit).
class demo_line_flow : public examples_flow {
 protected:
  demo_line_flow() {
    clock = std::make_shared<fakes::manual_clock>();
    server_clock = clock;
  }

  // Waits until the caller has heard `frames` of the assistant's audio and the call has taken
  // in every mark echo (the assistant's audio ended on the call's clock now, before the test
  // moves it): an event Twilio might send and voxgate only notes goes after the last echo on
  // the same socket, and its stored note shows the call has read that far (as limits_test).
  bool heard(std::size_t frames) {
    if (!wait_until([&] { return caller->media_received() >= frames && caller->marks_echoed() >= frames; })) return false;
    const auto notes = [&] {
      std::size_t n = 0;
      for (const auto& e : server->store().query([sid = caller->call_sid()](ports::store& s) { return s.events(sid); }).get()) {
        n += e.kind == "unknown_event";
      }
      return n;
    };
    const std::size_t before = notes();
    caller->send_raw(R"({"event":"voxgate_test_marker","sequenceNumber":"999"})");
    return wait_until([&] { return notes() > before; });
  }

  // Moves the call's clock once its ticker waits on it, and waits until it has looked at the
  // new time (it waits again, or the call has ended).
  void advance(std::chrono::milliseconds d) {
    ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 1; }));
    clock->advance(d);
    ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 1 || server->active_calls() == 0; }));
  }

  std::vector<std::string> response_instructions() const {
    std::vector<std::string> out;
    for (const auto& e : model_events(0, "response.create")) {
      const auto* r = e.if_contains("response");
      out.push_back(r != nullptr && r->as_object().contains("instructions") ? str(r->at("instructions")) : std::string());
    }
    return out;
  }

  std::shared_ptr<fakes::manual_clock> clock;
};

// -------------------------------------------------------------------------------------------
// demo-line.yaml (realtime, gate, 60 s, recorded, order saved and texted, extraction)

TEST_F(demo_line_flow, a_key_opens_the_demo_which_is_recorded_takes_the_order_and_ends_at_60_seconds) {
  // The extraction's answer (the fake Chat Completions server answers after the call).
  chat.set_content(R"({"customer_name":"Marco","fulfilment":"pickup","order_items":[{"name":"Margherita pizza",)"
                   R"("quantity":2,"add_ons":["Extra mozzarella"]},{"name":"Tiramisu","quantity":1}],"language":"it"})");
  ASSERT_NO_FATAL_FAILURE(load("demo-line.yaml"));
  EXPECT_EQ(org_id, "vox-demo");
  ASSERT_EQ(mode(), "realtime");

  // "Callers press any key to start": a <Gather> for one key, and no model session before it.
  caller = new_caller(call_options());
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(caller->gather_attribute("input"), "dtmf");
  EXPECT_EQ(caller->gather_attribute("numDigits"), "1");
  EXPECT_EQ(caller->said(), std::vector<std::string>{"Press any key to start."});
  EXPECT_FALSE(contains(caller->twiml(), "<Connect")) << caller->twiml();
  EXPECT_EQ(model.connections(), 0u);
  EXPECT_EQ(server->active_calls(), 0u);
  ASSERT_EQ(caller->press("5"), 200);
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));
  ASSERT_NO_FATAL_FAILURE(stream_and_greeting());
  // The greeting is the first thing heard (the session's first response).
  ASSERT_TRUE(heard(10));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
  // "a multilingual voice agent": the prompt lists the languages it may switch to.
  EXPECT_TRUE(contains(instructions, "Speak English by default. You can speak: English, Spanish, French")) << instructions;

  // "calls are recorded (by Twilio and by voxgate itself)": Twilio is asked to record this call.
  ASSERT_TRUE(wait_until([&] { return twilio.recordings_started().size() == 1; }));
  EXPECT_EQ(twilio.recordings_started()[0].call_sid, caller->call_sid());

  // The caller orders (as the model transcribes it); the model places the order.
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,)"
                R"("transcript":"Two Margherita pizzas with extra mozzarella and a tiramisu for pickup, I'm Marco."})");
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
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].to, caller_number);
  EXPECT_EQ(twilio.messages()[0].from, "+15550100201");
  EXPECT_EQ(twilio.messages()[0].body,
            "Thanks Marco! Your Trattoria Vox demo order is in: 2 Margherita pizzas with extra mozzarella, 1 Tiramisu. "
            "Total 41. This was a Vox demo - nothing will be charged.");
  // The model's answer to the order plays (10 more frames).
  ASSERT_TRUE(heard(20));
  ASSERT_EQ(model_events(0, "response.create").size(), 2u);

  // "each demo ends after 60 seconds": nothing at 59 s; at 60 s a spoken goodbye, then the end.
  advance(59s);
  EXPECT_EQ(model_events(0, "response.create").size(), 2u);
  EXPECT_FALSE(caller->stream_closed());
  advance(1s);
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 3u; }));
  EXPECT_TRUE(contains(response_instructions()[2], "goodbye")) << response_instructions()[2];
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));
  EXPECT_EQ(caller->media_received(), 30u) << "the goodbye played before the end";
  EXPECT_EQ(caller->marks_echoed(), caller->marks_received());
  ASSERT_TRUE(wait_until([&] { return !stored_end_reason().empty(); }));
  EXPECT_EQ(stored_end_reason(), "max_duration");
  EXPECT_TRUE(contains(caller->request_action(), "<Hangup/>"));

  // voxgate's own recording (both sides, stereo) is stored once the call is over.
  const std::string own_id = "VG" + caller->call_sid();
  ASSERT_TRUE(wait_until([&] {
    for (const auto& r : server->store().query([sid = caller->call_sid()](ports::store& s) { return s.recordings_of_call(sid); }).get()) {
      if (r.id == own_id && r.status == "stored") return true;
    }
    return false;
  }, 10s)) << "no own recording";
  // "the order items are extracted from the transcript into the call record".
  ASSERT_TRUE(wait_until([&] { return call_record().at("extraction").at("status") == "done"; }, 10s))
      << js::serialize(call_record().at("extraction"));
  const auto call = call_record();
  EXPECT_EQ(call.at("end_reason"), "max_duration");
  const auto& items = call.at("extraction").at("data").at("order_items");
  ASSERT_EQ(items.as_array().size(), 2u) << js::serialize(items);
  EXPECT_EQ(items.at(0).at("name"), "Margherita pizza");
  EXPECT_EQ(items.at(0).at("quantity"), 2);
  EXPECT_EQ(items.at(1).at("name"), "Tiramisu");
  // The extraction was asked with the example's schema and the call's transcript.
  ASSERT_FALSE(chat.requests().empty());
  const auto asked = js::parse(chat.requests().back().body);
  EXPECT_EQ(asked.at("response_format").at("json_schema").at("schema").at("properties").at("order_items").at("type"), "array");
  EXPECT_TRUE(contains(str(asked.at("messages").at(1).at("content")), "caller: Two Margherita pizzas")) << asked;
  bool listed_own = false;
  for (const auto& r : call.at("recordings").as_array()) listed_own |= r.at("id") == own_id.c_str();
  EXPECT_TRUE(listed_own) << js::serialize(call.at("recordings"));
}

TEST_F(demo_line_flow, the_order_sms_writes_a_total_with_cents_as_money) {
  // (Once a bug: decimals were written as JSON, "Total 3.05E1.")
  ASSERT_NO_FATAL_FAILURE(load("demo-line.yaml"));
  caller = new_caller(call_options());
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->press("1"), 200);
  ASSERT_NO_FATAL_FAILURE(stream_and_greeting());
  // Margherita 14 + Diavola 16.5 = 30.5 ("total": {type: number}).
  auto out = call_tool("m1", "place_order",
                       R"({"customer_name":"Lea","fulfilment":"pickup","order_items":[{"name":"Margherita pizza","quantity":1},)"
                       R"({"name":"Diavola pizza","quantity":1}],"summary":"1 Margherita pizza, 1 Diavola pizza","total":30.5})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].body,
            "Thanks Lea! Your Trattoria Vox demo order is in: 1 Margherita pizza, 1 Diavola pizza. Total 30.5. "
            "This was a Vox demo - nothing will be charged.");
}

// -------------------------------------------------------------------------------------------
// waitlist.yaml (gather mode)

TEST_F(examples_flow, waitlist_in_gather_mode_refuses_a_missing_field_saves_when_complete_then_texts) {
  ASSERT_NO_FATAL_FAILURE(load("waitlist.yaml"));
  EXPECT_EQ(org_id, "masseurmatch");
  // "Runs in the webhook-only gather mode ... which needs no media stream".
  ASSERT_NO_FATAL_FAILURE(call_gather());
  EXPECT_EQ(model.connections(), 0u);

  // "never guesses a field": a save with the email missing is refused by the tool's schema,
  // with the instruction not to guess, and nothing is saved.
  chat.call_tools({{"w1", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})"}});
  chat.say("Thanks Kim. What's your email address?");
  ASSERT_EQ(caller->speak("I'm Kim Ray, a therapist, my number is 512 777 0001."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks Kim. What's your email address?");
  auto answer = last_tool_answer();
  ASSERT_TRUE(answer.is_object()) << answer;
  const std::string error = str(answer.at("error"));
  EXPECT_TRUE(contains(error, "email: is required")) << error;
  EXPECT_FALSE(contains(error, "full_name")) << error;
  EXPECT_TRUE(contains(str(answer.at("instruction")), "Never guess")) << answer;
  EXPECT_TRUE(records("waitlist").empty());

  // "saves the entry only when all four are confirmed": complete, it is saved, and saving
  // sends no text (the action has no then_sms).
  const std::string entry = R"({"full_name":"Kim Ray","phone":"+15127770001","email":"kim.ray@mail.example","role":"therapist"})";
  chat.call_tools({{"w2", "save_waitlist_entry", entry}});
  chat.say("You're on the waitlist! Would you like a confirmation text?");
  ASSERT_EQ(caller->speak("kim dot ray at mail dot example, yes that's all correct"), 200);
  answer = last_tool_answer();
  ASSERT_EQ(answer.at("ok"), true) << answer;
  EXPECT_FALSE(answer.as_object().contains("sms")) << answer;
  const auto rows = records("waitlist");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].ref, str(answer.at("reference")));
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  EXPECT_EQ(js::parse(rows[0].data), js::parse(entry));
  EXPECT_TRUE(twilio.messages().empty());

  // "offers a confirmation SMS only after saving": the caller says yes, the text goes out.
  chat.call_tools({{"w3", "send_confirmation_sms", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})"}});
  chat.say("Done, it's on its way.");
  ASSERT_EQ(caller->speak("Yes please."), 200);
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100401");
  EXPECT_EQ(twilio.messages()[0].body,
            "Hi Kim Ray, you're on the MasseurMatch early-access waitlist as a therapist. We'll text you as soon as we "
            "launch. Reply STOP to opt out.");

  // "Once the sign-up is complete, thank the caller, say goodbye and end the call."
  chat.call_tools({{"w4", "end_call", "{}"}});
  chat.say("Thanks for joining, goodbye!");
  ASSERT_EQ(caller->speak("That's all, thanks."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks for joining, goodbye!");
  EXPECT_TRUE(caller->twiml_hangs_up());
  const auto calls = finished_tool_calls(4);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_EQ(calls[1].outcome, "ok");
  EXPECT_EQ(calls[2].outcome, "ok");
  EXPECT_EQ(calls[3].outcome, "ok");
  EXPECT_EQ(model.connections(), 0u) << "no Realtime session at any point";
}

// "with mode: realtime the same assistant talks over a media stream and the Realtime API".
TEST_F(examples_flow, waitlist_switched_to_realtime_runs_the_same_tools_over_the_media_stream) {
  ASSERT_NO_FATAL_FAILURE(load("waitlist.yaml", [](js::object& d) {
    d.at("assistants").at(0).at("settings").as_object()["mode"] = "realtime";
  }));
  ASSERT_NO_FATAL_FAILURE(call_realtime(call_options()));  // tools and prompt checked in the session.update
  auto out = call_tool("w1", "save_waitlist_entry", R"({"full_name":"Kim Ray","phone":"+15127770001","role":"therapist"})");
  EXPECT_TRUE(contains(str(out.at("error")), "email: is required")) << js::serialize(out);
  out = call_tool("w2", "save_waitlist_entry",
                  R"({"full_name":"Kim Ray","phone":"+15127770001","email":"kim.ray@mail.example","role":"therapist"})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  EXPECT_EQ(records("waitlist").size(), 1u);
  EXPECT_TRUE(chat.requests().empty()) << "no chat turns in realtime mode";
}

// -------------------------------------------------------------------------------------------
// service-desk.yaml (gather mode)

TEST_F(examples_flow, service_desk_in_gather_mode_finds_the_customer_and_creates_a_task_order) {
  ASSERT_NO_FATAL_FAILURE(load("service-desk.yaml", webhook_to_receiver()));
  EXPECT_EQ(number, "+15550100501");
  const std::string customer_data =
      R"({"customer_number":"C104233","name":"Acme Offices","contact_name":"Dana Cruz","address":"1600 Champa St, Denver"})";
  server->store().query([&](ports::store& s) {
    s.add_record({org_id, "customers", "ACM3E2", customer_data, "active", "", "+15550000000", 1, 1});
    return true;
  }).get();
  ASSERT_NO_FATAL_FAILURE(call_gather());
  EXPECT_EQ(model.connections(), 0u);

  // "asks for the customer number and looks the customer up": a number that fails the
  // pattern is refused, an unknown one is not found, the right one is.
  chat.call_tools({{"s1", "lookup_customer", R"({"customer_number":"104233"})"}});
  chat.call_tools({{"s2", "lookup_customer", R"({"customer_number":"C999999"})"}});
  chat.call_tools({{"s3", "lookup_customer", R"({"customer_number":"C104233"})"}});
  chat.say("Thanks, I have Acme Offices. What's the problem?");
  ASSERT_EQ(caller->speak("It's C 104233."), 200);
  EXPECT_EQ(caller->said().back(), "Thanks, I have Acme Offices. What's the problem?");
  const auto calls = finished_tool_calls(3);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_TRUE(contains(calls[0].result, "customer_number")) << calls[0].result;
  EXPECT_EQ(js::parse(calls[1].result).at("found"), false) << calls[1].result;
  const auto found = js::parse(calls[2].result);
  ASSERT_EQ(found.at("found"), true) << found;
  js::object expected = js::parse(customer_data).as_object();
  expected["reference"] = "ACM3E2";
  EXPECT_EQ(found.at("record"), expected);

  // "collects the service type, a description, the location and the urgency, and creates a
  // task order" in the "task_orders" collection, "with a confirmation text".
  const std::string order =
      R"({"customer":"C104233","service_type":"plumbing","description":"Water leaking from the kitchen ceiling",)"
      R"("location":"1600 Champa St, floor 3, kitchen","urgency":"high","contact_name":"Dana Cruz",)"
      R"("contact_phone":"+15127770001","preferred_date":"2030-03-14"})";
  chat.call_tools({{"s4", "create_task_order", order}});
  chat.say("Your task order is logged; we'll call to schedule the visit.");
  ASSERT_EQ(caller->speak("Yes, that's all correct."), 200);
  const auto rows = records("task_orders");
  ASSERT_EQ(rows.size(), 1u);
  const std::string ref = rows[0].ref;
  EXPECT_EQ(rows[0].call_sid, caller->call_sid());
  EXPECT_EQ(js::parse(rows[0].data), js::parse(order));
  EXPECT_EQ(records("customers").size(), 1u) << "the lookups created nothing";
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].from, "+15550100501");
  EXPECT_EQ(twilio.messages()[0].body, "FieldServe: task order " + ref +
                                           " (plumbing, high) for 1600 Champa St, floor 3, kitchen is logged. We'll contact "
                                           "you to schedule the visit. Call +15550100501 with any updates.");
  // The header's REST API path lists it.
  auto r = call_api(loop, port, "GET", "/api/v1/orgs/fieldserve/records/task_orders", {}, admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(contains(r.body, ref)) << r.body;
  // Not an emergency: nobody is alerted.
  EXPECT_TRUE(delivered("owner_notification").empty());

  // "Twilio records instead" (recording.twilio; own is off: there is no stream to record).
  ASSERT_TRUE(wait_until([&] { return twilio.recordings_started().size() == 1; }));
  EXPECT_EQ(twilio.recordings_started()[0].call_sid, caller->call_sid());

  // The caller hangs up; the call ends as a gather call does.
  ASSERT_EQ(caller->send_status("completed", 3, 95), 204);
  ASSERT_TRUE(wait_until([&] { return stored_end_reason() == "stream_stopped"; }));
  EXPECT_EQ(model.connections(), 0u);
}

TEST_F(examples_flow, service_desk_registers_a_new_customer_and_an_emergency_alerts_the_on_call_manager) {
  ASSERT_NO_FATAL_FAILURE(load("service-desk.yaml", webhook_to_receiver()));
  ASSERT_NO_FATAL_FAILURE(call_gather());

  // No customer number: "or registers a new customer, with a welcome text".
  const std::string customer =
      R"({"name":"Blue Door Bakery","contact_name":"Sam Ortiz","phone":"+15127770001","email":"sam@bluedoor.example",)"
      R"("address":"22 Larimer St, Denver"})";
  chat.call_tools({{"n1", "create_customer", customer}});
  chat.say("You're registered. What's the problem?");
  ASSERT_EQ(caller->speak("We're not customers yet. Blue Door Bakery, I'm Sam Ortiz, 22 Larimer Street."), 200);
  const auto customers = records("customers");
  ASSERT_EQ(customers.size(), 1u);
  const std::string customer_ref = customers[0].ref;
  EXPECT_EQ(js::parse(customers[0].data), js::parse(customer));
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 1; }));
  EXPECT_EQ(twilio.messages()[0].to, "+15127770001");
  EXPECT_EQ(twilio.messages()[0].body, "Welcome to FieldServe, Sam Ortiz. Your customer reference is " + customer_ref +
                                           "; please have it ready when you call us. Your customer number will follow with "
                                           "your first invoice.");

  // An emergency task order for the customer registered on this call.
  const std::string order = R"({"customer":")" + customer_ref +
                            R"(","service_type":"plumbing","description":"A burst pipe is flooding the shop floor",)"
                            R"("location":"22 Larimer St, ground floor","urgency":"emergency","contact_phone":"+15127770001"})";
  chat.call_tools({{"n2", "create_task_order", order}});
  chat.say("Task order logged as an emergency.");
  ASSERT_EQ(caller->speak("Water is pouring out of a pipe right now!"), 200);
  const auto orders = records("task_orders");
  ASSERT_EQ(orders.size(), 1u);
  const std::string ref = orders[0].ref;
  EXPECT_EQ(js::parse(orders[0].data).at("customer"), customer_ref.c_str());
  EXPECT_EQ(js::parse(orders[0].data).at("urgency"), "emergency");
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 2; }));

  // "emergencies also alert the on-call manager": a text to the owner's phone and a post to
  // the organisation's webhook_url.
  chat.call_tools({{"n3", "notify_owner", R"({"ref":")" + ref + R"(","summary":"Burst pipe flooding the shop floor at 22 Larimer St."})"}});
  chat.say("An engineer will call you back within 15 minutes.");
  ASSERT_EQ(caller->speak("Okay."), 200);
  const auto alert = last_tool_answer();
  EXPECT_EQ(alert, js::parse(R"({"ok":true,"sms":"sent to the owner","webhook":"delivered"})")) << alert;
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 3; }));
  EXPECT_EQ(twilio.messages()[2].to, "+15550100503");
  EXPECT_EQ(twilio.messages()[2].body,
            "[FieldServe Facility Services] Call from +15127770001: Burst pipe flooding the shop floor at 22 Larimer St.");
  const auto posts = delivered("owner_notification");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].at("org_id"), "fieldserve");
  EXPECT_EQ(posts[0].at("call_sid"), caller->call_sid().c_str());
  EXPECT_EQ(posts[0].at("summary"), "Burst pipe flooding the shop floor at 22 Larimer St.");
  EXPECT_EQ(caller->said().back(), "An engineer will call you back within 15 minutes.");
}

// -------------------------------------------------------------------------------------------
// receptionist.yaml (realtime)

TEST_F(examples_flow, receptionist_books_moves_and_cancels_with_an_sms_each_time) {
  ASSERT_NO_FATAL_FAILURE(load("receptionist.yaml", webhook_to_receiver()));
  ASSERT_NO_FATAL_FAILURE(call_realtime(call_options()));
  EXPECT_EQ(org_id, "1");
  EXPECT_EQ(number, "+15550100101");
  // "knows its hours, services, prices and policies": they are in the prompt.
  EXPECT_TRUE(contains(instructions, "Women's cut and style")) << instructions;
  EXPECT_TRUE(contains(instructions, "Balayage")) << instructions;
  EXPECT_TRUE(contains(instructions, "220")) << instructions;
  EXPECT_TRUE(contains(instructions, "late cancellations are charged 50% of the service")) << instructions;
  EXPECT_TRUE(contains(instructions, "Book at least 2 hours ahead")) << instructions;

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

  // "alerts the owner": a text to the owner's phone and a post to the organisation's webhook.
  out = call_tool("r4", "notify_owner",
                  R"({"caller_name":"Ann Lee","caller_phone":"+15127770002","message":"Wants to book a wedding party of eight.",)"
                  R"("urgency":"normal"})");
  EXPECT_EQ(out, js::parse(R"({"ok":true,"sms":"sent to the owner","webhook":"delivered"})")) << js::serialize(out);
  ASSERT_TRUE(wait_until([&] { return twilio.messages().size() == 4; }));
  EXPECT_EQ(twilio.messages()[3].to, "+15550100103");
  EXPECT_EQ(twilio.messages()[3].body, "[Lumen Hair Studio] Call from +15127770001: Wants to book a wedding party of eight.");
  const auto posts = delivered("owner_notification");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].at("summary"), "Wants to book a wedding party of eight.");

  const auto calls = finished_tool_calls(5);
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[0].outcome, "error");
  EXPECT_EQ(calls[1].outcome, "ok");
  EXPECT_EQ(calls[3].name, "cancel_booking");
  EXPECT_EQ(calls[3].outcome, "ok");
  EXPECT_EQ(calls[4].outcome, "ok");

  // "hands the caller to a person when asked": once the assistant has said so, the live call is
  // dialled to the fallback number.
  out = call_tool("r5", "transfer_call", R"({"reason":"Asked for the manager."})");
  ASSERT_EQ(out.at("ok"), true) << js::serialize(out);
  ASSERT_TRUE(wait_until([&] { return twilio.call_updates().size() == 1; }, 5000ms));
  EXPECT_EQ(twilio.call_updates()[0].call_sid, caller->call_sid());
  EXPECT_TRUE(contains(twilio.call_updates()[0].twiml, "<Dial>+15550100102</Dial>")) << twilio.call_updates()[0].twiml;
}

// "Organisation id "1" keeps Sonoria's webhook URL working: https://HOST/incoming-call?org_id=1
// (a call to one of the numbers below finds the organisation without it)."
TEST_F(examples_flow, receptionist_answers_sonorias_webhook_url_by_org_id_and_its_number_without_it) {
  ASSERT_NO_FATAL_FAILURE(load("receptionist.yaml"));
  auto opts = call_options();
  opts.voice_path = "/incoming-call?org_id=1";
  opts.to = "+15125550000";  // a number the organisation does not list
  ASSERT_NO_FATAL_FAILURE(call_realtime(opts));  // the stream's parameters name org 1 and sonia
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  // Its own number, on the seed's path with no org_id.
  opts = call_options();
  opts.voice_path = "/incoming-call";
  auto second = make_caller(opts);
  ASSERT_EQ(second->place_call(), 200);
  EXPECT_EQ(value_of(second->parameters(), "org"), "1");
  EXPECT_EQ(value_of(second->parameters(), "assistant"), "sonia");
}

// -------------------------------------------------------------------------------------------
// outbound-caller.yaml (realtime; the outbound call itself is not built: this call reaches it)

TEST_F(examples_flow, outbound_caller_presses_keys_reports_the_outcome_and_is_told_what_is_not_built) {
  // report_outcome posts to the file's https://holdfast.example/hooks/outcome, pointed here at
  // the local receiver (the user's own server).
  ASSERT_NO_FATAL_FAILURE(load("outbound-caller.yaml", [this](js::object& d) {
    for (auto& t : d.at("assistants").at(0).at("tools").as_array()) {
      auto& action = t.as_object().at("action").as_object();
      if (action.contains("webhook")) action["webhook"] = hook.url();
    }
  }));
  ASSERT_NO_FATAL_FAILURE(call_realtime(call_options()));
  EXPECT_EQ(org_id, "call-assistant");

  // Arguments are validated before anything runs.
  auto out = call_tool("o1", "press_digits", R"({"digits":"two"})");
  EXPECT_TRUE(contains(str(out.at("error")), "digits:")) << js::serialize(out);

  // press_digits plays the keys into the call (in-band DTMF) once the model's reply has played.
  out = call_tool("o2", "press_digits", R"({"digits":"2","reason":"billing menu"})");
  EXPECT_EQ(out.at("pressed"), "2") << js::serialize(out);
  const std::string tones = *audio::dtmf_audio("2");
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().find(tones) != std::string::npos; }));
  // conference_user is not built: the model hears so, the call goes on.
  out = call_tool("o3", "conference_user", R"({"summary":"The agent needs to verify the account holder.","agent_name":"Sam"})");
  EXPECT_EQ(out, (js::object{{"error", "The function 'conference_user' is not connected to an action this server knows."}}));
  // No dial-out, no conference: the only request is the recording the example asks for.
  for (const auto& r : twilio.requests()) EXPECT_NE(r.path.find("/Recordings.json"), std::string::npos) << r.path;
  EXPECT_EQ(server->active_calls(), 1u);

  // The outcome report reaches the user's webhook with its arguments; the reply is the result.
  const std::string outcome = R"({"status":"resolved","summary":"The duplicate charge will be refunded.",)"
                              R"("reference_number":"RF-20931","agent_name":"Sam","refund_amount":12.5})";
  out = call_tool("o4", "report_outcome", outcome);
  EXPECT_EQ(out, js::parse(R"({"ok":true})")) << js::serialize(out);
  ASSERT_EQ(hook.deliveries().size(), 1u);
  const auto posted = js::parse(hook.deliveries()[0].request.body);
  EXPECT_EQ(posted.at("tool"), "report_outcome");
  EXPECT_EQ(posted.at("call_sid"), caller->call_sid().c_str());
  EXPECT_EQ(posted.at("arguments"), js::parse(outcome));

  const auto calls = finished_tool_calls(4);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].outcome, "invalid");
  EXPECT_EQ(calls[1].outcome, "ok");  // press_digits
  EXPECT_EQ(calls[2].outcome, "error");
  EXPECT_EQ(calls[3].name, "report_outcome");
  EXPECT_EQ(calls[3].outcome, "ok");

  ASSERT_NO_FATAL_FAILURE(end_call_hangs_up_after_the_goodbye("o5"));
}

}  // namespace
}  // namespace vg::e2e
