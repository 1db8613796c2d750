// Failover (settings.fallback): a Realtime call whose model cannot be reached, or is lost and
// cannot be restored, is never left in silence. When the stream closes, Twilio requests its
// <Connect action>; the answer follows the assistant's fallback: the same assistant by Gather
// turns on the chat model, the organisation's fallback number with a short explanation, or the
// apology. A gather-mode assistant whose chat model fails is transferred the same way. Over
// real sockets: the fake Realtime and Chat servers, simulated callers answering the TwiML.
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/fake_chat_server.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-failover-tests-0123456789";
constexpr const char* fallback_number = "+15550100999";
constexpr const char* to_gather = "+15550100201";    // fallback: gather
constexpr const char* to_person = "+15550100301";    // fallback: transfer
constexpr const char* to_apology = "+15550100401";   // no fallback: the apology
constexpr const char* gather_mode = "+15550100501";  // mode: gather, fallback: transfer
constexpr const char* notice = "Sorry, our assistant is not available right now. I'm connecting you to a person.";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class failover_test : public bridge_test {
 protected:
  void start(bool model_reachable) {
    if (!model_reachable) {
      fakes::realtime_script script;
      script.refuse = true;
      model.set_script(script);
    }
    start_server([this](app::config& c) {
      c.api_token = admin;
      c.model_reconnect_attempts = 1;
      c.openai_api_key = chat.api_key();  // the fake Realtime server takes any key
      c.openai_api_url = chat.url();
      c.say_voice = "Polly.Joanna";
    });
    add_org("gather-line", to_gather, R"({"fallback": "gather"})");
    add_org("person-line", to_person, R"({"fallback": "transfer"})");
    add_org("plain-line", to_apology, R"({})");
    add_org("turns-line", gather_mode, R"({"mode": "gather", "fallback": "transfer"})");
  }

  void add_org(const std::string& id, const std::string& number, const std::string& settings) {
    const std::string doc = R"({"organization": {"id": ")" + id + R"(", "name": ")" + id +
                            R"(", "timezone": "America/Chicago", "fallback_number": ")" + fallback_number +
                            R"(", "numbers": [")" + number + R"("]}, "assistants": [{"name": "Ava", "greeting": "Hi, this is Ava.", )" +
                            R"("instructions": "Help with bookings.", "settings": )" + settings + "}]}";
    auto r = call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":")" + id + R"(","name":")" + id + R"("})", admin);
    ASSERT_EQ(r.status, 201) << r.body;
    r = call_api(loop, port, "PUT", "/api/v1/orgs/" + id + "/document", doc, admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // A call to `number` whose stream is open (the model may or may not answer).
  std::unique_ptr<fakes::simulated_caller> call(const std::string& number) {
    auto o = caller_options();
    o.to = number;
    auto caller = make_caller(o);
    EXPECT_EQ(caller->place_call(), 200);
    EXPECT_TRUE(contains(caller->twiml(), "<Connect")) << caller->twiml();
    EXPECT_EQ(caller->open_stream(), 101);
    return caller;
  }

  // What Twilio does when the server closes the stream: requests the <Connect action>.
  std::string after_the_stream(fakes::simulated_caller& caller) {
    EXPECT_TRUE(wait_until([&] { return caller.stream_closed(); }, 10000ms));
    return caller.request_action();
  }

  fakes::fake_chat_server chat;
};

TEST_F(failover_test, unreachable_model_with_fallback_transfer_explains_and_dials_the_fallback_number) {
  start(false);
  auto caller = call(to_person);
  const std::string twiml = after_the_stream(*caller);
  EXPECT_TRUE(contains(twiml, "<Dial>" + std::string(fallback_number) + "</Dial>")) << twiml;
  ASSERT_FALSE(caller->said().empty());
  EXPECT_EQ(caller->said().back(), notice);
  EXPECT_FALSE(contains(twiml, "<Hangup/>"));
}

