// A validating, allocation-free JSON object scanner for the hot path (media frames, audio
// deltas). It checks the whole text once and keeps views of the top-level members; nested
// objects are scanned on demand. Anything rarer goes through Boost.JSON instead.
// Pure; views point into the caller's text, which must outlive the object_view.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vg::json {

enum class kind : std::uint8_t { string, number, object, array, boolean, null };

struct value_view {
  kind type = kind::null;
  // For strings: the characters between the quotes, still escaped. Otherwise the raw text.
  std::string_view raw;
  bool has_escapes = false;
};

struct member {
  std::string_view key;  // as written (keys we look up never need escapes)
  value_view value;
};

class object_view {
 public:
  static constexpr std::size_t max_members = 24;  // extra members are validated, not kept

  static result<object_view> parse(std::string_view text);

  const value_view* find(std::string_view key) const noexcept;
  // The string member `key` (escaped form), or empty when absent or not a string.
  std::string_view string(std::string_view key) const noexcept;
  // An integer member given either as a JSON number or as a string of digits (Twilio's way).
  std::optional<std::int64_t> integer(std::string_view key) const noexcept;
  const member* begin() const noexcept { return members_.data(); }
  const member* end() const noexcept { return members_.data() + count_; }

 private:
  std::array<member, max_members> members_{};
  std::size_t count_ = 0;
};

// Validates that `text` is one JSON value (any kind) with nothing but whitespace around it.
bool valid(std::string_view text);

// Turns an escaped JSON string body into UTF-8. Returns false on a bad escape.
bool unescape(std::string_view escaped, std::string& out);
// The plain text of a string member: a view of `v.raw` when it has no escapes, else `scratch`.
std::string_view text_of(const value_view& v, std::string& scratch);
// The plain text of a string member as a copy; "" when `v` is null (absent) or not a string.
std::string string_text(const value_view* v);

std::optional<std::int64_t> to_integer(std::string_view digits) noexcept;

// Appends `s` as the body of a JSON string (no quotes), escaping what JSON requires.
void append_escaped(std::string& out, std::string_view s);
// Appends `"s"`.
void append_quoted(std::string& out, std::string_view s);

}  // namespace vg::json
