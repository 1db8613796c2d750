#include "adapters/yaml_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>

#include <boost/json.hpp>
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/null.h>
#include <yaml-cpp/parser.h>

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

// A tagged or plain scalar as JSON (the rules of the header).
json::value scalar_value(const YAML::Mark& mark, const std::string& tag, const std::string& s) {
  if (tag == "!" || tag == std::string(core_tag) + "str") return json::string(s);
  const plain kind = classify(s);
  const auto want = [&](bool ok, const char* what) {
    if (!ok) fail(mark, "'" + s + "' is not " + what + " (tag " + shown(tag) + ")");
  };
  if (tag == "?" || tag.empty()) {
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
    fail(mark, "unsupported tag " + shown(tag) + " (quote the value to keep it as text)");
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

// Builds the JSON value straight from yaml-cpp's parser events (no YAML::Node graph), so every
// limit applies while reading: depth, duplicate keys, and the number of values aliases expand to.
class json_builder final : public YAML::EventHandler {
 public:
  explicit json_builder(std::size_t budget) : budget_(budget) {}

  json::value take() { return root_ ? std::move(*root_) : json::value(nullptr); }
  YAML::Mark start;  // of the document

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (wants_key()) fail(mark, "a key must not be empty or null (quote it: \"null\")");
    spend(mark, 1);
    keep(anchor, nullptr, 1, nullptr);
    add(nullptr);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    spend(mark, 1);
    if (wants_key()) {
      set_key(mark, value);
      keep(anchor, json::string(value), 1, &value);
      return;
    }
    json::value v = scalar_value(mark, tag, value);
    keep(anchor, v, 1, &value);
    add(std::move(v));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    // yaml-cpp has already refused names never defined: this one is still being read.
    if (it == anchors_.end()) fail(mark, "an alias cannot refer to a list or map that contains it");
    spend(mark, it->second.nodes);
    if (wants_key()) {
      if (!it->second.text) fail(mark, "a key must be text, not a list or a map");
      set_key(mark, *it->second.text);
      return;
    }
    if (stack_.size() + it->second.depth > static_cast<std::size_t>(max_depth)) {
      fail(mark, "nested deeper than " + std::to_string(max_depth) + " levels");
    }
    if (!stack_.empty()) stack_.back().depth = std::max(stack_.back().depth, it->second.depth + 1);
    add(it->second.value);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, "seq", json::array());
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, "map", json::object());
  }
  void OnMapEnd() override { close(); }

 private:
  struct frame {
    json::value value;  // an array or an object
    YAML::Mark mark;
    YAML::anchor_t anchor = YAML::NullAnchor;
    std::size_t used_before = 0;  // budget spent before it: the difference is its size
    std::size_t depth = 1;        // of its deepest descendant, counting itself
    bool have_key = false;
    std::string key;
  };
  struct anchored {
    json::value value;
    std::size_t nodes = 1;
    std::size_t depth = 0;
    std::optional<std::string> text;  // a scalar's text as written, for use as a key
  };

  bool wants_key() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().have_key;
  }

  void spend(const YAML::Mark& mark, std::size_t n) {
    if (n > budget_ - used_) fail(mark, "the document expands to too many values (aliases repeated too often?)");
    used_ += n;
  }

  void keep(YAML::anchor_t anchor, json::value v, std::size_t nodes, const std::string* text, std::size_t depth = 0) {
    if (anchor == YAML::NullAnchor) return;
    anchored a{std::move(v), nodes, depth, std::nullopt};
    if (text) a.text = *text;
    anchors_[anchor] = std::move(a);
  }

  void set_key(const YAML::Mark& mark, const std::string& key) {
    frame& f = stack_.back();
    if (f.value.get_object().contains(key)) fail(mark, "duplicate key '" + key + "'");
    f.key = key;
    f.have_key = true;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, std::string_view kind,
            json::value empty) {
    if (wants_key()) fail(mark, "a key must be text, not a list or a map");
    if (!(tag.empty() || tag == "?" || tag == "!" || tag == std::string(core_tag) + std::string(kind))) {
      fail(mark, "unsupported tag " + shown(tag));
    }
    if (stack_.size() + 1 > static_cast<std::size_t>(max_depth)) {
      fail(mark, "nested deeper than " + std::to_string(max_depth) + " levels");
    }
    spend(mark, 1);
    frame f;
    f.value = std::move(empty);
    f.mark = mark;
    f.anchor = anchor;
    f.used_before = used_ - 1;
    stack_.push_back(std::move(f));
  }

  void close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    if (!stack_.empty()) stack_.back().depth = std::max(stack_.back().depth, f.depth + 1);
    if (f.anchor != YAML::NullAnchor) {
      // The copy kept for aliases counts too, so nested anchors cannot multiply memory either.
      const std::size_t nodes = used_ - f.used_before;
      spend(f.mark, nodes);
      keep(f.anchor, f.value, nodes, nullptr, f.depth);
    }
    add(std::move(f.value));
  }

  void add(json::value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    frame& f = stack_.back();
    if (f.value.is_array()) {
      f.value.get_array().push_back(std::move(v));
    } else {
      f.value.get_object().emplace(f.key, std::move(v));
      f.have_key = false;
    }
  }

  std::vector<frame> stack_;
  std::optional<json::value> root_;
  std::map<YAML::anchor_t, anchored> anchors_;
  std::size_t used_ = 0;
  std::size_t budget_;
};

