#include "core/twilio/gate.hpp"

#include <algorithm>
#include <cmath>

namespace vg::gate {
namespace {

// "1" -> "1", "12#" -> "1 2 pound": keys as text-to-speech should read them.
std::string spoken_keys(std::string_view digits) {
  std::string out;
  for (const char c : digits) {
    if (!out.empty()) out += ' ';
    if (c == '*') out += "star";
    else if (c == '#') out += "pound";
    else out += c;
  }
  return out;
}

}  // namespace

bool active(const std::optional<agent::gate_settings>& g) {
  return g && (!g->digits.empty() || g->press_any_key.value_or(true));
}

plan plan_of(const agent::gate_settings& g) {
  plan p;
  p.digits = g.digits;
  p.prompt = !g.prompt.empty()       ? g.prompt
             : p.digits.empty()      ? std::string("Press any key to start.")
                                     : "Press " + spoken_keys(p.digits) + " to start.";
  if (g.timeout_s) p.timeout_s = std::max(1, static_cast<int>(std::ceil(*g.timeout_s)));
  if (g.attempts) p.attempts = std::max(1, *g.attempts);
  if (!g.goodbye.empty()) p.goodbye = g.goodbye;
  return p;
}

bool accepts(const plan& p, std::string_view pressed) {
  return p.digits.empty() ? !pressed.empty() : pressed == p.digits;
}

step next(const plan& p, int attempt, std::optional<std::string_view> pressed) {
  attempt = std::max(attempt, 1);
  if (!pressed) return {false, attempt};
  if (accepts(p, *pressed)) return {true, attempt};
  return {false, attempt + 1};
}

std::string document(const plan& p, int attempt, std::string_view url_prefix, const twiml::say_options& voice) {
  const auto url = [&](int n) { return std::string(url_prefix) + std::to_string(n); };
  if (attempt > p.attempts) return twiml::document({twiml::say(p.goodbye, voice), twiml::hangup()});
  twiml::gather_options g;
  g.input = "dtmf";
  g.num_digits = p.digits.empty() ? 1 : static_cast<int>(p.digits.size());
  g.timeout_s = p.timeout_s;
  g.finish_on_key = "";  // every key counts as a key, # and * included
  g.action_url = url(attempt);
  std::vector<twiml::element> verbs;
  verbs.push_back(twiml::gather(g, {twiml::say(p.prompt, voice)}));
  if (attempt < p.attempts) {
    verbs.push_back(twiml::redirect(url(attempt + 1)));
  } else {
    verbs.push_back(twiml::say(p.goodbye, voice));
    verbs.push_back(twiml::hangup());
  }
  return twiml::document(verbs);
}

}  // namespace vg::gate
