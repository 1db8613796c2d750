// See wire_formats.hpp.
#include "wire_formats.hpp"

#include <arpa/inet.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common.hpp"

namespace loadgen {

// ---- base64 ---------------------------------------------------------------------------------
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
struct B64Dec {
  int8_t v[256];
  constexpr B64Dec() : v() {
    for (int i = 0; i < 256; ++i) v[i] = -1;
    for (int i = 0; i < 64; ++i) v[uint8_t(kB64[i])] = int8_t(i);
  }
};
constexpr B64Dec kB64Dec;

size_t b64_encode(const uint8_t* in, size_t n, char* out) {
  char* o = out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8 | in[i + 2];
    o[0] = kB64[v >> 18]; o[1] = kB64[(v >> 12) & 63]; o[2] = kB64[(v >> 6) & 63]; o[3] = kB64[v & 63];
    o += 4;
  }
  if (n - i == 1) {
    uint32_t v = uint32_t(in[i]) << 16;
    o[0] = kB64[v >> 18]; o[1] = kB64[(v >> 12) & 63]; o[2] = '='; o[3] = '=';
    o += 4;
  } else if (n - i == 2) {
    uint32_t v = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8;
    o[0] = kB64[v >> 18]; o[1] = kB64[(v >> 12) & 63]; o[2] = kB64[(v >> 6) & 63]; o[3] = '=';
    o += 4;
  }
  return size_t(o - out);
}

std::string b64_string(const uint8_t* in, size_t n) {
  std::string s((n + 2) / 3 * 4, '\0');
  b64_encode(in, n, s.data());
  return s;
}

// Strict base64 decoder (padding optional). Returns the byte count, or -1 if not base64.
long b64_decode_plain(const char* in, size_t n, uint8_t* out) {
  while (n && in[n - 1] == '=') --n;
  const int8_t* d = kB64Dec.v;
  uint8_t* o = out;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    int a = d[uint8_t(in[i])], b = d[uint8_t(in[i + 1])], c = d[uint8_t(in[i + 2])], e = d[uint8_t(in[i + 3])];
    if ((a | b | c | e) < 0) return -1;
    uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6 | uint32_t(e);
    o[0] = uint8_t(v >> 16); o[1] = uint8_t(v >> 8); o[2] = uint8_t(v);
    o += 3;
  }
  size_t r = n - i;
  if (r == 1) return -1;
  if (r >= 2) {
    int a = d[uint8_t(in[i])], b = d[uint8_t(in[i + 1])], c = r == 3 ? d[uint8_t(in[i + 2])] : 0;
    if ((a | b | c) < 0) return -1;
    uint32_t v = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6;
    *o++ = uint8_t(v >> 16);
    if (r == 3) *o++ = uint8_t(v >> 8);
  }
  return long(o - out);
}

// Decodes a base64 JSON string value. Some JSON encoders escape '/' as "\/" (and our filler bytes
// encode to lots of '/'), so backslashes are dropped first; the common case has none.
namespace {
char g_unesc[kMaxMsg];  // scratch: the payload without its backslashes
}  // namespace
long b64_decode_json(std::string_view s, uint8_t* out) {
  if (!memchr(s.data(), '\\', s.size())) return b64_decode_plain(s.data(), s.size(), out);
  size_t n = 0;
  for (char ch : s) if (ch != '\\') g_unesc[n++] = ch;
  return b64_decode_plain(g_unesc, n, out);
}

// ---- crypto ---------------------------------------------------------------------------------
std::string hmac_sha1_b64(std::string_view key, std::string_view msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), md,
       &len);
  return b64_string(md, len);
}

// X-Twilio-Signature (docs/protocols/twilio-webhooks.md#signature): URL + each param sorted by name as name+value (repeated
// names: values deduplicated and sorted), HMAC-SHA1 with the auth token, base64.
std::string twilio_signature(std::string_view token, std::string_view url, Params params) {
  std::sort(params.begin(), params.end());
  params.erase(std::unique(params.begin(), params.end()), params.end());
  std::string s(url);
  for (auto& [k, v] : params) { s += k; s += v; }
  return hmac_sha1_b64(token, s);
}

// Sec-WebSocket-Key: base64 of 16 random bytes (24 characters).
std::string ws_client_key() {
  uint8_t k[16];
  for (int i = 0; i < 16; i += 8) { uint64_t r = rnd(); memcpy(k + i, &r, 8); }
  return b64_string(k, sizeof k);
}

std::string ws_accept_key(std::string_view key) {
  std::string s(key);
  s += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return b64_string(md, sizeof md);
}

