// What a call does once the assistant's reply has played: the set of actions a tool (or, at
// once, a call command) can ask for. The bridge decides *when* (after the reply, mark-based);
// the session decides *how*, in one place (call_session's carry_out). See
// docs/architecture.md#after-the-reply.
#pragma once
#include <string>
#include <string_view>
#include <variant>

namespace vg::call {

struct transfer_to {
  std::string number;  // E.164 or a SIP URI, as <Dial> takes it
};
struct hang_up {};
struct send_digits {
  std::string digits;  // 0-9 * # A-D, and 'w' for a half-second pause (as Twilio's sendDigits)
};
struct join_conference {
  std::string room;  // <Dial><Conference>room</Conference></Dial>
};

using follow_up = std::variant<transfer_to, hang_up, send_digits, join_conference>;

// "transfer", "hang_up", "send_digits", "join_conference": the name events and logs use.
constexpr std::string_view name_of(const transfer_to&) noexcept { return "transfer"; }
constexpr std::string_view name_of(const hang_up&) noexcept { return "hang_up"; }
constexpr std::string_view name_of(const send_digits&) noexcept { return "send_digits"; }
constexpr std::string_view name_of(const join_conference&) noexcept { return "join_conference"; }
std::string_view name_of(const follow_up& f) noexcept;

}  // namespace vg::call
