#include "core/agent/json_schema.hpp"

#include "core/agent/org_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <regex>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include <boost/json.hpp>

namespace vg::agent {
namespace {
namespace js = boost::json;
using sv = std::string_view;

constexpr std::size_t max_ref_depth = 64;
constexpr int max_depth = 256;             // subschema nesting: keeps the C++ stack bounded
// Subschema visits allowed per validate(): a fixed allowance plus some per instance value, so
// big payloads pass while anyOf/allOf over a recursive $ref cannot take exponential time.
constexpr std::size_t base_steps = 100000, steps_per_value = 64;
constexpr std::size_t max_pattern = 1000;  // regex size; std::regex compiles recursively
// libstdc++'s regex matcher recurses once per subject character (GCC bug 86164), ~1 KiB of
// stack each under ASan, so longer strings are refused rather than risk the stack.
constexpr std::size_t max_pattern_subject = 512;

std::string join(const std::string& path, sv key) {
  return path.empty() ? std::string(key) : path + '.' + std::string(key);
}
std::string at(const std::string& path, std::size_t i) {
  return path + '[' + std::to_string(i) + ']';
}
const js::value* member(const js::value* v, sv key) {
  const auto* o = v ? v->if_object() : nullptr;
  return o ? o->if_contains(key) : nullptr;
}
template <class T>  // keyword `key` of schema `s` when it has type T
const T* get(const js::object& s, sv key) {
  const auto* v = s.if_contains(key);
  if constexpr (std::is_same_v<T, js::object>) return v ? v->if_object() : nullptr;
  else if constexpr (std::is_same_v<T, js::array>) return v ? v->if_array() : nullptr;
  else return v ? v->if_string() : nullptr;
}
template <class T>
const T& or_empty(const T* p) {  // iterates a keyword that may be absent, without a copy
  static const T empty;
  return p ? *p : empty;
}
bool is_bool(const js::value* v, bool want) { return v && v->is_bool() && v->get_bool() == want; }

// ---- values ---------------------------------------------------------------------------------

bool is_number(const js::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
bool is_whole(long double d) { return std::isfinite(d) && std::trunc(d) == d; }
// long double holds every int64 and uint64 exactly on our targets (x86-64, aarch64), so
// 2^53 + 1 > 2^53 and -1 < 2^64 - 1 come out right without mixed-sign special cases.
long double num(const js::value& v) {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return v.get_double();
}

// JSON equality for enum, const and uniqueItems: 1 equals 1.0, key order does not matter.
bool same(const js::value& a, const js::value& b) {
  if (is_number(a) && is_number(b)) return num(a) == num(b);
  if (a.kind() != b.kind()) return false;
  if (const auto* x = a.if_array())
    return std::equal(x->begin(), x->end(), b.get_array().begin(), b.get_array().end(), same);
  if (!a.is_object()) return a == b;
  const auto& x = a.get_object();
  const auto& y = b.get_object();
  return x.size() == y.size() && std::all_of(x.begin(), x.end(), [&](const auto& m) {
           return y.contains(m.key()) && same(m.value(), y.at(m.key()));
         });
}

std::size_t count_values(const js::value& v) {
  std::size_t n = 1;
  if (const auto* a = v.if_array()) {
    for (const auto& x : *a) n += count_values(x);
  } else if (const auto* o = v.if_object()) {
    for (const auto& m : *o) n += count_values(m.value());
  }
  return n;
}

std::optional<std::uint64_t> as_count(const js::value* v) {
  if (!v || !is_number(*v) || num(*v) < 0 || num(*v) > 1e19L || !is_whole(num(*v))) return {};
  return static_cast<std::uint64_t>(num(*v));
}

// How a value reads in a sentence: strings bare, numbers as a person writes them.
std::string text(const js::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  if (!v.is_double()) return js::serialize(v);
  char buf[32];  // shortest round-trip form: serialize() would write 2.5 as 2.5E0
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v.get_double()).ptr);
}

std::string counted(std::uint64_t n, sv noun) {
  return std::to_string(n) + ' ' + std::string(noun) + (n == 1 ? "" : "s");
}

std::size_t code_points(sv s) {  // UTF-8: every byte that is not a continuation byte
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// ---- types: bit i of a mask stands for types[i] ---------------------------------------------

struct type_info { sv name, phrase; };
constexpr type_info types[] = {{"string", "a string"}, {"number", "a number"},
                               {"integer", "a whole number"}, {"boolean", "true or false"},
                               {"object", "an object"}, {"array", "a list"}, {"null", "null"}};

int type_index(const js::value& name) {
  for (int i = 0; i < 7 && name.is_string(); ++i)
    if (types[i].name == name.get_string()) return i;
  return -1;
}

unsigned type_mask(const js::value& type) {  // 0 when no name is usable
  unsigned mask = 0;
  auto add = [&](const js::value& t) { mask |= type_index(t) >= 0 ? 1u << type_index(t) : 0; };
  if (const auto* list = type.if_array()) std::for_each(list->begin(), list->end(), add);
  else add(type);
  return mask;
}

unsigned bits_of(const js::value& v) {  // every integer is a number, and 3.0 is an integer
  if (v.is_int64() || v.is_uint64() || (v.is_double() && is_whole(v.get_double()))) return 2 | 4;
  if (v.is_string()) return 1;
  return v.is_double() ? 2 : v.is_bool() ? 8 : v.is_object() ? 16 : v.is_array() ? 32 : 64;
}

std::string must_be(unsigned mask) {  // "must be a string or null"
  if (mask & 2) mask &= ~4u;          // "a number or a whole number" says nothing more
  std::string out = "must be ";
  for (int i = 0; i < 7; ++i) {
    if (!((mask >> i) & 1)) continue;
    mask &= ~(1u << i);
    out += std::string(types[i].phrase) + (mask == 0 ? "" : (mask & (mask - 1)) ? ", " : " or ");
  }
  return out;
}

// ---- formats --------------------------------------------------------------------------------

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool hex(char c) { return digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool space(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }
int number_at(sv s, std::size_t pos, std::size_t n) {  // the decimal s[pos, pos + n), or -1
  int out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || !digit(s[i])) return -1;
    out = out * 10 + (s[i] - '0');
  }
  return out;
}

bool valid_date(sv s) {  // a real calendar day: 2024-02-29 but not 2023-02-29
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int y = number_at(s, 0, 4), m = number_at(s, 5, 2), d = number_at(s, 8, 2);
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || y < 0 || m < 1 || m > 12 || d < 1) return false;
  return d <= days[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 1 : 0);
}