// ---- minimal JSON access ----------------------------------------------------------------------
// The peers' JSON comes from arbitrary encoders (key order, spacing, escaping may differ), so we do
// not match byte patterns: json_get walks the members of one object, skipping nested values, and
// returns the raw value of a top-level key. A nested "type" can then never shadow the event's own.
namespace {
const char* skip_ws(const char* p, const char* e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  return p;
}

// p points at the opening quote; returns the position after the closing quote, or nullptr.
const char* skip_string(const char* p, const char* e) {
  ++p;
  for (;;) {
    const char* q = static_cast<const char*>(memchr(p, '"', size_t(e - p)));
    if (!q) return nullptr;
    size_t bs = 0;
    for (const char* b = q; b > p && b[-1] == '\\'; --b) ++bs;
    if (bs % 2 == 0) return q + 1;
    p = q + 1;
  }
}

const char* skip_value(const char* p, const char* e) {
  if (p >= e) return nullptr;
  if (*p == '"') return skip_string(p, e);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < e) {
      char c = *p;
      if (c == '"') {
        p = skip_string(p, e);
        if (!p) return nullptr;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      else if ((c == '}' || c == ']') && --depth == 0) return p + 1;
      ++p;
    }
    return nullptr;
  }
  while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') ++p;
  return p;
}
}  // namespace

// Value of top-level member `key` of the object in `obj`. Strings come back without their quotes
// and still JSON-escaped (we only echo them or base64-decode them); other values verbatim.
bool json_get(std::string_view obj, std::string_view key, std::string_view& out) {
  const char* p = obj.data();
  const char* e = p + obj.size();
  p = skip_ws(p, e);
  if (p >= e || *p != '{') return false;
  ++p;
  for (;;) {
    p = skip_ws(p, e);
    if (p >= e || *p != '"') return false;
    const char* ks = p + 1;
    const char* ke = skip_string(p, e);
    if (!ke) return false;
    std::string_view k(ks, size_t(ke - 1 - ks));
    p = skip_ws(ke, e);
    if (p >= e || *p != ':') return false;
    p = skip_ws(p + 1, e);
    const char* vs = p;
    const char* ve = skip_value(p, e);
    if (!ve) return false;
    if (k == key) {
      out = *vs == '"' ? std::string_view(vs + 1, size_t(ve - vs - 2)) : std::string_view(vs, size_t(ve - vs));
      return true;
    }
    p = skip_ws(ve, e);
    if (p >= e || *p != ',') return false;
    ++p;
  }
}

std::string json_escape(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { o += '\\'; o += char(c); }
    else if (c < 0x20) { char b[8]; snprintf(b, sizeof b, "\\u%04x", c); o += b; }
    else o += char(c);
  }
  return o;
}

// ---- TwiML -------------------------------------------------------------------------------------
namespace {
std::string xml_unescape(std::string_view s) {
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') { o += s[i]; continue; }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) { o += s[i]; continue; }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") o += '&';
    else if (ent == "lt") o += '<';
    else if (ent == "gt") o += '>';
    else if (ent == "quot") o += '"';
    else if (ent == "apos") o += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      long v = ent[1] == 'x' ? strtol(std::string(ent.substr(2)).c_str(), nullptr, 16)
                             : strtol(std::string(ent.substr(1)).c_str(), nullptr, 10);
      if (v > 0 && v < 0x80) o += char(v);  // only ASCII appears in our URLs/tokens
    } else { o += s[i]; continue; }
    i = semi;
  }
  return o;
}

// Attribute `name` of one tag's text (between '<' and '>'), XML-unescaped.
bool xml_attr(std::string_view tag, std::string_view name, std::string& out) {
  for (size_t pos = tag.find(name); pos != std::string_view::npos; pos = tag.find(name, pos + 1)) {
    if (pos == 0 || !isspace(uint8_t(tag[pos - 1]))) continue;
    size_t q = pos + name.size();
    while (q < tag.size() && isspace(uint8_t(tag[q]))) ++q;
    if (q >= tag.size() || tag[q] != '=') continue;
    ++q;
    while (q < tag.size() && isspace(uint8_t(tag[q]))) ++q;
    if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\'')) return false;
    size_t end = tag.find(tag[q], q + 1);
    if (end == std::string_view::npos) return false;
    out = xml_unescape(tag.substr(q + 1, end - q - 1));
    return true;
  }
  return false;
}