TEST_F(failover_test, unreachable_model_with_fallback_gather_goes_on_by_turns_with_the_same_assistant) {
  start(false);
  auto caller = call(to_gather);
  const std::string twiml = after_the_stream(*caller);
  ASSERT_TRUE(contains(twiml, "<Gather ")) << twiml;
  EXPECT_TRUE(contains(twiml, "/twilio/gather?")) << twiml;
  EXPECT_EQ(caller->said().back(), "Sorry, I had a technical problem. I'm still here: how can I help you?");
  // The caller's next words go to the chat model with the assistant's own instructions.
  chat.say("Of course. Which day suits you?");
  ASSERT_EQ(caller->speak("I would like to book a massage."), 200);
  EXPECT_EQ(caller->said().back(), "Of course. Which day suits you?");
  ASSERT_TRUE(contains(caller->twiml(), "<Gather ")) << caller->twiml();
  const auto requests = chat.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(contains(requests[0].body, "Help with bookings.")) << requests[0].body;
  EXPECT_TRUE(contains(requests[0].body, "I would like to book a massage.")) << requests[0].body;
}

TEST_F(failover_test, unreachable_model_without_a_fallback_hears_the_apology) {
  start(false);
  auto caller = call(to_apology);
  const std::string twiml = after_the_stream(*caller);
  EXPECT_EQ(caller->said().back(), app::config{}.apology);
  EXPECT_TRUE(contains(twiml, "<Hangup/>")) << twiml;
  EXPECT_FALSE(contains(twiml, "<Dial>"));
}

TEST_F(failover_test, a_model_lost_mid_call_past_its_reconnect_attempts_is_transferred) {
  start(true);
  auto caller = call(to_person);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));  // the greeting played
  fakes::realtime_script refuse;
  refuse.refuse = true;
  model.set_script(refuse);
  model.drop(0);
  const std::string twiml = after_the_stream(*caller);
  EXPECT_GE(model.refused(), 1u);
  EXPECT_TRUE(contains(twiml, "<Dial>" + std::string(fallback_number) + "</Dial>")) << twiml;
  EXPECT_EQ(caller->said().back(), notice);
}

TEST_F(failover_test, a_model_lost_mid_call_with_fallback_gather_goes_on_by_turns) {
  start(true);
  auto caller = call(to_gather);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  fakes::realtime_script refuse;
  refuse.refuse = true;
  model.set_script(refuse);
  model.drop(0);
  const std::string twiml = after_the_stream(*caller);
  ASSERT_TRUE(contains(twiml, "<Gather ")) << twiml;
  chat.say("Sure, I can help.");
  ASSERT_EQ(caller->speak("Are you there?"), 200);
  EXPECT_EQ(caller->said().back(), "Sure, I can help.");
}

TEST_F(failover_test, a_normal_end_is_still_a_plain_hang_up) {
  start(true);
  auto caller = call(to_person);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));
  caller->send_stop();
  const std::string twiml = after_the_stream(*caller);
  EXPECT_TRUE(contains(twiml, "<Hangup/>")) << twiml;
  EXPECT_FALSE(contains(twiml, "<Dial>"));
  EXPECT_FALSE(contains(twiml, "<Say"));
}

TEST_F(failover_test, a_gather_call_whose_chat_model_fails_is_transferred_when_its_fallback_says_so) {
  start(true);
  auto o = caller_options();
  o.to = gather_mode;
  auto caller = make_caller(o);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_TRUE(contains(caller->twiml(), "<Gather ")) << caller->twiml();
  chat.fail_next(1, 503, "The engine is currently overloaded.");
  ASSERT_EQ(caller->speak("Hello?"), 200);
  EXPECT_EQ(caller->said().back(), notice);
  EXPECT_TRUE(contains(caller->twiml(), "<Dial>" + std::string(fallback_number) + "</Dial>")) << caller->twiml();
}

}  // namespace
}  // namespace vg::e2e
