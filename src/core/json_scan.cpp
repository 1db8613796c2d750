#include "core/json_scan.hpp"

#include <charconv>

namespace vg::json {
namespace {

constexpr int max_depth = 64;

struct scanner {
  const char* p;
  const char* end;

  void skip_ws() noexcept {
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  }
  bool eat(char c) noexcept {
    skip_ws();
    if (p != end && *p == c) {
      ++p;
      return true;
    }
    return false;
  }

  static bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // At an opening quote: consumes the string, returns its body.
  bool string(std::string_view& body, bool& escapes) noexcept {
    if (p == end || *p != '"') return false;
    const char* start = ++p;
    escapes = false;
    while (p != end) {
      const char c = *p;
      if (c == '"') {
        body = std::string_view(start, static_cast<std::size_t>(p - start));
        ++p;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        escapes = true;
        if (++p == end) return false;
        switch (*p) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
          case 'u':
            for (int i = 0; i < 4; ++i) {
              if (++p == end || !is_hex(*p)) return false;
            }
            break;
          default: return false;
        }
      }
      ++p;
    }
    return false;
  }

  bool number() noexcept {
    const char* start = p;
    if (p != end && *p == '-') ++p;
    if (p == end) return false;
    if (*p == '0') {
      ++p;
    } else if (*p >= '1' && *p <= '9') {
      while (p != end && *p >= '0' && *p <= '9') ++p;
    } else {
      return false;
    }
    if (p != end && *p == '.') {
      ++p;
      const char* digits = p;
      while (p != end && *p >= '0' && *p <= '9') ++p;
      if (p == digits) return false;
    }
    if (p != end && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p != end && (*p == '+' || *p == '-')) ++p;
      const char* digits = p;
      while (p != end && *p >= '0' && *p <= '9') ++p;
      if (p == digits) return false;
    }
    return p != start;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word) return false;
    p += word.size();
    return true;
  }

  // Consumes any value; fills `out` with its kind and text.
  bool value(value_view& out, int depth) noexcept {
    skip_ws();
    if (p == end) return false;
    const char* start = p;
    switch (*p) {
      case '"': {
        out.type = kind::string;
        return string(out.raw, out.has_escapes);
      }
      case '{': out.type = kind::object; if (!object(depth + 1, nullptr, nullptr)) return false; break;
      case '[': out.type = kind::array; if (!array(depth + 1)) return false; break;
      case 't': out.type = kind::boolean; if (!literal("true")) return false; break;
      case 'f': out.type = kind::boolean; if (!literal("false")) return false; break;
      case 'n': out.type = kind::null; if (!literal("null")) return false; break;
      default: out.type = kind::number; if (!number()) return false; break;
    }
    out.raw = std::string_view(start, static_cast<std::size_t>(p - start));
    out.has_escapes = false;
    return true;
  }

  bool array(int depth) noexcept {
    if (depth > max_depth) return false;
    ++p;  // '['
    if (eat(']')) return true;
    for (;;) {
      value_view ignored;
      if (!value(ignored, depth)) return false;
      if (eat(',')) continue;
      return eat(']');
    }
  }

  // At '{'. When `members` is given, records up to max_members top-level members.
  bool object(int depth, member* members, std::size_t* count) noexcept {
    if (depth > max_depth) return false;
    ++p;  // '{'
    if (eat('}')) return true;
    for (;;) {
      skip_ws();
      member m;
      bool key_escapes = false;
      if (!string(m.key, key_escapes)) return false;
      if (!eat(':')) return false;
      if (!value(m.value, depth)) return false;
      if (members != nullptr && *count < object_view::max_members) members[(*count)++] = m;
      if (eat(',')) continue;
      return eat('}');
    }
  }
};

}  // namespace

result<object_view> object_view::parse(std::string_view text) {
  object_view view;
  scanner s{text.data(), text.data() + text.size()};
  s.skip_ws();
  if (s.p == s.end || *s.p != '{') return make_error("JSON text is not an object");
  if (!s.object(1, view.members_.data(), &view.count_)) {
    return make_error("malformed JSON at offset " + std::to_string(s.p - text.data()));
  }
  s.skip_ws();
  if (s.p != s.end) return make_error("trailing characters after JSON object");
  return view;
}

const value_view* object_view::find(std::string_view key) const noexcept {
  for (std::size_t i = 0; i < count_; ++i) {
    if (members_[i].key == key) return &members_[i].value;
  }
  return nullptr;
}

std::string_view object_view::string(std::string_view key) const noexcept {
  const value_view* v = find(key);
  return v != nullptr && v->type == kind::string ? v->raw : std::string_view{};
}

std::optional<std::int64_t> object_view::integer(std::string_view key) const noexcept {
  const value_view* v = find(key);
  if (v == nullptr || (v->type != kind::string && v->type != kind::number)) return std::nullopt;
  return to_integer(v->raw);
}

bool valid(std::string_view text) {
  scanner s{text.data(), text.data() + text.size()};
  value_view v;
  if (!s.value(v, 0)) return false;
  s.skip_ws();
  return s.p == s.end;
}

std::optional<std::int64_t> to_integer(std::string_view digits) noexcept {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}

namespace {
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool read_hex4(std::string_view s, std::size_t at, std::uint32_t& v) {
  if (at + 4 > s.size()) return false;
  v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}
}  // namespace

bool unescape(std::string_view s, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(s, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
          std::uint32_t low = 0;
          if (read_hex4(s, i + 3, low) && low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::string_view text_of(const value_view& v, std::string& scratch) {
  if (!v.has_escapes) return v.raw;
  if (!unescape(v.raw, scratch)) scratch.clear();
  return scratch;
}

std::string string_text(const value_view* v) {
  if (v == nullptr || v->type != kind::string) return {};
  std::string scratch;
  return std::string(text_of(*v, scratch));
}

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hexd[] = "0123456789abcdef";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += hexd[(c >> 4) & 0xF];
          out += hexd[c & 0xF];
        } else {
          out += c;
        }
    }
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

}  // namespace vg::json
