// Small ASCII text helpers used all over: protocol tokens (header names, URL schemes, "closed")
// are ASCII and compared case-insensitively. Pure; locale-independent (std::tolower is not).
#pragma once
#include <string>
#include <string_view>

namespace vg::text {

// ASCII letters A-Z turned into a-z; every other byte (UTF-8 included) is kept as it is.
std::string lower(std::string_view s);

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim(std::string_view s);

}  // namespace vg::text
