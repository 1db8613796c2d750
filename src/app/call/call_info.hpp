// Who a call is between and what answers it: fixed when the call starts.
#pragma once
#include <string>

#include "app/orgs/directory.hpp"

namespace vg::app {

struct call_info {
  std::string call_sid;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string direction;
  call_setup setup;  // the organisation's assistant; empty fields fall back to the config

  bool outbound() const { return direction.starts_with("outbound"); }
};

}  // namespace vg::app
