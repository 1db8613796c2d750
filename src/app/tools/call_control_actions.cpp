// Call control: what happens to the call once the assistant's reply has played. The outcome
// carries it as a follow-up (`then`); the call session carries it out (call_state::carry_out).
#include <boost/json.hpp>

#include "app/tools/action_families.hpp"
#include "app/tools/action_support.hpp"
#include "core/audio/dtmf.hpp"

namespace vg::app::actions {
namespace json = boost::json;

namespace {

// Seed 002's conference_user is accepted on import but has nothing to run yet (it needs an
// outbound leg to the user): the model is told the truth rather than left to believe it happened.
tool_outcome not_connected(const std::string& tool) {
  return failed("The function '" + tool + "' is not connected to an action this server knows.");
}

}  // namespace

awaitable<tool_outcome> perform(tool_runner&, tool_context ctx, std::string, agent::transfer_call a, args_t) {
  const std::string to = a.to_fallback() ? ctx.org->org.fallback_number : a.to;
  if (!agent::is_e164(to)) co_return failed("No one is available to take the call; offer to take a message.");
  tool_outcome out{json::serialize(json::object{{"ok", true}, {"instruction", "Tell the caller in one short sentence that you are transferring them now."}}),
                   "ok", call::follow_up{call::transfer_to{to}}};
  co_return out;
}

awaitable<tool_outcome> perform(tool_runner&, tool_context, std::string, agent::end_call, args_t) {
  tool_outcome out{json::serialize(json::object{{"ok", true}, {"instruction", "Say a short, friendly goodbye."}}), "ok",
                   call::follow_up{call::hang_up{}}};
  co_return out;
}

// Keys for a phone menu: played in-band once the reply (normally none) has played.
awaitable<tool_outcome> perform(tool_runner&, tool_context, std::string, agent::press_digits, args_t args) {
  const std::string digits = string_at(args, "digits");
  if (digits.empty() || !audio::valid_dtmf(digits)) {
    co_return failed("digits: give the keys to press, 0-9, * and #, with w for a half-second pause.");
  }
  tool_outcome out{json::serialize(json::object{{"ok", true}, {"pressed", digits}, {"instruction", "Say nothing; the keys are being pressed now."}}),
                   "ok", call::follow_up{call::send_digits{digits}}};
  co_return out;
}

awaitable<tool_outcome> perform(tool_runner&, tool_context, std::string tool, agent::conference_user, args_t) {
  co_return not_connected(tool);
}

}  // namespace vg::app::actions