bool valid_time(sv s) {  // "HH:MM" or "HH:MM:SS"; no leap second, which no caller means
  const int h = number_at(s, 0, 2), m = number_at(s, 3, 2);
  const int sec = s.size() == 8 && s[5] == ':' ? number_at(s, 6, 2) : s.size() == 5 ? 0 : -1;
  return s.size() >= 5 && s[2] == ':' && h >= 0 && h <= 23 && m >= 0 && m <= 59 && sec >= 0 &&
         sec <= 59;
}

bool valid_date_time(sv s) {  // RFC 3339: 2026-03-14T14:30:00[.123](Z|+02:00)
  if (s.size() < 20 || !valid_date(s.substr(0, 10)) || (s[10] | 0x20) != 't' ||
      !valid_time(s.substr(11, 8)))
    return false;
  std::size_t i = 19;
  if (s[i] == '.') {
    while (i + 1 < s.size() && digit(s[i + 1])) ++i;
    if (i++ == 19) return false;  // a dot needs digits
  }
  const auto zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && valid_time(zone.substr(1));
}

bool valid_uri(sv s) {
  const auto colon = s.find(':');
  if (colon == 0 || colon == sv::npos || colon + 1 == s.size() || !alpha(s[0]) ||
      std::any_of(s.begin(), s.end(), space))
    return false;
  std::string scheme;
  for (char c : s.substr(0, colon)) {
    if (!alpha(c) && !digit(c) && c != '+' && c != '-' && c != '.') return false;
    scheme += static_cast<char>(c | 0x20);  // ASCII lowercase; digits and +-. are unchanged
  }
  if (scheme != "http" && scheme != "https") return true;
  // A web address without a host ("https:/x", "http://:80") is never what a caller meant.
  const auto rest = s.substr(colon + 1);
  if (rest.substr(0, 2) != "//") return false;
  auto host = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
  if (const auto user = host.rfind('@'); user != sv::npos) host.remove_prefix(user + 1);
  if (host.starts_with('[')) return host.find(']') != sv::npos && host.find(']') > 1;  // IPv6
  return !host.substr(0, host.find(':')).empty();
}

bool valid_uuid(sv s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !hex(s[i])) return false;
  }
  return s.size() == 36;
}

