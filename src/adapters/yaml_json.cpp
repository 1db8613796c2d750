#include "adapters/yaml_json.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <system_error>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

namespace vg::adapters {
namespace json = boost::json;
namespace {

constexpr int max_depth = 64;
constexpr std::string_view core_tag = "tag:yaml.org,2002:";

// What a plain (unquoted) scalar means: the YAML 1.2 core schema, with numbers limited to
// JSON's grammar so phone numbers (+1...), times (08:00) and codes (007, 0x1F) stay text.
enum class plain { text, null, boolean, integer, decimal };

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  for (auto x : list) {
    if (s == x) return true;
  }
  return false;
}

bool is_special_double(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return is_one_of(s, {".inf", ".Inf", ".INF"});
}

bool is_nan(std::string_view s) { return is_one_of(s, {".nan", ".NaN", ".NAN"}); }

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
plain classify_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (digits() == 0) return plain::text;
  bool decimal = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return plain::text;
    decimal = true;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return plain::text;
    decimal = true;
  }
  if (i != s.size()) return plain::text;
  return decimal ? plain::decimal : plain::integer;
}

plain classify(std::string_view s) {
  if (is_one_of(s, {"", "~", "null", "Null", "NULL"})) return plain::null;
  if (is_one_of(s, {"true", "True", "TRUE", "false", "False", "FALSE"})) return plain::boolean;
  if (is_special_double(s) || is_nan(s)) return plain::decimal;
  return classify_number(s);
}

json::value to_double(std::string_view s) {
  if (is_nan(s)) return std::numeric_limits<double>::quiet_NaN();
  if (is_special_double(s)) {
    return s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  double d = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  // Out of range: what strtod gives (infinity, or zero and subnormals), as Boost.JSON does.
  if (r.ec == std::errc::result_out_of_range) d = std::strtod(std::string(s).c_str(), nullptr);
  return d;
}

json::value to_integer(std::string_view s) {
  const char* end = s.data() + s.size();
  std::int64_t i = 0;
  if (auto r = std::from_chars(s.data(), end, i); r.ec == std::errc() && r.ptr == end) return i;
  std::uint64_t u = 0;
  if (auto r = std::from_chars(s.data(), end, u); r.ec == std::errc() && r.ptr == end) return u;
  return to_double(s);
}

struct failure {
  std::string message;
};

std::string where(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {};
  return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1) + ": ";
}

[[noreturn]] void fail(const YAML::Mark& m, const std::string& message) { throw failure{where(m) + message}; }

// "!!int" rather than "tag:yaml.org,2002:int", as it was written.
std::string shown(const std::string& tag) {
  return tag.rfind(core_tag, 0) == 0 ? "!!" + tag.substr(core_tag.size()) : tag;
}

class converter {
 public:
  explicit converter(std::size_t budget) : budget_(budget) {}

  json::value convert(const YAML::Node& n, int depth) {
    if (budget_-- == 0) fail(n.Mark(), "the document expands to too many values (aliases repeated too often?)");
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return null_node(n);
      case YAML::NodeType::Scalar:
        return scalar(n);
      case YAML::NodeType::Sequence:
        return sequence(n, depth + 1);
      case YAML::NodeType::Map:
        return map(n, depth + 1);
    }
    return nullptr;
  }

 private:
  static json::value null_node(const YAML::Node& n) {
    const std::string& tag = n.Tag();
    if (tag.empty() || tag == "?" || tag == std::string(core_tag) + "null") return nullptr;
    if (tag == "!" || tag == std::string(core_tag) + "str") return json::string();
    fail(n.Mark(), "an empty value cannot have the tag " + shown(tag));
  }

  static json::value scalar(const YAML::Node& n) {
    const std::string& tag = n.Tag();
    const std::string& s = n.Scalar();
    if (tag == "!" || tag == std::string(core_tag) + "str") return json::string(s);
    const plain kind = classify(s);
    const auto want = [&](bool ok, const char* what) {
      if (!ok) fail(n.Mark(), "'" + s + "' is not " + what + " (tag " + shown(tag) + ")");
    };
    if (tag == "?") {
    } else if (tag == std::string(core_tag) + "null") {
      want(kind == plain::null, "null");
    } else if (tag == std::string(core_tag) + "bool") {
      want(kind == plain::boolean, "true or false");
    } else if (tag == std::string(core_tag) + "int") {
      want(kind == plain::integer, "an integer");
    } else if (tag == std::string(core_tag) + "float") {
      want(kind == plain::integer || kind == plain::decimal, "a number");
      return to_double(s);
    } else {
      fail(n.Mark(), "unsupported tag " + shown(tag) + " (quote the value to keep it as text)");
    }
    switch (kind) {
      case plain::null:
        return nullptr;
      case plain::boolean:
        return s[0] == 't' || s[0] == 'T';
      case plain::integer:
        return to_integer(s);
      case plain::decimal:
        return to_double(s);
      case plain::text:
        break;
    }
    return json::string(s);
  }

  static void check_depth(const YAML::Node& n, int depth) {
    if (depth > max_depth) fail(n.Mark(), "nested deeper than " + std::to_string(max_depth) + " levels");
  }

  static void check_tag(const YAML::Node& n, std::string_view kind) {
    const std::string& tag = n.Tag();
    if (tag.empty() || tag == "?" || tag == "!" || tag == std::string(core_tag) + std::string(kind)) return;
    fail(n.Mark(), "unsupported tag " + shown(tag));
  }

  json::value sequence(const YAML::Node& n, int depth) {
    check_depth(n, depth);
    check_tag(n, "seq");
    json::array out;
    out.reserve(n.size());
    for (const auto& item : n) out.push_back(convert(item, depth));
    return out;
  }

  json::value map(const YAML::Node& n, int depth) {
    check_depth(n, depth);
    check_tag(n, "map");
    json::object out;
    for (const auto& kv : n) {  // kv: a value (a Node pair), not a reference into n
      const YAML::Node& k = kv.first;
      if (!k.IsScalar()) {
        if (k.IsNull()) fail(k.Mark(), "a key must not be empty or null (quote it: \"null\")");
        fail(k.Mark(), "a key must be text, not a list or a map");
      }
      const std::string& key = k.Scalar();
      if (out.contains(key)) fail(k.Mark(), "duplicate key '" + key + "'");
      out.emplace(key, convert(kv.second, depth));
    }
    return out;
  }

  std::size_t budget_;
};