// Finds the next element <name ...> at or after `from`; returns the tag text and the end position.
bool xml_tag(std::string_view doc, std::string_view name, size_t from, std::string_view& tag, size_t& end) {
  std::string open = "<" + std::string(name);
  for (size_t p = doc.find(open, from); p != std::string_view::npos; p = doc.find(open, p + 1)) {
    size_t after = p + open.size();
    if (after >= doc.size()) return false;
    char c = doc[after];
    if (!isspace(uint8_t(c)) && c != '>' && c != '/') continue;  // e.g. <StreamX
    size_t gt = doc.find('>', after);
    if (gt == std::string_view::npos) return false;
    tag = doc.substr(p, gt - p + 1);
    end = gt + 1;
    return true;
  }
  return false;
}
}  // namespace

bool parse_twiml(std::string_view doc, TwiML& out) {
  std::string_view tag;
  size_t end = 0;
  if (!xml_tag(doc, "Stream", 0, tag, end) || !xml_attr(tag, "url", out.stream_url)) return false;
  if (tag.size() >= 2 && tag[tag.size() - 2] == '/') return true;  // <Stream .../> has no parameters
  size_t close = doc.find("</Stream", end);
  std::string_view body = doc.substr(end, close == std::string_view::npos ? std::string_view::npos : close - end);
  size_t pos = 0;
  std::string_view ptag;
  while (xml_tag(body, "Parameter", pos, ptag, pos)) {
    std::string n, v;
    if (xml_attr(ptag, "name", n) && xml_attr(ptag, "value", v)) out.params.emplace_back(n, v);
  }
  return true;
}

// ---- URLs and HTTP heads ---------------------------------------------------------------------
bool parse_url(std::string_view u, Url& out) {
  size_t p = u.find("://");
  if (p == std::string_view::npos) return false;
  out.scheme.assign(u.substr(0, p));
  for (char& c : out.scheme) c = char(tolower(uint8_t(c)));
  std::string_view rest = u.substr(p + 3);
  size_t slash = rest.find_first_of("/?");
  out.authority.assign(rest.substr(0, slash));
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.path[0] == '?') out.path.insert(0, "/");
  size_t colon = out.authority.rfind(':');
  bool tls = out.scheme == "https" || out.scheme == "wss";
  if (colon == std::string::npos) {
    out.host = out.authority;
    out.port = tls ? 443 : 80;
  } else {
    out.host = out.authority.substr(0, colon);
    long port = strtol(out.authority.c_str() + colon + 1, nullptr, 10);
    if (port <= 0 || port > 65535) return false;
    out.port = uint16_t(port);
  }
  return !out.host.empty();
}

// Only loopback targets are allowed: this tool must never generate load against anything else.
bool loopback_addr(const std::string& host, uint16_t port, sockaddr_in& sa) {
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  const char* h = host == "localhost" ? "127.0.0.1" : host.c_str();
  if (inet_pton(AF_INET, h, &sa.sin_addr) != 1) return false;
  return (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
}

namespace {
std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}
}  // namespace

// Value of header `name` (case-insensitive) in an HTTP head ending in CRLF; empty if absent.
std::string_view http_header(std::string_view head, std::string_view name) {
  size_t ls = head.find("\r\n");
  while (ls != std::string_view::npos && ls + 2 < head.size()) {
    ls += 2;
    size_t le = head.find("\r\n", ls);
    if (le == std::string_view::npos) le = head.size();
    std::string_view line = head.substr(ls, le - ls);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.data(), name.data(), name.size()) == 0)
      return trim(line.substr(name.size() + 1));
    ls = le;
  }
  return {};
}

int http_status(std::string_view head) {
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return -1;
  size_t sp = head.find(' ');
  if (sp == std::string_view::npos || sp + 4 > head.size()) return -1;
  return atoi(std::string(head.substr(sp + 1, 3)).c_str());
}

// Chunked transfer decoding. False while incomplete.
bool dechunk(std::string_view body, std::string& out) {
  out.clear();
  size_t p = 0;
  for (;;) {
    size_t le = body.find("\r\n", p);
    if (le == std::string_view::npos) return false;
    size_t n = strtoul(std::string(body.substr(p, le - p)).c_str(), nullptr, 16);
    p = le + 2;
    if (n == 0) return true;
    if (p + n + 2 > body.size()) return false;
    out.append(body.substr(p, n));
    p += n + 2;
  }
}

std::string url_encode(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') o += char(c);
    else { char b[4]; snprintf(b, sizeof b, "%%%02X", c); o += b; }
  }
  return o;
}

}  // namespace loadgen
