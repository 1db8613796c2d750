// Lenient readers of one member of a parsed JSON object (Boost.JSON), for answers from APIs
// whose optional fields may be missing or of another type: a wrong type reads as absent.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace vg::json_fields {

// The member `key` when it is an object, else null.
inline const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

// The member `key` when it is a string, else "".
inline std::string string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The member `key` as text: a string as it is, an integer in decimal (forms where an id may be
// given either way), anything else "".
inline std::string text_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  return {};
}

// A count (tokens): a non-negative integer; a negative, fractional, too large or absent one is 0.
inline std::int64_t count_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64() > 0 ? v->get_int64() : 0;
  if (v->is_uint64()) return v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX) ? static_cast<std::int64_t>(v->get_uint64()) : 0;
  return 0;
}

}  // namespace vg::json_fields