// --- writing ---

// Characters that YAML 1.1 readers take as line breaks or a byte-order mark.
bool has_odd_break(std::string_view s) {
  for (std::string_view odd : {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBB\xBF"}) {
    if (s.find(odd) != std::string_view::npos) return true;
  }
  return false;
}

bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Text another YAML reader might take for a number, a date or a time: YAML 1.1 reads +1512 and
// 1_000 as integers, 0x1F as hex, 9:30 as base 60, 2026-03-14 as a date. Quoted, the file means
// the same to every reader (and to a person).
bool looks_numeric(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') ++i;
  if (i >= s.size() || !is_digit(s[i])) return false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (!is_alnum(c) && c != '_' && c != '.' && c != ':' && c != '+' && c != '-') return false;
  }
  return true;
}

// A string written plain would read back differently (another type, a document marker, a line
// break yaml-cpp's emitter leaves unescaped), or reads as something else in YAML 1.1.
bool must_quote(std::string_view s) {
  if (classify(s) != plain::text || looks_numeric(s)) return true;
  if (is_one_of(s, {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                    "=", "<<"})) {
    return true;
  }
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") return true;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return has_odd_break(s);
}

// Literal blocks ("|") read back with exactly one final newline and the indentation of their
// first line taken as the block's, so only text of that shape is written as one.
bool literal_fits(std::string_view s) {
  if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
  if (s.find('\n') == s.size() - 1) return false;  // one line: quoted is as readable
  if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || has_odd_break(s)) return false;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      // Lines of only blanks are ambiguous with the block's indentation.
      const auto line = s.substr(line_start, i - line_start);
      if (!line.empty() && line.find_first_not_of(" \t") == std::string_view::npos) return false;
      line_start = i + 1;
    } else if (c < 0x20 || c == 0x7F) {
      return false;
    }
  }
  return true;
}

void write_string(YAML::Emitter& e, std::string_view s, bool key) {
  if (!key && literal_fits(s)) {
    // yaml-cpp writes the text as is and then a line break of its own; the block's "clip"
    // chomping gives the final newline back on reading.
    e << YAML::Literal << std::string(s.substr(0, s.size() - 1));
  } else if (must_quote(s)) {
    e << YAML::DoubleQuoted << std::string(s);
  } else {
    e << std::string(s);
  }
}

// Shortest text that reads back as the same double, always with a '.' or an exponent so it is
// not read as an integer.
std::string double_text(double d) {
  if (d != d) return ".nan";
  if (d == std::numeric_limits<double>::infinity()) return ".inf";
  if (d == -std::numeric_limits<double>::infinity()) return "-.inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string out(buf, r.ptr);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

void write(YAML::Emitter& e, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      e << YAML::Null;
      break;
    case json::kind::bool_:
      e << v.get_bool();
      break;
    case json::kind::int64:
      e << static_cast<long long>(v.get_int64());
      break;
    case json::kind::uint64:
      e << static_cast<unsigned long long>(v.get_uint64());
      break;
    case json::kind::double_:
      e << double_text(v.get_double());
      break;
    case json::kind::string:
      write_string(e, v.get_string(), false);
      break;
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) e << YAML::Flow;
      e << YAML::BeginSeq;
      for (const auto& item : a) write(e, item);
      e << YAML::EndSeq;
      break;
    }
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) e << YAML::Flow;
      e << YAML::BeginMap;
      for (const auto& kv : o) {
        e << YAML::Key;
        write_string(e, kv.key(), true);
        e << YAML::Value;
        write(e, kv.value());
      }
      e << YAML::EndMap;
      break;
    }
  }
}

}  // namespace

vg::result<json::value> yaml_to_json(std::string_view yaml_text) {
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
    if (docs.empty()) return json::value(nullptr);
    if (docs.size() > 1) {
      return make_error(where(docs[1].Mark()) + "expected one document, found " + std::to_string(docs.size()));
    }
    // A document cannot hold more values than it has characters, unless aliases repeat them.
    converter c(4096 + 16 * yaml_text.size());
    return c.convert(docs[0], 0);
  } catch (const failure& f) {
    return make_error(f.message);
  } catch (const YAML::Exception& e) {
    return make_error(where(e.mark) + e.msg);
  }
}

std::string json_to_yaml(const json::value& v) {
  YAML::Emitter e;
  e.SetIndent(2);
  e.SetMapFormat(YAML::Block);
  e.SetSeqFormat(YAML::Block);
  write(e, v);
  std::string out(e.c_str(), e.size());
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace vg::adapters