// Only notes where a document starts.
class document_probe final : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF included), or npos. yaml-cpp passes such bytes
// through into strings, which then could not be written back faithfully.
std::size_t invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c == 0xE0) n = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) n = 2;
    else if (c == 0xED) n = 2, hi = 0x9F;
    else if (c == 0xF0) n = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) n = 3;
    else if (c == 0xF4) n = 3, hi = 0x8F;
    else return i;
    if (i + n >= s.size()) return i;  // cut short
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

bool same_place(const YAML::Mark& a, const YAML::Mark& b) { return a.pos == b.pos && a.line == b.line; }

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
  if (const auto bad = invalid_utf8(yaml_text); bad != std::string_view::npos) {
    const auto before = yaml_text.substr(0, bad);
    const auto line_start = before.rfind('\n');
    const std::size_t column = line_start == std::string_view::npos ? bad : bad - line_start - 1;
    return make_error("line " + std::to_string(std::count(before.begin(), before.end(), '\n') + 1) + ", column " +
                      std::to_string(column + 1) + ": the text is not valid UTF-8 (save the file as UTF-8)");
  }
  try {
    std::istringstream in{std::string(yaml_text)};
    YAML::Parser parser(in);
    // A document cannot hold more values than it has characters, unless aliases repeat them.
    json_builder builder(100000 + 2 * yaml_text.size());
    // yaml-cpp 0.7 reports a stray token it cannot start a node with (a lone ",") as an endless
    // run of empty documents at the same place (yaml-cpp issue #1040): at most three are read.
    if (!parser.HandleNextDocument(builder)) return json::value(nullptr);
    const auto stray = [&](const YAML::Mark& m) {
      const std::size_t pos = m.pos >= 0 ? static_cast<std::size_t>(m.pos) : yaml_text.size();
      const bool shown = pos < yaml_text.size() && yaml_text[pos] > ' ' && yaml_text[pos] < 0x7F;
      const std::string what = shown ? "'" + std::string(1, yaml_text[pos]) + "'" : "text";
      return make_error(where(m) + "unexpected " + what);
    };
    document_probe second;
    if (parser.HandleNextDocument(second)) {
      if (same_place(builder.start, second.start)) return stray(second.start);
      document_probe third;
      const bool more = parser.HandleNextDocument(third);
      if (more && same_place(second.start, third.start)) return stray(third.start);
      return make_error(where(second.start) + "expected one document, found " + (more ? "more than 2" : "2"));
    }
    return builder.take();
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
