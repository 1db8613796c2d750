// Silence on a call: the nudge after one silent period, the goodbye after a second, and what
// resets the count (docs/architecture.md#the-call-session). Time is passed in.
#include <gtest/gtest.h>

#include "core/call/idle_watch.hpp"

namespace vg::call {
namespace {

using action = idle_watch::action;
micros s(std::int64_t seconds) { return micros{seconds * 1'000'000}; }
micros ms(std::int64_t millis) { return micros{millis * 1000}; }

TEST(idle_watch, off_without_a_timeout) {
  idle_watch w;
  EXPECT_FALSE(w.enabled());
  w.start(s(0));
  EXPECT_EQ(w.on_tick(s(100000)), action::none);
}

TEST(idle_watch, nothing_before_the_conversation_starts) {
  idle_watch w(s(10));
  EXPECT_EQ(w.on_tick(s(60)), action::none);
  w.start(s(60));
  EXPECT_EQ(w.on_tick(s(69)), action::none);
  EXPECT_EQ(w.on_tick(s(70)), action::nudge);
}

TEST(idle_watch, nudges_after_one_silent_period_and_says_goodbye_after_a_second) {
  idle_watch w(s(10));
  w.start(s(0));
  EXPECT_EQ(w.on_tick(ms(9999)), action::none);
  EXPECT_EQ(w.on_tick(s(10)), action::nudge);
  EXPECT_TRUE(w.nudged());
  EXPECT_EQ(w.on_tick(ms(10500)), action::none);  // asked once
  EXPECT_EQ(w.on_tick(ms(19999)), action::none);
  EXPECT_EQ(w.on_tick(s(20)), action::goodbye);
  EXPECT_EQ(w.on_tick(s(30)), action::none);  // and that is the end
  EXPECT_EQ(w.on_tick(s(1000)), action::none);
}

TEST(idle_watch, the_assistant_speaking_restarts_the_period_but_keeps_the_nudge) {
  idle_watch w(s(10));
  w.start(s(0));
  ASSERT_EQ(w.on_tick(s(10)), action::nudge);
  // The nudge plays for 3 s: the second period starts when it has played.
  w.assistant_active(ms(10500));
  w.assistant_active(s(13));
  EXPECT_EQ(w.on_tick(ms(22999)), action::none);
  EXPECT_EQ(w.on_tick(s(23)), action::goodbye);
}

TEST(idle_watch, the_caller_speaking_starts_over) {
  idle_watch w(s(10));
  w.start(s(0));
  w.caller_active(s(8));
  EXPECT_EQ(w.on_tick(s(10)), action::none);
  EXPECT_EQ(w.on_tick(s(17)), action::none);
  EXPECT_EQ(w.on_tick(s(18)), action::nudge);
  // An answer to the nudge: back to a fresh period, and the next silence is nudged again.
  w.caller_active(s(20));
  EXPECT_FALSE(w.nudged());
  EXPECT_EQ(w.on_tick(ms(29999)), action::none);
  EXPECT_EQ(w.on_tick(s(30)), action::nudge);
  EXPECT_EQ(w.on_tick(s(40)), action::goodbye);
}

TEST(idle_watch, a_second_start_does_not_move_the_period) {
  idle_watch w(s(10));
  w.start(s(0));
  w.start(s(5));
  EXPECT_EQ(w.on_tick(s(10)), action::nudge);
}

}  // namespace
}  // namespace vg::call
