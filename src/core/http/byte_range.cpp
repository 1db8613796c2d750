#include "core/http/byte_range.hpp"

#include <algorithm>
#include <charconv>

namespace vg::http {

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

range_request parse_range_header(std::string_view header, std::uint64_t size) {
  using k = range_request::kind;
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) return {k::whole, {}};
  header.remove_prefix(6);
  const auto dash = header.find('-');
  if (dash == std::string_view::npos || size == 0) return {k::unsatisfiable, {}};
  const std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  if (a.empty()) {  // the last n bytes
    const auto n = parse_decimal(b);
    if (!n || *n == 0) return {k::unsatisfiable, {}};
    return {k::range, {*n >= size ? 0 : size - *n, size - 1}};
  }
  const auto first = parse_decimal(a);
  if (!first || *first >= size) return {k::unsatisfiable, {}};
  std::uint64_t last = size - 1;
  if (!b.empty()) {
    const auto l = parse_decimal(b);
    if (!l || *l < *first) return {k::unsatisfiable, {}};
    last = std::min(*l, size - 1);
  }
  return {k::range, {*first, last}};
}

std::optional<content_range> parse_content_range(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  const auto dash = v.find('-');
  const auto slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  const auto first = parse_decimal(v.substr(0, dash));
  const auto last = parse_decimal(v.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  content_range out{{*first, *last}, std::nullopt};
  if (v.substr(slash + 1) != "*") {
    out.total = parse_decimal(v.substr(slash + 1));
    if (!out.total || *out.total <= *last) return std::nullopt;
  }
  return out;
}

std::string content_range_header(const byte_range& r, std::uint64_t total) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(total);
}

}  // namespace vg::http
