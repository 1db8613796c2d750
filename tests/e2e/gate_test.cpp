// The key-press gate (settings.gate; docs/protocols/twiml.md#gate) end to end: the simulated
// caller answers <Gather> as Twilio does (signed Digits to the action, silence follows the
// <Redirect>), and the fake model counts the sessions opened. No key, no model session; the
// right key opens one before the stream, so the greeting is the first thing heard.
#include "tests/e2e/api_client.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-gate-tests-0123456789";
constexpr const char* any_key_number = "+15550100201";
constexpr const char* pin_number = "+15550100301";
constexpr const char* open_number = "+15550100401";

class gate_test : public bridge_test {
 protected:
  void SetUp() override {
    start_server([](app::config& c) {
      c.api_token = admin;
      c.say_voice = "Polly.Joanna";
    });
    add_org("vox-demo", any_key_number, R"({"gate": {"press_any_key": true}})");
    add_org("waitlist", pin_number,
            R"({"gate": {"digits": "1", "prompt": "Press 1 to join the waitlist.", "timeout_s": 8, "attempts": 2,
                         "goodbye": "Sorry, we did not get that. Goodbye."}})");
    add_org("reception", open_number, R"({})");
  }

  void add_org(const std::string& id, const std::string& number, const std::string& settings) {
    const std::string doc = R"({"organization": {"id": ")" + id + R"(", "name": ")" + id +
                            R"(", "timezone": "America/Chicago", "numbers": [")" + number +
                            R"("]}, "assistants": [{"name": "Ava", "settings": )" + settings + "}]}";
    auto r = call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":")" + id + R"(","name":")" + id + R"("})", admin);
    ASSERT_EQ(r.status, 201) << r.body;
    r = call_api(loop, port, "PUT", "/api/v1/orgs/" + id + "/document", doc, admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::unique_ptr<fakes::simulated_caller> caller_to(const std::string& number, fakes::caller_options o = {}) {
    if (o.server_port == 0) o = caller_options();
    o.to = number;
    return make_caller(std::move(o));
  }

  // A signed form POST to `path` (as Twilio's <Gather action> would be); the answer.
  api_reply post_form(const std::string& path, const twilio::form& form, bool sign = true) {
    net::client_request req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    req.body = twilio::encode_form(form);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (sign) req.headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(auth_token, std::string(public_url) + path, form));
    auto [error, res] = loop.run_sync(fetch(std::move(req)));
    api_reply out;
    if (res) {
      out.status = res->status;
      out.body = res->body;
    }
    return out;
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(gate_test, no_key_reprompts_then_says_goodbye_and_hangs_up_without_a_model_session) {
  auto caller = caller_to(any_key_number);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(caller->gather_attribute("input"), "dtmf");
  EXPECT_EQ(caller->gather_attribute("numDigits"), "1");
  EXPECT_EQ(caller->gather_attribute("timeout"), "5");
  EXPECT_EQ(caller->gather_attribute("finishOnKey"), "");
  EXPECT_EQ(caller->gather_action(),
            std::string(public_url) + "/twilio/gate?org=vox-demo&assistant=ava&attempt=1");
  EXPECT_TRUE(contains(caller->twiml(), "<Say voice=\"Polly.Joanna\">Press any key to start.</Say></Gather>")) << caller->twiml();
  EXPECT_FALSE(caller->twiml_hangs_up());

  ASSERT_EQ(caller->stay_silent(), 200);  // the <Redirect> to the second attempt
  EXPECT_EQ(caller->gather_action(), std::string(public_url) + "/twilio/gate?org=vox-demo&assistant=ava&attempt=2");
  EXPECT_TRUE(caller->twiml_hangs_up());  // the last attempt: goodbye after its <Gather>
  EXPECT_EQ(caller->stay_silent(), 0);    // the call ends
  EXPECT_EQ(caller->said(), (std::vector<std::string>{"Press any key to start.", "Press any key to start.", "Goodbye."}));

  // Nothing was started: no model session, no live call.
  EXPECT_EQ(model.connections(), 0u);
  EXPECT_EQ(server->active_calls(), 0u);
}

TEST_F(gate_test, a_key_opens_the_model_session_before_the_stream_and_the_greeting_comes_first) {
  auto caller = caller_to(any_key_number);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(model.connections(), 0u);  // the webhook opened nothing

  const auto pressed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(caller->press("7"), 200);
  ASSERT_TRUE(contains(caller->twiml(), "<Connect action=\"https://voxgate.example.com/twilio/stream-ended?org=vox-demo&amp;assistant=ava\">")) << caller->twiml();
  EXPECT_EQ(value_of(caller->parameters(), "callSid"), caller->call_sid());
  EXPECT_EQ(value_of(caller->parameters(), "org"), "vox-demo");
  EXPECT_EQ(value_of(caller->parameters(), "assistant"), "ava");
  // The key opened the model session, before Twilio opens the stream.
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));
  EXPECT_EQ(server->active_calls(), 1u);

  ASSERT_EQ(caller->open_stream(), 101);
  std::chrono::steady_clock::time_point first_audio_at{};
  ASSERT_TRUE(wait_until([&] {
    if (caller->media_received() == 0) return false;
    first_audio_at = std::chrono::steady_clock::now();
    return true;
  }));
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  // The first thing heard is the greeting, byte for byte (the session's first response).
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);
  const auto ms = std::chrono::duration<double, std::milli>(first_audio_at - pressed_at).count();
  std::printf("key press to first assistant audio (fake model, loopback, includes the stream set-up): %.1f ms\n", ms);
  RecordProperty("key_press_to_first_audio_ms", std::to_string(ms));
  EXPECT_EQ(model.connections(), 1u);
}

