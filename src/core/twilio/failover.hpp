// What the caller hears when the model failed and the call cannot go on with it
// (settings.fallback; docs/protocols/twiml.md#failover): never silence. Pure.
#pragma once
#include <string>

namespace vg::twiml {

// Said before the call is dialled to a person.
inline constexpr const char* transfer_notice =
    "Sorry, our assistant is not available right now. I'm connecting you to a person.";
// Said when a Realtime call goes on by Gather turns (settings.fallback: gather).
inline constexpr const char* resume_line = "Sorry, I had a technical problem. I'm still here: how can I help you?";

// With `transfer` and a fallback number: <Say>notice</Say><Dial>number</Dial>. Otherwise (or
// with no number to dial): <Say>apology</Say><Hangup/>. `voice`: <Say voice>, empty for Twilio's.
std::string model_failed_document(bool transfer, const std::string& fallback_number, const std::string& apology,
                                  const std::string& voice);

}  // namespace vg::twiml
