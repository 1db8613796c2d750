#include "core/twilio/failover.hpp"

#include "core/twilio/twiml.hpp"

namespace vg::twiml {

std::string model_failed_document(bool transfer, const std::string& fallback_number, const std::string& apology,
                                  const std::string& voice) {
  const say_options spoken{voice, {}};
  if (transfer && !fallback_number.empty()) return document({say(transfer_notice, spoken), dial(fallback_number)});
  return document({say(apology, spoken), hangup()});
}

}  // namespace vg::twiml
