#include "core/agent/config_reader.hpp"

#include <cmath>

#include <boost/json.hpp>

namespace vg::agent {
namespace json = boost::json;

const json::object* config_reader::object(const json::value& v, const std::string& path,
                                          std::span<const std::string_view> known) {
  const auto* o = v.if_object();
  if (o == nullptr) {
    fail(path.empty() ? "body" : path, "must be an object");
    return nullptr;
  }
  for (const auto& kv : *o) {
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) fail(join(path, kv.key()), "is not a known field");
  }
  return o;
}

std::string config_reader::text(const json::object& o, const std::string& path, std::string_view key, bool required,
                                std::size_t max_len, bool number_ok) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) fail(join(path, key), "is required");
    return {};
  }
  std::string out;
  if (const auto* s = v->if_string()) out.assign(s->data(), s->size());
  else if (number_ok && v->is_int64()) out = std::to_string(v->get_int64());
  else if (number_ok && v->is_uint64()) out = std::to_string(v->get_uint64());
  else {
    fail(join(path, key), "must be text");
    return {};
  }
  if (out.size() > max_len) fail(join(path, key), "must be at most " + std::to_string(max_len) + " characters");
  if (required && out.empty()) fail(join(path, key), "must not be empty");
  return out;
}

std::optional<double> config_reader::number(const json::object& o, const std::string& path, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number()) {
    fail(join(path, key), "must be a number");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || d < 0) {
    fail(join(path, key), "must be zero or more");
    return std::nullopt;
  }
  return d;
}

int config_reader::whole(const json::object& o, const std::string& path, std::string_view key, int max) {
  return whole_if_given(o, path, key, 0, max).value_or(0);
}

std::optional<int> config_reader::whole_if_given(const json::object& o, const std::string& path, std::string_view key,
                                                 int min, int max) {
  const auto d = number(o, path, key);
  if (!d) return std::nullopt;
  if (*d != std::floor(*d) || *d < min || *d > max) {
    fail(join(path, key), min == 0 ? "must be a whole number up to " + std::to_string(max)
                                   : "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return static_cast<int>(*d);
}

std::optional<double> config_reader::positive(const json::object& o, const std::string& path, std::string_view key,
                                              double max) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const double d = v->is_number() ? v->to_number<double>() : 0;
  if (!v->is_number() || !std::isfinite(d) || d <= 0 || d > max) {
    fail(join(path, key), "must be a number above 0 and at most " + json::serialize(number_to_json(max)));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> config_reader::flag(const json::object& o, const std::string& path, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    fail(join(path, key), "must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::vector<std::string> config_reader::texts(const json::object& o, const std::string& path, std::string_view key) {
  std::vector<std::string> out;
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  const auto* a = v->if_array();
  if (a == nullptr) {
    fail(join(path, key), "must be a list");
    return out;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto* s = (*a)[i].if_string();
    if (s == nullptr) fail(join(path, key) + "[" + std::to_string(i) + "]", "must be text");
    else out.emplace_back(s->data(), s->size());
  }
  return out;
}

json::value number_to_json(double d) {
  // 2^53: every whole double up to it is an exact int64.
  if (d == std::floor(d) && std::fabs(d) <= 9007199254740992.0) return static_cast<std::int64_t>(d);
  return d;
}

}  // namespace vg::agent