TEST_F(gate_test, repeated_key_and_voice_requests_keep_one_session_per_call) {
  auto caller = caller_to(any_key_number);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->press("1"), 200);
  const std::string first = caller->twiml();
  ASSERT_TRUE(contains(first, "<Connect")) << first;
  // Twilio retries the action (the answer has no <Gather>: the same URL is posted again).
  ASSERT_EQ(caller->press("1"), 200);
  EXPECT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
  // A repeated voice webhook of a call past its gate gets its stream, not the prompt again.
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
  EXPECT_FALSE(contains(caller->twiml(), "<Gather")) << caller->twiml();
  EXPECT_EQ(server->active_calls(), 1u);
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  EXPECT_EQ(model.connections(), 1u);
}

TEST_F(gate_test, a_wrong_digit_reprompts_and_the_right_one_connects) {
  auto caller = caller_to(pin_number);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(caller->gather_attribute("timeout"), "8");
  EXPECT_EQ(caller->gather_attribute("numDigits"), "1");
  ASSERT_EQ(caller->press("2"), 200);
  EXPECT_EQ(caller->gather_action(), std::string(public_url) + "/twilio/gate?org=waitlist&assistant=ava&attempt=2");
  EXPECT_EQ(caller->said(), (std::vector<std::string>{"Press 1 to join the waitlist.", "Press 1 to join the waitlist."}));
  EXPECT_EQ(model.connections(), 0u);
  EXPECT_EQ(server->active_calls(), 0u);
  ASSERT_EQ(caller->press("1"), 200);
  ASSERT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
}

TEST_F(gate_test, wrong_digits_on_every_attempt_end_with_the_goodbye) {
  auto caller = caller_to(pin_number);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->press("9"), 200);
  ASSERT_EQ(caller->press("*"), 200);
  EXPECT_TRUE(caller->twiml_hangs_up());
  EXPECT_EQ(caller->gather_attribute("numDigits"), "");  // no <Gather> left
  EXPECT_EQ(caller->said().back(), "Sorry, we did not get that. Goodbye.");
  EXPECT_EQ(model.connections(), 0u);
  EXPECT_EQ(server->active_calls(), 0u);
}

TEST_F(gate_test, unsigned_or_badly_signed_key_callbacks_are_refused) {
  auto caller = caller_to(any_key_number);
  ASSERT_EQ(caller->place_call(), 200);
  auto forged_options = caller_options();
  forged_options.to = any_key_number;
  forged_options.call_sid = caller->call_sid();
  forged_options.corrupt_signature = true;
  auto forged = make_caller(forged_options);
  forged->use_twiml_of(*caller);
  EXPECT_EQ(forged->press("1"), 403);
  forged_options.corrupt_signature = false;
  forged_options.auth_token.clear();  // no X-Twilio-Signature at all
  auto unsigned_caller = make_caller(forged_options);
  unsigned_caller->use_twiml_of(*caller);
  EXPECT_EQ(unsigned_caller->press("1"), 403);
  const twilio::form form{{"CallSid", caller->call_sid()}, {"AccountSid", "AC0"}, {"From", "+15551230001"},
                          {"To", any_key_number}, {"Direction", "inbound"}, {"Digits", "1"}};
  EXPECT_EQ(post_form("/demo-start", form, false).status, 403);
  EXPECT_EQ(model.connections(), 0u);
  EXPECT_EQ(server->active_calls(), 0u);
  // The genuine caller still gets in.
  ASSERT_EQ(caller->press("1"), 200);
  EXPECT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
}

TEST_F(gate_test, seed_001s_demo_start_path_takes_the_key_too) {
  const std::string sid = fakes::random_sid("CA");
  twilio::form form{{"CallSid", sid}, {"AccountSid", "AC0"}, {"From", "+15551230001"},
                    {"To", any_key_number}, {"Direction", "inbound"}};
  // Without Digits (a redirect): the prompt; with a key: the stream.
  auto prompt = post_form("/demo-start", form);
  ASSERT_EQ(prompt.status, 200);
  EXPECT_TRUE(contains(prompt.body, "<Gather input=\"dtmf\" numDigits=\"1\"")) << prompt.body;
  form.emplace_back("Digits", "3");
  auto connected = post_form("/demo-start", form);
  ASSERT_EQ(connected.status, 200);
  EXPECT_TRUE(contains(connected.body, "<Connect action=")) << connected.body;
  EXPECT_TRUE(contains(connected.body, "<Parameter name=\"org\" value=\"vox-demo\"/>")) << connected.body;
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));
}

TEST_F(gate_test, an_assistant_without_a_gate_answers_at_once_as_before) {
  auto caller = caller_to(open_number);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_FALSE(contains(caller->twiml(), "<Gather")) << caller->twiml();
  ASSERT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
  EXPECT_EQ(value_of(caller->parameters(), "org"), "reception");
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));  // opened while the webhook was answered
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
}

}  // namespace
}  // namespace vg::e2e
