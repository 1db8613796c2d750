// HTTP header lists as both the server and the client keep them: names lower-cased.
#pragma once
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vg::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

inline std::string lower_case(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The first value of header `lower_name`, or empty.
inline std::string_view find_header(const header_list& headers, std::string_view lower_name) {
  for (const auto& [n, v] : headers) {
    if (n == lower_name) return v;
  }
  return {};
}

}  // namespace vg::net
