// HTTP header lists as both the server and the client keep them: names lower-cased.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.hpp"

namespace vg::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

inline std::string lower_case(std::string_view s) { return text::lower(s); }

// The first value of header `lower_name`, or empty.
inline std::string_view find_header(const header_list& headers, std::string_view lower_name) {
  for (const auto& [n, v] : headers) {
    if (n == lower_name) return v;
  }
  return {};
}

}  // namespace vg::net
