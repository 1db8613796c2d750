// Builds an assistant's system instructions from its organisation and configuration, in clear
// sections. Deterministic: the same inputs give the same text (golden-file tested), and "now"
// comes in as the business's local time, so the assistant knows whether it is open.
#pragma once
#include <string>

#include "core/agent/org_config.hpp"

namespace vg::agent {

// The business's wall clock at the start of the call (computed from its time zone by the caller).
struct local_clock {
  int year = 1970, month = 1, day = 1;
  int hour = 0, minute = 0;
  int weekday = 4;           // 0 = Sunday (1970-01-01 was a Thursday)
  std::string utc_offset = "+00:00";
};

std::string build_prompt(const organization& org, const assistant& a, const local_clock& now);

// The first thing the model is asked to do: say the configured greeting, or greet in general.
std::string greeting_request(const organization& org, const assistant& a);

}  // namespace vg::agent
