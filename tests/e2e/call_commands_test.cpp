// A live call's inbox and the event bus, end to end: commands reach the call on its own
// thread and are carried out there (through Twilio's REST fake, the media stream, the model),
// and what the call produces reaches every subscriber of the bus.
#include <future>
#include <mutex>

#include "app/call/call_registry.hpp"
#include "app/events/event_bus.hpp"
#include "core/audio/dtmf.hpp"
#include "tests/e2e/api_client.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"

namespace vg::e2e {
namespace {
using namespace std::chrono_literals;
using fakes::wait_until;

// Keeps a copy of every event the bus delivers.
struct event_log final : app::event_subscriber {
  struct seen {
    app::call_event_type type;
    std::string call_sid, name, detail;
    call::note_kind note;
    std::int64_t value;
  };
  void on_event(const app::call_event& e) override {
    std::lock_guard lock(mutex);
    events.push_back({e.type, std::string(e.call_sid), std::string(e.name), std::string(e.detail), e.note.kind, e.value});
  }
  std::vector<seen> snapshot() const {
    std::lock_guard lock(mutex);
    return events;
  }
  bool has(app::call_event_type t, const std::string& name = {}) const {
    for (const auto& e : snapshot()) {
      if (e.type == t && (name.empty() || e.name == name)) return true;
    }
    return false;
  }
  mutable std::mutex mutex;
  std::vector<seen> events;
};

std::string pattern(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed) * 97 + (i >> 5)) & 0x7F);
  return s;
}

const std::string admin = "admin-token-0123456789abcdef";

class call_commands_test : public bridge_test {
 protected:
  void SetUp() override {
    start_server([this](app::config& c) {
      c.twilio_account_sid = twilio.account_sid();
      c.twilio_api_url = twilio.url();
      c.api_token = admin;
    });
    log = std::make_shared<event_log>();
    server->events().subscribe(log);
    caller = connected_caller();
    ASSERT_TRUE(caller);
    ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));  // the greeting played
    twilio.add_live_call(caller->call_sid());
  }

  // Posts a command to the caller's call and waits for how it went.
  app::command_result command(app::call_command c) {
    auto inbox = server->calls().find(caller->call_sid());
    if (!inbox) return {"no such call", "not_found"};
    auto done = std::make_shared<std::promise<app::command_result>>();
    auto result = done->get_future();
    inbox->post(std::move(c), [done](app::command_result r) { done->set_value(std::move(r)); });
    return result.get();
  }

  std::vector<ports::call_event> stored_events() {
    const auto sid = caller->call_sid();
    return server->store().query([sid](ports::store& s) { return s.events(sid); }).get();
  }
  bool stored(const std::string& kind) {
    for (const auto& e : stored_events()) {
      if (e.kind == kind) return true;
    }
    return false;
  }

  fakes::fake_twilio_rest twilio{fakes::fake_twilio_rest::default_account_sid, auth_token};
  std::shared_ptr<event_log> log;
  std::unique_ptr<fakes::simulated_caller> caller;
};

TEST_F(call_commands_test, a_transfer_is_carried_out_by_the_call_and_recorded) {
  const auto r = command(call::transfer_to{"+15125550150"});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(twilio.call_updates().size(), 1u);
  EXPECT_EQ(twilio.call_updates()[0].call_sid, caller->call_sid());
  EXPECT_NE(twilio.call_updates()[0].twiml.find("<Dial>+15125550150</Dial>"), std::string::npos);
  EXPECT_TRUE(log->has(app::call_event_type::action, "transferred"));
  EXPECT_TRUE(wait_until([&] { return stored("transferred"); }));
}

