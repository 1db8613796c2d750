// Silence on a call (settings.idle_timeout_s). When neither side has spoken for `timeout`, the
// assistant asks whether the caller is still there (a nudge); when another full period passes
// without a word from the caller, it says goodbye and the call ends (end_reason::idle).
//
// What counts as speech: the caller's (speech started or stopped, a key) starts a new period
// and forgets the nudge; the assistant's (audio playing, a response running) only restarts the
// period, so the nudge's own audio does not earn the caller a second nudge. Pure: the bridge
// feeds it what it knows and its ticks (docs/architecture.md#the-call-session), `now` on the
// call's clock.
#pragma once
#include "core/call/playback.hpp"

namespace vg::call {

class idle_watch {
 public:
  enum class action { none, nudge, goodbye };

  explicit idle_watch(micros timeout = micros{0}) : timeout_(timeout) {}
  bool enabled() const noexcept { return timeout_.count() > 0; }

  // The conversation began (Twilio's stream started): the first period starts.
  void start(micros now) noexcept;
  // The caller spoke or pressed a key.
  void caller_active(micros now) noexcept;
  // The assistant is speaking, or about to.
  void assistant_active(micros now) noexcept;
  // What to do now: a nudge once a silent period has passed, a goodbye once a second one has
  // passed after the nudge (then nothing more, ever).
  action on_tick(micros now) noexcept;

  bool nudged() const noexcept { return nudged_; }

 private:
  micros timeout_;
  micros since_{0};  // the current silent period began here
  bool started_ = false;
  bool nudged_ = false;
  bool done_ = false;
};

}  // namespace vg::call
