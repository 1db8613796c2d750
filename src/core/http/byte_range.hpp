// HTTP byte ranges (RFC 9110 14): the Range header a client sends (an audio player seeking in a
// recording) and the Content-Range header a server answers with (S3's ranged reads). Pure.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vg::http {

// A non-negative decimal with nothing around it ("12", not " 12", "+12", "1e3" or "").
std::optional<std::uint64_t> parse_decimal(std::string_view s);

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

struct range_request {
  enum class kind {
    whole,          // no range that applies (several ranges, another unit): answer 200 with everything
    range,          // answer 206 with `range`
    unsatisfiable,  // answer 416 with "bytes */SIZE"
  };
  kind what = kind::whole;
  byte_range range;
};

// "bytes=a-b", "bytes=a-" and "bytes=-n" against a representation of `size` bytes. A last
// position past the end is cut at the end; a suffix longer than the whole is the whole. A header
// naming several ranges or another unit is `whole` (RFC 9110 allows ignoring Range); a malformed
// or impossible one (start past the end, b < a, "bytes=-0", any range of an empty body) is
// `unsatisfiable`.
range_request parse_range_header(std::string_view header, std::uint64_t size);

// "bytes 0-9/1234" (RFC 9110 14.4); total is empty for "/*" (the server does not know).
struct content_range {
  byte_range range;
  std::optional<std::uint64_t> total;
};
std::optional<content_range> parse_content_range(std::string_view value);

// "bytes FIRST-LAST/TOTAL"
std::string content_range_header(const byte_range& r, std::uint64_t total);

}  // namespace vg::http
