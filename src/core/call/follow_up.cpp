#include "core/call/follow_up.hpp"

namespace vg::call {

std::string_view name_of(const follow_up& f) noexcept {
  struct namer {
    std::string_view operator()(const transfer_to&) const { return "transfer"; }
    std::string_view operator()(const hang_up&) const { return "hang_up"; }
    std::string_view operator()(const send_digits&) const { return "send_digits"; }
    std::string_view operator()(const join_conference&) const { return "join_conference"; }
  };
  return std::visit(namer{}, f);
}

}  // namespace vg::call