struct format_rule { sv name; bool (*ok)(sv); sv message; };
constexpr sv phone_message = "must be an E.164 phone number such as +15125550100";
constexpr format_rule formats[] = {
    {"e164", is_e164, phone_message},  // the same rules as the configuration's numbers and emails
    {"phone", is_e164, phone_message},
    {"email", is_email, "must be an email address such as name@example.com"},
    {"date", valid_date, "must be a date such as 2026-03-14"},
    {"time", valid_time, "must be a time such as 14:30"},
    {"date-time", valid_date_time, "must be a date and time such as 2026-03-14T14:30:00Z"},
    {"uri", valid_uri, "must be a URI such as https://example.com"},
    {"uuid", valid_uuid, "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"},
};
const format_rule* find_format(sv name) {
  for (const auto& f : formats)
    if (f.name == name) return &f;
  return nullptr;
}

std::optional<std::regex> compile(sv pattern) {
  try {
    if (pattern.size() <= max_pattern) return std::regex(pattern.begin(), pattern.end());
  } catch (const std::exception&) {  // std::regex_error: the pattern does not compile
  }
  return std::nullopt;
}

// ---- $ref: "#/components/schemas/NAME" or "#/$defs/NAME", NAME JSON-pointer escaped ---------

const js::value* resolve(sv ref, const js::value& root, bool* form_ok = nullptr) {
  constexpr sv components = "#/components/schemas/", defs = "#/$defs/";
  const bool is_defs = ref.starts_with(defs);
  if (!is_defs && !ref.starts_with(components)) return nullptr;
  ref.remove_prefix(is_defs ? defs.size() : components.size());
  std::string name;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const char next = i + 1 < ref.size() ? ref[i + 1] : '\0';
    if (ref[i] == '/' || (ref[i] == '~' && next != '0' && next != '1')) return nullptr;
    name += ref[i] != '~' ? ref[i] : ref[++i] == '0' ? '~' : '/';
  }
  if (name.empty()) return nullptr;
  if (form_ok) *form_ok = true;
  const auto* table = is_defs ? member(&root, "$defs") : member(member(&root, "components"), "schemas");
  return member(table, name);
}

// ---- validate -------------------------------------------------------------------------------

struct problem {
  schema_error error;
  unsigned expected = 0;  // for a type mismatch: the types that were wanted
};
using problems = std::vector<problem>;

class validator {
 public:
  validator(const js::value& root, std::size_t max_steps) : root_(root), max_steps_(max_steps) {}

  void check(const js::value& schema, const js::value& v, const std::string& path, int depth,
             problems& out) {
    if (aborted_ || ++steps_ > max_steps_) {
      aborted_ = true;
      return;
    }
    if (schema.is_bool()) {
      if (!schema.get_bool()) out.push_back({{path, "is not allowed"}});
      return;
    }
    const auto* s = schema.if_object();
    if (!s) return out.push_back({{path, "cannot be checked: its schema is invalid"}});
    if (depth > max_depth) return out.push_back({{path, "is nested too deeply to check"}});
    if (v.is_null() && is_bool(s->if_contains("nullable"), true)) return;
    if (const auto* ref = get<js::string>(*s, "$ref")) follow(*ref, v, path, depth, out);
    const auto* type = s->if_contains("type");
    if (const auto mask = type ? type_mask(*type) : 0; mask && !(mask & bits_of(v)))
      return out.push_back({{path, must_be(mask)}, mask});
    // After type, enum and const each say all there is to say about a value.
    const auto& choices = or_empty(get<js::array>(*s, "enum"));
    auto is_v = [&](const js::value& x) { return same(x, v); };
    if (!choices.empty() && std::none_of(choices.begin(), choices.end(), is_v)) {
      std::string msg = "must be one of: ";
      for (std::size_t i = 0; i < choices.size(); ++i) msg += (i ? ", " : "") + text(choices[i]);
      return out.push_back({{path, std::move(msg)}});
    }
    if (const auto* c = s->if_contains("const"); c && !same(*c, v))
      return out.push_back({{path, "must be " + text(*c)}});
    if (const auto* str = v.if_string()) strings(*s, *str, path, out);
    else if (is_number(v)) numbers(*s, num(v), path, out);
    else if (const auto* o = v.if_object()) objects(*s, *o, path, depth, out);
    else if (const auto* a = v.if_array()) arrays(*s, *a, path, depth, out);
    combinators(*s, v, path, depth, out);
  }