TEST_F(call_commands_test, a_conference_and_a_hang_up_go_through_twilio) {
  auto r = command(call::join_conference{"escalations"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(twilio.call_updates().at(0).twiml.find("<Dial><Conference>escalations</Conference></Dial>"), std::string::npos);
  r = command(call::hang_up{});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(twilio.call_updates().at(1).status, "completed");
  EXPECT_TRUE(log->has(app::call_event_type::action, "joined_conference"));
  EXPECT_TRUE(log->has(app::call_event_type::action, "hung_up"));
}

TEST_F(call_commands_test, a_failed_transfer_is_an_error_and_an_event) {
  twilio.fail_next(1, 400, 21211, "The 'To' number is not a valid phone number.");
  const auto r = command(call::transfer_to{"+15125550150"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code, "failed");
  EXPECT_NE(r.error.find("21211"), std::string::npos) << r.error;
  EXPECT_TRUE(wait_until([&] { return stored("transfer_failed"); }));
  EXPECT_EQ(server->active_calls(), 1u);
}

TEST_F(call_commands_test, digits_are_played_to_the_caller_as_dtmf_tones) {
  const auto r = command(call::send_digits{"12#"});
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string tones = *audio::dtmf_audio("12#");
  EXPECT_TRUE(wait_until([&] { return caller->heard_audio().find(tones) != std::string::npos; }));
  EXPECT_TRUE(wait_until([&] { return stored("digits_sent"); }));
  const auto bad = command(call::send_digits{"12x"});
  EXPECT_EQ(bad.code, "invalid");
  EXPECT_NE(bad.error.find("'x'"), std::string::npos);
}

TEST_F(call_commands_test, a_takeover_silences_the_assistant_until_it_is_handed_back) {
  ASSERT_TRUE(command(app::command::take_over{"ops@example.com"}).ok());
  EXPECT_EQ(command(app::command::take_over{"someone else"}).code, "refused");
  const std::size_t cancels_before = model_events(0, "response.cancel").size();
  const std::string while_taken = pattern(1600, 1), after = pattern(1600, 2);
  model.send_response(0, "item_taken", while_taken);  // the model answers by itself (server VAD)
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.cancel").size() > cancels_before; }));
  ASSERT_TRUE(command(app::command::hand_back{"ops@example.com"}).ok());
  EXPECT_TRUE(wait_until([&] {
    for (const auto& e : model_events(0, "conversation.item.create")) {
      if (js::serialize(e).find("handed the call back") != std::string::npos) return true;
    }
    return false;
  }));
  model.send_response(0, "item_after", after);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().find(after) != std::string::npos; }));
  EXPECT_EQ(caller->heard_audio().find(while_taken), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return stored("handed_back"); }));
  for (const auto& e : stored_events()) {
    if (e.kind == "taken_over") {
      EXPECT_EQ(e.detail, "ops@example.com");
    }
    if (e.kind == "handed_back") {
      EXPECT_GE(e.value, 0);
    }
  }
}

TEST_F(call_commands_test, an_injected_message_reaches_the_models_conversation) {
  ASSERT_TRUE(command(app::command::inject_message{"The caller's order 42 has shipped.", true}).ok());
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : model_events(0, "conversation.item.create")) {
      const auto& item = e.at("item").as_object();
      if (item.at("role") == "system" && js::serialize(item).find("order 42 has shipped") != std::string::npos) return true;
    }
    return false;
  }));
}

TEST_F(call_commands_test, a_listener_hears_both_sides_of_the_call) {
  auto listener = std::make_shared<app::audio_listener>(1000);
  ASSERT_TRUE(command(app::command::attach_listener{listener}).ok());
  const std::string spoken = pattern(800, 3);
  model.send_response(0, "item_heard", spoken);
  std::string caller_side, assistant_side;
  ASSERT_TRUE(wait_until([&] {
    for (auto& f : listener->take()) (f.caller ? caller_side : assistant_side) += f.mulaw;
    return caller_side.size() >= 800 && assistant_side.find(spoken) != std::string::npos;
  }));
  // What the listener heard of the caller is what the caller sent.
  EXPECT_NE(caller->sent_audio().find(caller_side.substr(0, 800)), std::string::npos);
  listener->close();
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
}

TEST_F(call_commands_test, a_command_for_a_call_that_has_ended_fails_clearly) {
  auto inbox = server->calls().find(caller->call_sid());
  ASSERT_TRUE(inbox);
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  EXPECT_FALSE(server->calls().find(caller->call_sid()));
  std::promise<app::command_result> done;
  inbox->post(call::hang_up{}, [&done](app::command_result r) { done.set_value(std::move(r)); });
  const auto r = done.get_future().get();
  EXPECT_EQ(r.code, "not_found");
  EXPECT_TRUE(twilio.call_updates().empty());
}

TEST_F(call_commands_test, the_bus_carries_a_calls_life_to_every_subscriber) {
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return log->has(app::call_event_type::ended); }));
  const auto events = log->snapshot();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().type, app::call_event_type::started);  // subscribed before the call came
  bool stream_started = false, first_audio = false;
  for (const auto& e : events) {
    EXPECT_EQ(e.call_sid, caller->call_sid());
    if (e.type == app::call_event_type::note && e.note == call::note_kind::first_audio) first_audio = true;
    if (e.type == app::call_event_type::note && e.note == call::note_kind::stream_started) stream_started = true;
  }
  EXPECT_TRUE(first_audio);
  EXPECT_TRUE(stream_started);
  EXPECT_EQ(events.back().type, app::call_event_type::ended);
  EXPECT_EQ(events.back().name, "stream_stopped");
  // The metrics subscriber counted the same call.
  const auto metrics = call_api(loop, port, "GET", "/metrics", {}, {});
  EXPECT_NE(metrics.body.find("voxgate_calls_started_total 1\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("voxgate_calls_ended_total{reason=\"stream_stopped\"} 1\n"), std::string::npos);
}

TEST_F(call_commands_test, the_api_transfers_a_live_call_through_its_inbox) {
  const auto r = call_api(loop, port, "POST", "/api/v1/calls/" + caller->call_sid() + "/transfer", R"({"to":"+15125550150"})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(twilio.call_updates().size(), 1u);
  // Only the call itself publishes on the bus: the API did not go to Twilio behind its back.
  EXPECT_TRUE(log->has(app::call_event_type::action, "transferred"));
}

}  // namespace
}  // namespace vg::e2e
