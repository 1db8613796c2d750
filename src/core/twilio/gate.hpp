// The key-press gate (settings.gate; docs/protocols/twiml.md#gate): before the assistant
// answers, the caller hears a prompt inside a <Gather> and must press a key (any key, or the
// gate's digits). No key before the timeout, or a wrong one, is another attempt; after the
// last, a goodbye and <Hangup/>. Pure: the TwiML and the decision; app/twilio serves them and
// opens the model session only when the gate opens (a robocall costs no model time).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/agent/assistant_settings.hpp"
#include "core/twilio/twiml.hpp"

namespace vg::gate {

// A gate's settings with their defaults filled in.
struct plan {
  std::string digits;  // what opens the gate; empty: any key
  std::string prompt;  // default "Press any key to start." / "Press 1 to start."
  int timeout_s = 5;   // whole seconds per attempt (Twilio takes integers; rounded up)
  int attempts = 2;
  std::string goodbye = "Goodbye.";
};

// Whether the assistant has a gate at all: `gate` present, with digits or a press_any_key
// that is not false (`{press_any_key: false}` alone turns it off).
bool active(const std::optional<agent::gate_settings>& g);
plan plan_of(const agent::gate_settings& g);

// What to do with a request to the gate's URL for `attempt` (1-based).
struct step {
  bool open = false;  // the right key: connect the call
  int attempt = 0;    // otherwise: the attempt to play now; > attempts means goodbye
};
// `pressed`: the Digits Twilio sent with <Gather action> (the answer to `attempt`); nullopt
// when the request is the <Redirect> that follows a <Gather> with no input (then `attempt` is
// the one to play).
step next(const plan& p, int attempt, std::optional<std::string_view> pressed);
bool accepts(const plan& p, std::string_view pressed);

// The document for `attempt`: <Gather numDigits timeout finishOnKey="" action=URL(attempt)>
// with the prompt, then <Redirect>URL(attempt + 1)</Redirect>, or after the last attempt the
// goodbye and <Hangup/>. An attempt past the last is the goodbye and <Hangup/> alone.
// URL(n) is `url_prefix` followed by n.
std::string document(const plan& p, int attempt, std::string_view url_prefix, const twiml::say_options& voice);

}  // namespace vg::gate