  std::vector<schema_error> finish(problems& found) const {
    if (aborted_) found.push_back({{"", "is too large to check"}});
    std::vector<schema_error> out;
    std::unordered_set<std::string> seen;  // allOf branches can repeat the same complaint
    for (auto& p : found) {
      if (seen.insert(p.error.path + '\0' + p.error.message).second)
        out.push_back(std::move(p.error));
    }
    return out;
  }

 private:
  void follow(sv ref, const js::value& v, const std::string& path, int depth, problems& out) {
    const js::value* target = resolve(ref, root_);
    if (!target)
      return out.push_back({{path, "cannot be checked: its schema reference is missing"}});
    // The same schema on the same value again is a cycle that would never end.
    const std::pair<const js::value*, const js::value*> here{target, &v};
    if (refs_.size() >= max_ref_depth || std::find(refs_.begin(), refs_.end(), here) != refs_.end())
      return out.push_back({{path, "is nested too deeply to check"}});
    refs_.push_back(here);
    check(*target, v, path, depth + 1, out);
    refs_.pop_back();
  }

  static void strings(const js::object& s, sv v, const std::string& path, problems& out) {
    const auto n = code_points(v);
    if (auto c = as_count(s.if_contains("minLength")); c && n < *c)
      out.push_back({{path, "must be at least " + counted(*c, "character")}});
    if (auto c = as_count(s.if_contains("maxLength")); c && n > *c)
      out.push_back({{path, "must be at most " + counted(*c, "character")}});
    const auto* pattern = get<js::string>(s, "pattern");
    if (const auto re = pattern ? compile(*pattern) : std::nullopt) {
      bool found = false;
      try {
        found = v.size() <= max_pattern_subject && std::regex_search(v.begin(), v.end(), *re);
      } catch (const std::exception&) {  // the matcher gave up: no proof the value is fine
      }
      if (v.size() > max_pattern_subject) out.push_back({{path, "is too long to check"}});
      else if (!found) out.push_back({{path, "is not in the expected format"}});
    }
    const auto* f = get<js::string>(s, "format");
    if (const auto* rule = f ? find_format(*f) : nullptr; rule && !rule->ok(v))
      out.push_back({{path, std::string(rule->message)}});
  }

  static void numbers(const js::object& s, long double x, const std::string& path, problems& out) {
    // OpenAPI 3.0 writes "exclusiveMinimum": true beside "minimum"; later drafts give the bound.
    for (const bool low : {true, false}) {
      const auto* bound = s.if_contains(low ? "minimum" : "maximum");
      const auto* excl = s.if_contains(low ? "exclusiveMinimum" : "exclusiveMaximum");
      auto fails = [&](const js::value* b, bool strict) {
        if (!b || !is_number(*b)) return false;
        const auto c = low ? x <=> num(*b) : num(*b) <=> x;
        return strict ? !(c > 0) : c < 0;
      };
      const std::string beyond = low ? "must be greater than " : "must be less than ";
      const std::string within = low ? "must be at least " : "must be at most ";
      const bool strict = is_bool(excl, true);
      if (fails(bound, strict)) out.push_back({{path, (strict ? beyond : within) + text(*bound)}});
      if (fails(excl, true)) out.push_back({{path, beyond + text(*excl)}});
    }
  }

  void objects(const js::object& s, const js::object& o, const std::string& path, int depth,
               problems& out) {
    const auto* props = get<js::object>(s, "properties");
    const auto& req = or_empty(get<js::array>(s, "required"));
    for (const auto& m : or_empty(props)) {
      if (const auto* x = o.if_contains(m.key()))
        check(m.value(), *x, join(path, m.key()), depth + 1, out);
      else if (std::find(req.begin(), req.end(), js::value(m.key())) != req.end())
        out.push_back({{join(path, m.key()), "is required"}});
    }
    for (const auto& r : req) {  // required names the schema lists no property for
      const auto* name = r.if_string();
      if (name && !(props && props->contains(*name)) && !o.contains(*name))
        out.push_back({{join(path, *name), "is required"}});
    }
    const auto* extra = s.if_contains("additionalProperties");
    for (const auto& m : extra ? o : or_empty<js::object>(nullptr)) {
      if (props && props->contains(m.key())) continue;
      if (is_bool(extra, false)) out.push_back({{join(path, m.key()), "is not an allowed field"}});
      else if (extra->is_object()) check(*extra, m.value(), join(path, m.key()), depth + 1, out);
    }
  }

