// A call's time logic on a manual clock (the clock port): the duration limit, the wait for
// Twilio's media stream and the model's reconnect back-off happen exactly when the clock says,
// and not before, with no test sleeping through them.
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/fakes/manual_clock.hpp"

namespace vg::e2e {
namespace {
using namespace std::chrono_literals;
using fakes::wait_until;

class call_time_test : public bridge_test {
 protected:
  call_time_test() {
    clock = std::make_shared<fakes::manual_clock>();
    server_clock = clock;
  }
  std::size_t stored_calls_ended(const std::string& sid, std::string& reason) {
    auto row = server->store().query([sid](ports::store& s) { return s.find_call(sid); }).get();
    if (!row || row->ended_at_ms == 0) return 0;
    reason = row->end_reason;
    return 1;
  }
  std::shared_ptr<fakes::manual_clock> clock;
};

TEST_F(call_time_test, the_duration_limit_is_reached_on_the_calls_clock_not_the_wall) {
  start_server([](app::config& c) { c.max_call_duration = std::chrono::seconds(60); });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() >= 10; }));  // the greeting played
  clock->advance(59s);
  // The ticker has looked at 59 s (it waits on the clock again) and said nothing yet.
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 1; }));
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);
  clock->advance(2s);
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 2u; }));
  EXPECT_NE(js::serialize(model_events(0, "response.create")[1]).find("goodbye"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));  // after the goodbye played
  EXPECT_EQ(caller->media_received(), 20u);
  std::string reason;
  ASSERT_TRUE(wait_until([&] { return stored_calls_ended(caller->call_sid(), reason) == 1; }));
  EXPECT_EQ(reason, "max_duration");
}

TEST_F(call_time_test, a_call_whose_stream_never_comes_ends_after_thirty_seconds_of_its_clock) {
  start_server();
  auto caller = make_caller(caller_options());
  ASSERT_EQ(caller->place_call(), 200);  // the webhook starts the session; no stream is opened
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 2; }));  // the stream wait and the ticker
  clock->advance(29s);
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 2; }));
  EXPECT_EQ(server->active_calls(), 1u);
  clock->advance(2s);
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  std::string reason;
  ASSERT_TRUE(wait_until([&] { return stored_calls_ended(caller->call_sid(), reason) == 1; }));
  EXPECT_EQ(reason, "bridge_error");
}

TEST_F(call_time_test, the_model_is_retried_only_as_its_back_off_passes) {
  fakes::realtime_script script;
  script.refuse = true;
  model.set_script(script);
  start_server([](app::config& c) { c.model_reconnect_attempts = 2; });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return model.refused() == 1; }));
  // Once the stream is attached, its 30 s wait is over: what waits on the clock now is the
  // ticker and the back-off after the first failure (500 ms).
  const auto sid = caller->call_sid();
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : server->store().query([sid](ports::store& s) { return s.events(sid); }).get()) {
      if (e.kind == "stream_started") return true;
    }
    return false;
  }));
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 2; }));
  EXPECT_EQ(model.refused(), 1u);
  clock->advance(400ms);
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 2; }));
  EXPECT_EQ(model.refused(), 1u);
  clock->advance(100ms);
  ASSERT_TRUE(wait_until([&] { return model.refused() == 2; }));
  // Then 1 s, once the session is waiting on it (the refusal is counted before the session
  // hears of it); the third failure is one too many: the caller hears the apology.
  ASSERT_TRUE(wait_until([&] { return clock->waiting() >= 2; }));  // the ticker and the back-off
  clock->advance(1s);
  ASSERT_TRUE(wait_until([&] { return model.refused() == 3; }));
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));
  EXPECT_NE(caller->request_action().find("<Say>"), std::string::npos);
}

}  // namespace
}  // namespace vg::e2e
