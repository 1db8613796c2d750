#include "core/call/follow_up.hpp"

namespace vg::call {

std::string_view name_of(const follow_up& f) noexcept {
  return std::visit([](const auto& action) { return name_of(action); }, f);
}

}  // namespace vg::call