  void arrays(const js::object& s, const js::array& a, const std::string& path, int depth,
              problems& out) {
    if (auto c = as_count(s.if_contains("minItems")); c && a.size() < *c)
      out.push_back({{path, "must have at least " + counted(*c, "item")}});
    if (auto c = as_count(s.if_contains("maxItems")); c && a.size() > *c)
      out.push_back({{path, "must have at most " + counted(*c, "item")}});
    if (is_bool(s.if_contains("uniqueItems"), true)) {
      bool dup = false;
      for (std::size_t i = 0; i < a.size() && !dup && !aborted_; ++i) {
        steps_ += (a.size() - i) / 64;  // pairwise comparison is quadratic: charge for it
        aborted_ = steps_ > max_steps_;
        for (std::size_t j = i + 1; j < a.size() && !dup; ++j) dup = same(a[i], a[j]);
      }
      if (dup) out.push_back({{path, "must not contain duplicate items"}});
    }
    const auto* items = s.if_contains("items");
    for (std::size_t i = 0; items && i < a.size() && !aborted_; ++i)
      check(*items, a[i], at(path, i), depth + 1, out);
  }

  void combinators(const js::object& s, const js::value& v, const std::string& path, int depth,
                   problems& out) {
    for (const auto& b : or_empty(get<js::array>(s, "allOf"))) check(b, v, path, depth + 1, out);
    for (const bool one : {false, true}) {
      const auto& list = or_empty(get<js::array>(s, one ? "oneOf" : "anyOf"));
      std::vector<problems> failed;
      std::size_t passed = 0;
      for (std::size_t i = 0; i < list.size() && passed < (one ? 2u : 1u); ++i) {
        problems p;
        check(list[i], v, path, depth + 1, p);
        if (p.empty()) ++passed;
        else failed.push_back(std::move(p));
      }
      if (list.empty() || aborted_ || passed == 1 || (!one && passed > 1)) continue;
      if (passed > 1) out.push_back({{path, "must match exactly one allowed form, but matches several"}});
      else report_closest(failed, path, out);
    }
  }

  // No branch matched. Quote the branch the value came closest to (its type matched, fewest
  // problems); when the value has none of the branches' types, list the types that would do.
  static void report_closest(const std::vector<problems>& failed, const std::string& path,
                             problems& out) {
    unsigned wanted = 0;
    const problems* best = nullptr;
    for (const auto& p : failed) {
      auto wrong_type = [&](const problem& x) { return x.expected && x.error.path == path; };
      if (const auto w = std::find_if(p.begin(), p.end(), wrong_type); w != p.end())
        wanted |= w->expected;
      else if (!best || p.size() < best->size())
        best = &p;
    }
    if (best) out.insert(out.end(), best->begin(), best->end());
    else out.push_back({{path, must_be(wanted)}, wanted});
  }

  const js::value& root_;
  const std::size_t max_steps_;
  std::size_t steps_ = 0;
  bool aborted_ = false;
  std::vector<std::pair<const js::value*, const js::value*>> refs_;  // ($ref target, value) chain
};

// ---- check_schema ---------------------------------------------------------------------------

class schema_checker {
 public:
  explicit schema_checker(const js::value& root) : root_(root) {}
  std::vector<schema_error> out;

  void schema(const js::value& s, const std::string& path, int depth) {
    if (s.is_bool()) return;
    if (!s.is_object()) return bad(path, "must be a schema object, true or false");
    if (depth > max_depth) return bad(path, "is nested too deeply");
    for (const auto& m : s.get_object())
      keyword(s.get_object(), m.key(), m.value(), join(path, m.key()), depth);
  }

 private:
  void bad(const std::string& path, std::string message) { out.push_back({path, std::move(message)}); }

  void keyword(const js::object& s, sv key, const js::value& v, const std::string& p, int depth) {
    auto is = [&](std::initializer_list<sv> names) {
      return std::find(names.begin(), names.end(), key) != names.end();
    };
    const js::array* list = v.if_array();
    if (is({"description", "title", "$comment", "pattern", "format"}) && !v.is_string())
      return bad(p, "must be a string");
    if (is({"anyOf", "oneOf", "allOf", "enum"}) && (!list || list->empty()))
      return bad(p, "must be a non-empty array");
    if (is({"minLength", "maxLength", "minItems", "maxItems"}) && !as_count(&v))
      return bad(p, "must be a non-negative whole number");
    if (is({"uniqueItems", "nullable"}) && !v.is_bool()) return bad(p, "must be true or false");
    if (is({"minimum", "maximum"}) && !is_number(v)) return bad(p, "must be a number");
    if (is({"default", "example", "const", "description", "title", "$comment", "enum", "uniqueItems",
            "nullable", "minLength", "minItems", "minimum"}))
      return;
    if (key == "examples") {
      if (!list) bad(p, "must be an array");
    } else if (key == "type") {
      if (v.is_string() && type_index(v) < 0) bad(p, "is not a known type: " + text(v));
      if (!v.is_string() && (!list || list->empty()))
        bad(p, "must be a type name or a non-empty array of them");
      for (std::size_t i = 0; list && i < list->size(); ++i) {
        const auto first = std::find(list->begin(), list->end(), (*list)[i]) - list->begin();
        if (type_index((*list)[i]) < 0) bad(at(p, i), "is not a known type");
        else if (static_cast<std::size_t>(first) != i) bad(at(p, i), "repeats a type");
      }
    } else if (is({"properties", "$defs"})) {
      if (!v.is_object()) return bad(p, "must be an object");
      for (const auto& m : v.get_object()) schema(m.value(), join(p, m.key()), depth + 1);
    } else if (key == "required") {
      // A name outside "properties" is almost always a typo; only a schema listing no
      // properties and allowing extra ones (an allOf mix-in) may require it.
      if (!list) return bad(p, "must be an array of property names");
      const auto* props = get<js::object>(s, "properties");
      const bool closed = props || is_bool(s.if_contains("additionalProperties"), false);
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto* name = (*list)[i].if_string();
        if (!name) bad(at(p, i), "must be a string");
        else if (closed && !(props && props->contains(*name)))
          bad(at(p, i), "names " + std::string(*name) + ", which is not in properties");
      }
    } else if (is({"additionalProperties", "items"})) {
      schema(v, p, depth + 1);
    } else if (is({"maxLength", "maxItems"})) {
      const std::string low = key == "maxLength" ? "minLength" : "minItems";
      const auto min = as_count(s.if_contains(low));
      if (min && *min > *as_count(&v)) bad(p, "is less than " + low);
    } else if (key == "maximum") {
      const auto* min = s.if_contains("minimum");
      if (min && is_number(*min) && num(*min) > num(v)) bad(p, "is less than minimum");
    } else if (is({"exclusiveMinimum", "exclusiveMaximum"})) {
      if (!is_number(v) && !v.is_bool()) bad(p, "must be a number or a boolean");
    } else if (key == "pattern") {
      if (v.get_string().size() > max_pattern) bad(p, "is too long");
      else if (!compile(v.get_string())) bad(p, "is not a valid regular expression");
    } else if (key == "format") {
      if (!find_format(v.get_string())) bad(p, "is not a supported format: " + text(v));
    } else if (is({"anyOf", "oneOf", "allOf"})) {
      for (std::size_t i = 0; i < list->size(); ++i) schema((*list)[i], at(p, i), depth + 1);
    } else if (key == "$ref") {
      bool form_ok = false;
      const bool found = v.is_string() && resolve(v.get_string(), root_, &form_ok);
      // A components ref resolves in an OpenAPI document this function is not given.
      if (!form_ok) bad(p, "must be a string such as #/components/schemas/NAME or #/$defs/NAME");
      else if (!found && v.get_string().starts_with("#/$defs/"))
        bad(p, "refers to a missing definition: " + text(v));
    } else {
      bad(p, "is not a supported keyword");
    }
  }

  const js::value& root_;
};

}  // namespace

std::vector<schema_error> validate(const js::value& schema, const js::value& instance) {
  return validate(schema, instance, schema);
}

std::vector<schema_error> validate(const js::value& schema, const js::value& instance,
                                   const js::value& root) {
  try {
    validator v(root, base_steps + steps_per_value * count_values(instance));
    problems found;
    v.check(schema, instance, "", 0, found);
    return v.finish(found);
  } catch (const std::exception&) {  // only allocation can throw: fail closed, never accept
    return {{"", "cannot be checked"}};
  }
}

std::vector<schema_error> check_schema(const js::value& schema) {
  try {
    schema_checker c(schema);
    c.schema(schema, "", 0);
    return std::move(c.out);
  } catch (const std::exception&) {
    return {{"", "cannot be checked"}};
  }
}

std::string describe(const std::vector<schema_error>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += (out.empty() ? "" : "; ") + (e.path.empty() ? e.path : e.path + ": ") + e.message;
  return out;
}

}  // namespace vg::agent
