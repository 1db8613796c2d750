// voxgate-loadgen: load generator for voxgate.
//
// One process plays both ends of the bridge under test:
//   * N simulated Twilio callers: the incoming-call webhook (HTTP POST, signed), then the Media
//     Streams WebSocket (client, masked frames) sending 20 ms mu-law frames and echoing marks;
//   * the fake OpenAI Realtime server (WebSocket server on 127.0.0.1:--model-port) that streams
//     20 ms audio deltas back once asked with response.create.
// Every audio frame carries a 16-byte header (sender id, sequence, CLOCK_MONOTONIC send time), so
// the receiving end of the same process measures one-way latency and loss in both directions.
//
// Everything runs in ONE single-threaded epoll loop with a timerfd tick: on a 2-core machine
// the loadgen shares the CPU with the server, so its own cost must be small and predictable.
// Buffers are per connection and grow only on rare large messages; messages are built from
// fixed templates with only numbers and the payload spliced in. What remains (~85% of its CPU) is
// kernel loopback TCP: about 5 socket operations per call every 20 ms. The report flags runs in
// which the loadgen could not keep its own schedule.
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -Werror bench/loadgen.cpp -lcrypto -o voxgate-loadgen
// Run:   voxgate-loadgen --server http://127.0.0.1:5050 --auth-token T --model-port 9100 --calls 100
//        voxgate-loadgen --self-test       (unit vectors + its own WebSocket client vs fake model)

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

static_assert(std::endian::native == std::endian::little, "frame headers are stored little-endian via memcpy");

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kNever = UINT64_MAX;
constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kFrameNs = 20 * kMs;        // one mu-law frame = 20 ms = 160 bytes at 8 kHz
constexpr size_t kFrameBytes = 160;
constexpr size_t kFrameB64 = 216;              // base64 length of 160 bytes
constexpr size_t kHdrBytes = 16;               // id u32, seq u32, send time ns u64
constexpr uint64_t kNsPerAudioByte = 125'000;  // 8000 bytes per second
constexpr size_t kMaxMsg = 1 << 20;            // largest WebSocket message accepted
constexpr size_t kMaxIn = kMaxMsg + 64 * 1024;
constexpr size_t kMaxOut = 8 << 20;            // a peer this far behind is treated as dead
constexpr size_t kMaxHttpHead = 64 * 1024;
constexpr size_t kMaxMarks = 64;               // pending marks per call (ring)
constexpr size_t kMarkName = 96;               // longest mark name kept verbatim
constexpr uint8_t kOpCont = 0x0, kOpText = 0x1, kOpBin = 0x2, kOpClose = 0x8, kOpPing = 0x9, kOpPong = 0xA;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * kSec + uint64_t(ts.tv_nsec);
}

void st32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }
void st64(uint8_t* p, uint64_t v) { memcpy(p, &v, 8); }
uint32_t ld32(const uint8_t* p) { uint32_t v; memcpy(&v, p, 4); return v; }
uint64_t ld64(const uint8_t* p) { uint64_t v; memcpy(&v, p, 8); return v; }

// Cheap PRNG for masking keys, SIDs and WebSocket keys (a load test needs no crypto randomness).
uint64_t g_rng = 0x9E3779B97F4A7C15ull;
uint64_t rnd() {
  g_rng ^= g_rng >> 12; g_rng ^= g_rng << 25; g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}

// ---- message building: append into a flat buffer, no allocation ------------------------------
template <size_t N>
char* put(char* p, const char (&s)[N]) { memcpy(p, s, N - 1); return p + N - 1; }
char* put_sv(char* p, std::string_view s) { memcpy(p, s.data(), s.size()); return p + s.size(); }
char* put_u64(char* p, uint64_t v) {
  char t[20];
  int n = 0;
  do { t[n++] = char('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = t[--n];
  return p;
}

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
char g_unesc[kMaxMsg];
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

using Params = std::vector<std::pair<std::string, std::string>>;

// X-Twilio-Signature (PROTOCOLS.md B.1): URL + each param sorted by name as name+value (repeated
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

struct TwiML {
  std::string stream_url;
  Params params;  // <Parameter name value/> in document order, passed back opaquely
};

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
struct Url {
  std::string scheme, host, authority, path;  // path includes any query string
  uint16_t port = 0;
};

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

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

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

// ---- latency histogram -------------------------------------------------------------------------
// Fixed 10 us buckets up to 2 s (+1 overflow bucket): no allocation while running.
struct Histogram {
  static constexpr uint64_t kBucketNs = 10'000;
  static constexpr size_t kBuckets = 200'000;
  std::vector<uint32_t> b = std::vector<uint32_t>(kBuckets + 1);
  uint64_t n = 0, max = 0;
  void add(uint64_t ns) {
    uint64_t i = ns / kBucketNs;
    ++b[i < kBuckets ? i : kBuckets];
    ++n;
    if (ns > max) max = ns;
  }
  // Upper edge of the bucket holding quantile q, in ms (0.01 ms resolution).
  double quantile_ms(double q) const {
    if (!n) return 0;
    uint64_t rank = uint64_t(std::ceil(q * double(n)));
    if (rank == 0) rank = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i <= kBuckets; ++i) {
      cum += b[i];
      if (cum >= rank) return i == kBuckets ? max_ms() : double((i + 1) * kBucketNs) / 1e6;
    }
    return max_ms();
  }
  double max_ms() const { return double(max) / 1e6; }
};

// Per-direction counters. "win" counters only count frames whose embedded send time lies inside
// the measurement window, wherever they are received, so in-flight frames are not miscounted.
struct Dir {
  uint64_t sent_total = 0, sent_win = 0, recv_total = 0, recv_win = 0, ooo = 0, bad = 0;
  Histogram lat;
};

// A stream of audio bytes cut into 160-byte frames whose first 16 bytes are the header. Works no
// matter how the peer re-chunks the audio into messages.
struct FrameStream {
  uint64_t pos = 0;
  uint8_t hdr[kHdrBytes];
  template <class F>
  void feed(const uint8_t* p, size_t n, F&& on_header) {
    while (n) {
      size_t off = pos % kFrameBytes, take;
      if (off < kHdrBytes) {
        take = std::min(kHdrBytes - off, n);
        memcpy(hdr + off, p, take);
        if (off + take == kHdrBytes) on_header(hdr);
      } else {
        take = std::min(kFrameBytes - off, n);
      }
      pos += take; p += take; n -= take;
    }
  }
};

// ---- per-connection buffer ---------------------------------------------------------------------
struct Buf {
  char* d = nullptr;
  size_t head = 0, len = 0, cap = 0;
  Buf() = default;
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  Buf(Buf&& o) noexcept : d(std::exchange(o.d, nullptr)), head(o.head), len(o.len), cap(std::exchange(o.cap, 0)) {}
  ~Buf() { free(d); }
  size_t size() const { return len - head; }
  char* begin() const { return d + head; }
  void reset() { head = len = 0; }
  void consume(size_t n) { head += n; if (head >= len) head = len = 0; }
  // Makes room for `extra` more bytes: slide unread data to the front, then double. Growth only
  // happens for bursts or unusually large messages, never per frame. False above `max`.
  bool reserve(size_t extra, size_t max) {
    if (cap - len >= extra) return true;
    if (head) {
      memmove(d, d + head, len - head);
      len -= head;
      head = 0;
      if (cap - len >= extra) return true;
    }
    size_t need = len + extra;
    if (need > max) return false;
    size_t nc = cap ? cap : 4096;
    while (nc < need) nc *= 2;
    char* nd = static_cast<char*>(realloc(d, nc));
    if (!nd) { perror("realloc"); abort(); }
    d = nd;
    cap = nc;
    return true;
  }
  void append(const void* p, size_t n) { memcpy(d + len, p, n); len += n; }
};

// ---- options -----------------------------------------------------------------------------------
struct Options {
  std::string server = "http://127.0.0.1:5050", public_url, auth_token, json_path;
  int model_port = 9100;
  bool model_port_set = false;
  uint32_t calls = 100;
  double ramp = 200, duration = 20, settle = 1, setup_timeout = 10;
  int server_pid = 0;
  bool self_test = false;
};

void usage() {
  fprintf(stderr,
          "usage: voxgate-loadgen [--server http://127.0.0.1:5050] [--public-url URL] [--auth-token T]\n"
          "         [--model-port 9100] [--calls N] [--ramp N/s] [--duration S] [--settle S]\n"
          "         [--setup-timeout S] [--server-pid PID] [--json FILE] [--self-test]\n");
}

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--self-test") { o.self_test = true; continue; }
    if (a == "--help" || a == "-h") return false;
    if (i + 1 >= argc) { fprintf(stderr, "missing value for %s\n", a.c_str()); return false; }
    std::string v = argv[++i];
    if (a == "--server") o.server = v;
    else if (a == "--public-url") o.public_url = v;
    else if (a == "--auth-token") o.auth_token = v;
    else if (a == "--model-port") { o.model_port = atoi(v.c_str()); o.model_port_set = true; }
    else if (a == "--calls") o.calls = uint32_t(strtoul(v.c_str(), nullptr, 10));
    else if (a == "--ramp") o.ramp = atof(v.c_str());
    else if (a == "--duration") o.duration = atof(v.c_str());
    else if (a == "--settle") o.settle = atof(v.c_str());
    else if (a == "--setup-timeout") o.setup_timeout = atof(v.c_str());
    else if (a == "--server-pid") o.server_pid = atoi(v.c_str());
    else if (a == "--json") o.json_path = v;
    else { fprintf(stderr, "unknown option %s\n", a.c_str()); return false; }
  }
  if (o.public_url.empty()) o.public_url = o.server;
  while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
  if (o.ramp <= 0 || o.duration < 0 || o.settle < 0 || o.setup_timeout <= 0 || o.calls > 100000 ||
      o.model_port < 0 || o.model_port > 65535) {
    fprintf(stderr, "bad option value\n");
    return false;
  }
  return true;
}

// ---- /proc sampling ------------------------------------------------------------------------------
// utime+stime of all threads of the process, in ms (clock ticks converted), or -1.
double proc_cpu_ms(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  char buf[2048];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char* p = strrchr(buf, ')');  // comm may contain spaces; fields resume after the last ')'
  if (!p) return -1;
  unsigned long utime = 0, stime = 0;
  // after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
  if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return double(utime + stime) * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

long proc_rss_kib(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) { kib = strtol(line + 6, nullptr, 10); break; }
  fclose(f);
  return kib;
}

double self_cpu_ms() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

// ---- state -------------------------------------------------------------------------------------
enum class Kind : uint8_t { Free, Webhook, Caller, Model, SelfTest };
enum class Phase : uint8_t { Connecting, Handshake, Open };
enum class CallState : uint8_t { Pending, Webhook, WsConnect, Streaming, Stopping, Done, Failed };
enum Fail : uint8_t {
  kFailNone, kFailConnect, kFailWebhookStatus, kFailTwiml, kFailHandshake, kFailProtocol,
  kFailClosedEarly, kFailNoModel, kFailTimeout, kFailCount
};
const char* const kFailNames[kFailCount] = {"none", "connect", "webhook_status", "twiml", "ws_handshake",
                                            "ws_protocol", "closed_early", "no_model_audio", "setup_timeout"};

struct Conn {
  int fd = -1;
  uint32_t gen = 0;
  Kind kind = Kind::Free;
  Phase phase = Phase::Connecting;
  bool out_armed = false;          // EPOLLOUT currently requested
  bool close_sent = false;         // we sent a WebSocket close frame
  bool close_when_flushed = false; // close the socket once the output buffer drains
  bool in_frag = false;            // inside a fragmented message
  uint32_t owner = kNone;          // call index (Webhook, Caller, SelfTest); first call seen (Model)
  Buf in, out, msg;                // msg reassembles fragmented messages
  char ws_key[25] = {};            // client role: Sec-WebSocket-Key we sent
  // fake-model state (Kind::Model)
  uint32_t model_id = 0, evt = 1, down_seq = 0;
  bool streaming = false;
  FrameStream up;
};

struct Mark {
  uint64_t due;
  uint32_t len;
  char name[kMarkName];
};

struct Call {
  CallState st = CallState::Pending;
  Fail fail = kFailNone;
  bool ws_up = false, model_seen = false, established = false, resolved = false, selftest = false;
  uint32_t conn = kNone;                  // current connection slot (webhook, then WebSocket)
  int webhook_status = 0;
  uint64_t t_start = 0, stream_start = 0;
  uint64_t msg_seq = 0, chunk = 0;        // Twilio sequenceNumber / media.chunk
  uint32_t up_last_seq = 0;               // fake model: last caller->model seq seen for this call
  uint32_t down_model = 0, down_last_seq = 0;
  uint64_t play_end = 0;                  // playback clock for marks
  uint32_t mark_head = 0, mark_count = 0;
  Mark marks[kMaxMarks];
  FrameStream down;
  char call_sid[35], stream_sid[35];
  std::string start_msg;                  // prebuilt "start" event (customParameters from TwiML)
  uint32_t st_pings = 0, st_pongs = 0, st_created = 0, st_updated = 0, st_resp_created = 0;
};

enum class Stage { Ramp, Setup, Settle, Window, Tail, Drain, Done };

volatile sig_atomic_t g_interrupted = 0;
void on_signal(int) { g_interrupted = 1; }

char g_tx[kMaxMsg + 4096];        // scratch for building one outgoing message
uint8_t g_dec[kMaxMsg];           // scratch for decoded audio
char g_payload_tmpl[kFrameB64];   // base64 of 160 x 0xFF

// 160 payload bytes = 16-byte header + 0xFF filler (mu-law silence). Only the first 24 base64
// characters (18 bytes) depend on the header; the rest is copied from the template.
void init_payload_template() {
  uint8_t filler[kFrameBytes];
  memset(filler, 0xFF, sizeof filler);
  b64_encode(filler, sizeof filler, g_payload_tmpl);
}

char* put_payload(char* p, uint32_t id, uint32_t seq, uint64_t t) {
  uint8_t h[18];
  st32(h, id);
  st32(h + 4, seq);
  st64(h + 8, t);
  h[16] = h[17] = 0xFF;
  memcpy(p, g_payload_tmpl, kFrameB64);
  b64_encode(h, sizeof h, p);
  return p + kFrameB64;
}

void xor_mask(uint8_t* p, size_t n, const uint8_t mask[4]) {
  uint64_t m8;
  uint8_t mm[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  memcpy(&m8, mm, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    memcpy(&v, p + i, 8);
    v ^= m8;
    memcpy(p + i, &v, 8);
  }
  for (; i < n; ++i) p[i] ^= mask[i & 3];
}

// =================================================================================================
class Loadgen {
 public:
  explicit Loadgen(const Options& o) : o_(o) {}
  int run();

 private:
  // setup
  bool init();
  bool listen_model();
  // event loop plumbing
  void dispatch(uint64_t tag, uint32_t events);
  uint32_t add_conn(int fd, Kind kind, uint32_t owner, Phase phase);
  uint32_t open_client(const sockaddr_in& sa, Kind kind, uint32_t owner, std::string_view request);
  void close_fd(uint32_t slot);
  void drop_conn(uint32_t slot, Fail reason);
  bool flush(uint32_t slot);
  void set_out(uint32_t slot, bool want);
  void on_writable(uint32_t slot);
  void on_readable(uint32_t slot);
  void accept_all();
  bool alive(uint32_t slot, uint32_t gen) const { return conns_[slot].fd >= 0 && conns_[slot].gen == gen; }
  // WebSocket
  void process_input(uint32_t slot, bool eof);
  void client_handshake(uint32_t slot);
  void server_handshake(uint32_t slot);
  void process_frames(uint32_t slot);
  void handle_frame(uint32_t slot, bool fin, uint8_t op, uint8_t* p, size_t n);
  void on_message(uint32_t slot, const char* p, size_t n);
  bool ws_send(uint32_t slot, uint8_t op, const void* p, size_t n, bool fin = true);
  void ws_close(uint32_t slot, uint16_t code);
  void protocol_error(uint32_t slot, const char* what);
  // calls
  void start_call(uint32_t i, uint64_t now);
  void webhook_progress(uint32_t slot, bool eof);
  void webhook_done(uint32_t slot, int status, std::string_view body);
  void caller_open(uint32_t i);
  bool caller_send_media(uint32_t i, uint64_t sched);
  void caller_send_mark(uint32_t i, std::string_view name);
  void caller_on_message(uint32_t i, std::string_view m);
  void on_down_frame(uint32_t i, const uint8_t* h);
  void echo_due_marks(uint32_t i, uint64_t now);
  void send_due_frames(uint32_t i, uint64_t now);
  void fail_call(uint32_t i, Fail reason);
  void check_established(uint32_t i);
  void resolve(uint32_t i);
  void fail_detail(uint32_t i, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  // fake model
  void model_on_message(uint32_t slot, std::string_view m);
  void model_send_delta(uint32_t slot);
  void model_send_json(uint32_t slot, std::string_view json) { ws_send(slot, kOpText, json.data(), json.size()); }
  void on_up_frame(uint32_t slot, const uint8_t* h);
  // self-test client (plays voxgate towards the fake model)
  void st_on_message(uint32_t i, std::string_view m);
  bool st_send_append(uint32_t i, uint64_t sched);
  // schedule and results
  void tick(uint64_t now);
  void arm_timer(uint64_t at);
  void schedule(uint64_t at) { if (at < timer_at_) arm_timer(at); }  // a handler set an earlier deadline
  void advance(uint64_t now);
  void begin_window(uint64_t now);
  void end_window(uint64_t now);
  void stop_all();
  void finish();
  void count_sent(Dir& d, uint64_t t) { ++d.sent_total; if (in_window(t)) ++d.sent_win; }
  // A loadgen that cannot keep its own schedule measures itself, not the server: track it.
  void note_lag(uint64_t sched, uint64_t now) {
    if (!in_window(now) || now < sched) return;
    max_lag_ = std::max(max_lag_, now - sched);
    if (now - sched > 5 * kMs) ++late_sends_;
  }
  bool in_window(uint64_t t) const { return t >= win_start_ && t < win_end_; }
  void report();
  bool self_test_verdict();
  void log(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  Options o_;
  int ep_ = -1, tfd_ = -1, lfd_ = -1;
  bool listen_paused_ = false;
  sockaddr_in server_addr_{}, model_addr_{};
  Url server_url_;
  std::vector<Conn> conns_;
  std::vector<uint32_t> free_;
  uint32_t slots_hwm_ = 0;
  std::vector<Call> calls_;
  std::vector<uint64_t> next_send_;   // per call: next scheduled media frame (kNever = none)
  std::vector<uint64_t> mark_due_;    // per call: due time of the oldest pending mark
  std::vector<uint64_t> model_next_;  // per slot: next scheduled model audio delta
  std::vector<uint32_t> model_owner_; // per model id: call index seen in its audio
  Stage stage_ = Stage::Ramp;
  uint64_t timer_at_ = kNever;  // when the one-shot tick timer fires next
  uint64_t t0_ = 0, rx_now_ = 0, hard_deadline_ = 0, stage_end_ = 0, next_slow_tick_ = 0;
  uint64_t win_start_ = kNever, win_end_ = kNever, win_planned_end_ = 0;
  uint32_t started_ = 0, resolved_ = 0, established_ = 0, dropped_ = 0, fail_logged_ = 0;
  uint32_t open_conns_ = 0, open_models_ = 0, model_conns_total_ = 0;
  uint32_t models_open_at_exit_ = 0, callers_open_at_exit_ = 0;
  uint32_t fails_[kFailCount] = {}, drops_[kFailCount] = {};
  std::string account_sid_, run_hex_;
  Dir up_, down_;  // up = caller->model, down = model->caller
  uint64_t marks_rx_ = 0, marks_echoed_ = 0, marks_overflow_ = 0, clears_rx_ = 0, wrong_sid_ = 0;
  uint64_t other_events_ = 0, bad_json_ = 0, bad_b64_ = 0, mask_errors_ = 0, protocol_errors_ = 0;
  uint64_t up_crosstalk_ = 0, down_crosstalk_ = 0, slips_ = 0, model_no_auth_ = 0, model_bad_req_ = 0;
  uint64_t accept_overflow_ = 0, max_msg_rx_ = 0, model_session_updates_ = 0, model_response_creates_ = 0;
  uint64_t max_lag_ = 0, late_sends_ = 0;  // pacing: how late frames left vs their schedule (window only)
  bool aborted_ = false;
  int interrupts_ = 0;
  // measurement snapshots
  double lg_cpu0_ = 0, lg_cpu1_ = 0, srv_cpu0_ = -1, srv_cpu1_ = -1;
  long rss_idle_ = -1, rss_end_ = -1;
};

void Loadgen::log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[loadgen %7.3fs] ", double(now_ns() - t0_) / 1e9);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

// Failure details are printed for the first few calls only, so a broken server cannot flood stderr.
void Loadgen::fail_detail(uint32_t i, const char* fmt, ...) {
  if (fail_logged_ >= 10) return;
  ++fail_logged_;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log("call %u: %s", i, buf);
}

// ---- setup -------------------------------------------------------------------------------------
bool Loadgen::init() {
  t0_ = now_ns();
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = t0_;
  g_rng ^= seed | 1;

  // Hundreds of calls need ~3 descriptors each.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  if (!o_.self_test) {
    if (!parse_url(o_.server, server_url_) || server_url_.scheme != "http" ||
        !loopback_addr(server_url_.host, server_url_.port, server_addr_)) {
      fprintf(stderr, "--server must be http://<loopback IPv4 or localhost>:port (got %s)\n", o_.server.c_str());
      return false;
    }
    if (o_.auth_token.empty()) log("warning: --auth-token is empty; signatures will not validate");
  }
  char hex[33];
  snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)rnd(), (unsigned long long)rnd());
  account_sid_ = std::string("AC") + hex;
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)rnd());
  run_hex_ = hex;

  ep_ = epoll_create1(EPOLL_CLOEXEC);
  tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep_ < 0 || tfd_ < 0) { perror("epoll/timerfd"); return false; }
  arm_timer(t0_ + kMs);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0xFFFFFFFFull;  // timer tag
  epoll_ctl(ep_, EPOLL_CTL_ADD, tfd_, &ev);
  if (!listen_model()) return false;

  uint32_t n = o_.calls;
  calls_.resize(n);
  next_send_.assign(n, kNever);
  mark_due_.assign(n, kNever);
  size_t slots = size_t(n) * 3 + 256;
  conns_.resize(slots);
  model_next_.assign(slots, kNever);
  free_.reserve(slots);
  for (size_t s = slots; s-- > 0;) free_.push_back(uint32_t(s));
  model_owner_.reserve(size_t(n) * 2 + 16);
  model_owner_.push_back(kNone);  // model ids start at 1

  if (o_.server_pid > 0) {
    rss_idle_ = proc_rss_kib(o_.server_pid);
    if (rss_idle_ < 0) log("warning: cannot read /proc/%d/status", o_.server_pid);
  }
  double ramp_s = double(n) / o_.ramp;
  hard_deadline_ = t0_ + uint64_t((ramp_s + o_.setup_timeout + o_.settle + o_.duration + 1 + 3 + 15) * 1e9);
  return true;
}

bool Loadgen::listen_model() {
  lfd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  loopback_addr("127.0.0.1", uint16_t(o_.model_port), model_addr_);
  if (bind(lfd_, reinterpret_cast<sockaddr*>(&model_addr_), sizeof model_addr_) < 0 || listen(lfd_, 4096) < 0) {
    fprintf(stderr, "cannot listen on 127.0.0.1:%d: %s\n", o_.model_port, strerror(errno));
    return false;
  }
  socklen_t sl = sizeof model_addr_;
  getsockname(lfd_, reinterpret_cast<sockaddr*>(&model_addr_), &sl);  // port 0 -> actual port
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0xFFFFFFFEull;  // listener tag
  epoll_ctl(ep_, EPOLL_CTL_ADD, lfd_, &ev);
  return true;
}

// ---- connection plumbing -------------------------------------------------------------------------
uint32_t Loadgen::add_conn(int fd, Kind kind, uint32_t owner, Phase phase) {
  if (free_.empty()) return kNone;
  uint32_t slot = free_.back();
  free_.pop_back();
  slots_hwm_ = std::max(slots_hwm_, slot + 1);
  Conn& c = conns_[slot];
  c.fd = fd;
  c.kind = kind;
  c.phase = phase;
  c.owner = owner;
  c.out_armed = phase == Phase::Connecting;
  c.close_sent = c.close_when_flushed = c.in_frag = c.streaming = false;
  c.in.reset(); c.out.reset(); c.msg.reset();
  c.in.reserve(4096, kMaxIn);
  c.out.reserve(4096, kMaxOut);
  c.model_id = 0; c.evt = 1; c.down_seq = 0;
  c.up = FrameStream{};
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // frames are tiny; latency matters
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (c.out_armed ? EPOLLOUT : 0u);
  ev.data.u64 = uint64_t(c.gen) << 32 | slot;
  epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  ++open_conns_;
  return slot;
}

uint32_t Loadgen::open_client(const sockaddr_in& sa, Kind kind, uint32_t owner, std::string_view request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return kNone;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0 && errno != EINPROGRESS) {
    close(fd);
    return kNone;
  }
  uint32_t slot = add_conn(fd, kind, owner, Phase::Connecting);
  if (slot == kNone) { close(fd); return kNone; }
  // The request is queued now and written once the connect completes (EPOLLOUT).
  Conn& c = conns_[slot];
  c.out.reserve(request.size(), kMaxOut);
  c.out.append(request.data(), request.size());
  return slot;
}

void Loadgen::close_fd(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.fd < 0) return;
  close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  ++c.gen;      // events already fetched for this slot are ignored
  if (c.kind == Kind::Model) {
    --open_models_;
    model_next_[slot] = kNever;
  }
  c.kind = Kind::Free;
  --open_conns_;
  free_.push_back(slot);
}

// Closes a connection and tells its call why (unless the call has already moved on).
void Loadgen::drop_conn(uint32_t slot, Fail reason) {
  Conn& c = conns_[slot];
  if (c.fd < 0) return;
  Kind k = c.kind;
  uint32_t owner = c.owner;
  close_fd(slot);
  if (k != Kind::Model && owner < calls_.size() && calls_[owner].conn == slot) {
    calls_[owner].conn = kNone;
    fail_call(owner, reason);
  }
}

void Loadgen::set_out(uint32_t slot, bool want) {
  Conn& c = conns_[slot];
  if (want == c.out_armed) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
  ev.data.u64 = uint64_t(c.gen) << 32 | slot;
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  c.out_armed = want;
}

// Writes as much as the socket takes; the rest waits for EPOLLOUT. False if the conn was closed.
bool Loadgen::flush(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.fd < 0 || c.phase == Phase::Connecting) return c.fd >= 0;
  while (c.out.size()) {
    ssize_t n = send(c.fd, c.out.begin(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) { c.out.consume(size_t(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    drop_conn(slot, kFailClosedEarly);
    return false;
  }
  if (c.out.size() == 0 && c.close_when_flushed) {
    drop_conn(slot, kFailClosedEarly);
    return false;
  }
  set_out(slot, c.out.size() > 0);
  return true;
}

void Loadgen::dispatch(uint64_t tag, uint32_t events) {
  uint32_t slot = uint32_t(tag);
  if (slot == 0xFFFFFFFFu) {
    uint64_t expirations;
    if (read(tfd_, &expirations, sizeof expirations) < 0) { /* spurious wakeup */ }
    tick(now_ns());
    return;
  }
  if (slot == 0xFFFFFFFEu) { accept_all(); return; }
  uint32_t gen = uint32_t(tag >> 32);
  if (slot >= conns_.size() || !alive(slot, gen)) return;  // closed earlier in this batch
  if (events & EPOLLOUT) on_writable(slot);
  if (alive(slot, gen) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) on_readable(slot);
}

void Loadgen::on_writable(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.phase == Phase::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      if (c.owner < calls_.size()) fail_detail(c.owner, "connect failed: %s", strerror(err));
      drop_conn(slot, kFailConnect);
      return;
    }
    c.phase = Phase::Handshake;  // HTTP request / WebSocket upgrade is already queued
  }
  flush(slot);
}

void Loadgen::on_readable(uint32_t slot) {
  Conn& c = conns_[slot];
  uint32_t gen = c.gen;
  if (c.phase == Phase::Connecting) {  // error/hangup before connect completed
    on_writable(slot);
    if (!alive(slot, gen)) return;
  }
  for (int round = 0; round < 8; ++round) {
    if (!c.in.reserve(2048, kMaxIn)) { protocol_error(slot, "input buffer overflow"); return; }
    size_t room = c.in.cap - c.in.len;
    ssize_t n = recv(c.fd, c.in.d + c.in.len, room, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {  // EOF or reset: let a webhook finish a close-delimited body, else it is a hangup
      if (c.kind == Kind::Webhook && n == 0) webhook_progress(slot, true);
      if (alive(slot, gen)) drop_conn(slot, kFailClosedEarly);
      return;
    }
    c.in.len += size_t(n);
    rx_now_ = now_ns();
    process_input(slot, false);
    if (!alive(slot, gen)) return;
    if (size_t(n) < room) break;  // drained the socket (level-triggered epoll re-reports the rest)
  }
  flush(slot);  // replies (pong, mark echoes, session.updated, ...) go out in one write
}

void Loadgen::accept_all() {
  for (int k = 0; k < 64; ++k) {
    int fd = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {  // pause instead of spinning on a ready listener
        epoll_event ev{};
        ev.data.u64 = 0xFFFFFFFEull;
        epoll_ctl(ep_, EPOLL_CTL_MOD, lfd_, &ev);
        listen_paused_ = true;
        ++accept_overflow_;
      }
      return;
    }
    uint32_t slot = add_conn(fd, Kind::Model, kNone, Phase::Handshake);
    if (slot == kNone) { close(fd); ++accept_overflow_; continue; }
    Conn& c = conns_[slot];
    c.model_id = uint32_t(model_owner_.size());
    model_owner_.push_back(kNone);
    ++open_models_;
    ++model_conns_total_;
  }
}

// ---- WebSocket -----------------------------------------------------------------------------------
void Loadgen::protocol_error(uint32_t slot, const char* what) {
  ++protocol_errors_;
  Conn& c = conns_[slot];
  if (c.owner < calls_.size() && c.kind != Kind::Model) fail_detail(c.owner, "protocol error: %s", what);
  else if (protocol_errors_ <= 5) log("model connection: protocol error: %s", what);
  drop_conn(slot, kFailProtocol);
}

void Loadgen::process_input(uint32_t slot, bool eof) {
  Conn& c = conns_[slot];
  if (c.phase == Phase::Open) return process_frames(slot);
  switch (c.kind) {
    case Kind::Webhook: return webhook_progress(slot, eof);
    case Kind::Model: return server_handshake(slot);
    default: return client_handshake(slot);
  }
}

// Client side of the upgrade: expect 101 and the right Sec-WebSocket-Accept.
void Loadgen::client_handshake(uint32_t slot) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (data.size() > kMaxHttpHead) protocol_error(slot, "handshake response too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2);
  int status = http_status(head);
  uint32_t i = c.owner;
  if (status != 101) {
    fail_detail(i, "WebSocket upgrade got HTTP %d: %.*s", status, int(std::min<size_t>(he, 200)), data.data());
    drop_conn(slot, kFailHandshake);
    return;
  }
  if (http_header(head, "sec-websocket-accept") != ws_accept_key(c.ws_key)) {
    fail_detail(i, "bad Sec-WebSocket-Accept");
    drop_conn(slot, kFailHandshake);
    return;
  }
  c.in.consume(he + 4);
  c.phase = Phase::Open;
  uint32_t gen = c.gen;
  if (c.kind == Kind::Caller) caller_open(i);
  else { calls_[i].ws_up = true; calls_[i].st = CallState::Streaming; calls_[i].stream_start = rx_now_; }
  if (alive(slot, gen) && c.in.size()) process_frames(slot);  // frames that came with the 101
}

// Server side (fake OpenAI): accept GET /v1/realtime[?...] with any query string.
void Loadgen::server_handshake(uint32_t slot) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (data.size() > kMaxHttpHead) protocol_error(slot, "handshake request too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2);
  std::string_view key = http_header(head, "sec-websocket-key");
  bool path_ok = head.substr(0, 17) == "GET /v1/realtime " || head.substr(0, 17) == "GET /v1/realtime?" ||
                 head.substr(0, 17) == "GET /v1/realtime/";
  if (!path_ok || key.empty()) {
    ++model_bad_req_;
    if (model_bad_req_ <= 3) log("fake model: rejected request: %.*s", int(std::min<size_t>(he, 120)), data.data());
    static const char kResp[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    c.out.reserve(sizeof kResp, kMaxOut);
    c.out.append(kResp, sizeof kResp - 1);
    c.close_when_flushed = true;
    c.in.reset();
    return;
  }
  if (http_header(head, "authorization").substr(0, 7) != "Bearer ") ++model_no_auth_;
  std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " + ws_accept_key(key) + "\r\n\r\n";
  c.out.reserve(resp.size(), kMaxOut);
  c.out.append(resp.data(), resp.size());
  c.in.consume(he + 4);
  c.phase = Phase::Open;
  model_send_json(slot, R"({"type":"session.created","event_id":"evt_1","session":{"type":"realtime","id":"sess_1"}})");
  if (c.in.size()) process_frames(slot);
}

void Loadgen::process_frames(uint32_t slot) {
  Conn& c = conns_[slot];
  uint32_t gen = c.gen;
  bool server_role = c.kind == Kind::Model;
  while (!c.close_when_flushed) {
    uint8_t* p = reinterpret_cast<uint8_t*>(c.in.begin());
    size_t avail = c.in.size();
    if (avail < 2) break;
    bool fin = p[0] & 0x80;
    uint8_t op = p[0] & 0x0F;
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7F;
    size_t hl = 2;
    if (p[0] & 0x70) return protocol_error(slot, "RSV bits set (no extension negotiated)");
    if (len == 126) {
      if (avail < 4) break;
      len = uint64_t(p[2]) << 8 | p[3];
      hl = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int k = 0; k < 8; ++k) len = len << 8 | p[2 + k];
      hl = 10;
    }
    uint8_t mask[4] = {0, 0, 0, 0};
    if (masked) {
      if (avail < hl + 4) break;
      memcpy(mask, p + hl, 4);
      hl += 4;
    }
    if (masked != server_role) ++mask_errors_;  // clients must mask, servers must not; stay lenient
    if (len > kMaxMsg) return protocol_error(slot, "frame too large");
    if (avail < hl + len) {
      if (!c.in.reserve(hl + len - avail, kMaxIn)) protocol_error(slot, "frame exceeds buffer");
      break;
    }
    uint8_t* payload = p + hl;
    if (masked) xor_mask(payload, len, mask);
    c.in.consume(hl + len);  // payload stays valid until the next recv into this buffer
    handle_frame(slot, fin, op, payload, len);
    if (!alive(slot, gen)) return;
  }
  if (c.close_when_flushed) c.in.reset();  // ignore anything after a close
}

void Loadgen::handle_frame(uint32_t slot, bool fin, uint8_t op, uint8_t* p, size_t n) {
  Conn& c = conns_[slot];
  if (op >= 0x8) {  // control frames may arrive between fragments of a message
    if (!fin || n > 125) return protocol_error(slot, "bad control frame");
    if (op == kOpClose) {
      if (!c.close_sent) {
        ws_send(slot, kOpClose, p, n >= 2 ? 2 : 0);  // echo the status code
        c.close_sent = true;
      }
      c.close_when_flushed = true;
    } else if (op == kOpPing) {
      ws_send(slot, kOpPong, p, n);
    } else if (op == kOpPong) {
      if (c.owner < calls_.size() && c.kind == Kind::SelfTest) ++calls_[c.owner].st_pongs;
    } else {
      protocol_error(slot, "unknown control opcode");
    }
    return;
  }
  if (op == kOpCont) {
    if (!c.in_frag) return protocol_error(slot, "continuation without start");
    if (!c.msg.reserve(n, kMaxMsg)) return protocol_error(slot, "message too large");
    c.msg.append(p, n);
    if (fin) {
      c.in_frag = false;
      uint32_t gen = c.gen;
      on_message(slot, c.msg.begin(), c.msg.size());
      if (alive(slot, gen)) c.msg.reset();
    }
    return;
  }
  if (op != kOpText && op != kOpBin) return protocol_error(slot, "unknown data opcode");
  if (c.in_frag) return protocol_error(slot, "new message inside fragmented message");
  if (fin) return on_message(slot, reinterpret_cast<char*>(p), n);
  c.in_frag = true;
  c.msg.reset();
  if (!c.msg.reserve(n, kMaxMsg)) return protocol_error(slot, "message too large");
  c.msg.append(p, n);
}

void Loadgen::on_message(uint32_t slot, const char* p, size_t n) {
  max_msg_rx_ = std::max<uint64_t>(max_msg_rx_, n);
  Conn& c = conns_[slot];
  std::string_view m(p, n);
  switch (c.kind) {
    case Kind::Caller: return caller_on_message(c.owner, m);
    case Kind::Model: return model_on_message(slot, m);
    case Kind::SelfTest: return st_on_message(c.owner, m);
    default: return;
  }
}

// Queues one frame (client frames masked with a fresh key, server frames unmasked).
bool Loadgen::ws_send(uint32_t slot, uint8_t op, const void* data, size_t n, bool fin) {
  Conn& c = conns_[slot];
  bool client = c.kind != Kind::Model;
  size_t hl = 2 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + (client ? 4 : 0);
  if (!c.out.reserve(hl + n, kMaxOut)) {  // peer stopped reading
    protocol_error(slot, "output buffer overflow (peer not reading)");
    return false;
  }
  uint8_t* h = reinterpret_cast<uint8_t*>(c.out.d + c.out.len);
  h[0] = uint8_t((fin ? 0x80 : 0) | op);
  size_t k = 2;
  if (n < 126) {
    h[1] = uint8_t(n);
  } else if (n <= 0xFFFF) {
    h[1] = 126; h[2] = uint8_t(n >> 8); h[3] = uint8_t(n);
    k = 4;
  } else {
    h[1] = 127;
    for (int b = 0; b < 8; ++b) h[2 + b] = uint8_t(uint64_t(n) >> (56 - 8 * b));
    k = 10;
  }
  uint8_t* body = h + hl;
  if (n) memcpy(body, data, n);
  if (client) {
    h[1] |= 0x80;
    uint32_t key = uint32_t(rnd());
    memcpy(h + k, &key, 4);
    xor_mask(body, n, h + k);
  }
  c.out.len += hl + n;
  return true;
}

void Loadgen::ws_close(uint32_t slot, uint16_t code) {
  Conn& c = conns_[slot];
  if (c.close_sent || c.phase != Phase::Open) return;
  uint8_t b[2] = {uint8_t(code >> 8), uint8_t(code)};
  ws_send(slot, kOpClose, b, 2);
  c.close_sent = true;
}

// ---- simulated caller ----------------------------------------------------------------------------
void Loadgen::start_call(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  c.t_start = now;
  c.st = CallState::Webhook;
  snprintf(c.call_sid, sizeof c.call_sid, "CA%s%016x", run_hex_.c_str(), i);
  snprintf(c.stream_sid, sizeof c.stream_sid, "MZ%s%016x", run_hex_.c_str(), i);
  char from[16];
  snprintf(from, sizeof from, "+1555%07u", i % 10000000u);
  Params params = {{"AccountSid", account_sid_}, {"ApiVersion", "2010-04-01"}, {"CallSid", c.call_sid},
                   {"CallStatus", "ringing"},    {"Direction", "inbound"},     {"From", from},
                   {"To", "+15550009999"}};
  std::string body;
  for (auto& [k, v] : params) {
    if (!body.empty()) body += '&';
    body += k + "=" + url_encode(v);
  }
  std::string sig = twilio_signature(o_.auth_token, o_.public_url + "/twilio/voice", params);
  std::string req = "POST /twilio/voice HTTP/1.1\r\nHost: " + server_url_.authority +
                    "\r\nUser-Agent: TwilioProxy/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "X-Twilio-Signature: " + sig + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  c.conn = open_client(server_addr_, Kind::Webhook, i, req);
  if (c.conn == kNone) {
    fail_detail(i, "webhook connect: %s", strerror(errno));
    fail_call(i, kFailConnect);
  }
}

// Collects the webhook response: Content-Length, chunked, or delimited by connection close.
void Loadgen::webhook_progress(uint32_t slot, bool eof) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (eof) { fail_detail(c.owner, "webhook: connection closed before response head"); drop_conn(slot, kFailClosedEarly); }
    else if (data.size() > kMaxHttpHead) protocol_error(slot, "webhook response head too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2), body = data.substr(he + 4);
  int status = http_status(head);
  std::string dechunked;
  std::string_view te = http_header(head, "transfer-encoding"), cl = http_header(head, "content-length");
  if (te.find("chunked") != std::string_view::npos) {
    if (!dechunk(body, dechunked)) {
      if (eof) { fail_detail(c.owner, "webhook: truncated chunked body"); drop_conn(slot, kFailClosedEarly); }
      return;
    }
    body = dechunked;
  } else if (!cl.empty()) {
    size_t n = strtoul(std::string(cl).c_str(), nullptr, 10);
    if (body.size() < n) {
      if (eof) { fail_detail(c.owner, "webhook: truncated body"); drop_conn(slot, kFailClosedEarly); }
      return;
    }
    body = body.substr(0, n);
  } else if (!eof) {
    return;  // body runs until the server closes
  }
  webhook_done(slot, status, body);
}

void Loadgen::webhook_done(uint32_t slot, int status, std::string_view body) {
  uint32_t i = conns_[slot].owner;
  Call& c = calls_[i];
  c.webhook_status = status;
  TwiML tw;
  bool ok = status == 200 && parse_twiml(body, tw);  // parse before the slot (and its buffer) is reused
  c.conn = kNone;
  if (status != 200) {
    fail_detail(i, "webhook HTTP %d: %.*s", status, int(std::min<size_t>(body.size(), 200)), body.data());
    close_fd(slot);
    return fail_call(i, kFailWebhookStatus);
  }
  if (!ok) {
    fail_detail(i, "no <Stream url> in TwiML: %.*s", int(std::min<size_t>(body.size(), 300)), body.data());
    close_fd(slot);
    return fail_call(i, kFailTwiml);
  }
  close_fd(slot);

  Url u;
  if (!parse_url(tw.stream_url, u)) {
    fail_detail(i, "bad stream url '%s'", tw.stream_url.c_str());
    return fail_call(i, kFailTwiml);
  }
  // Connect to the stream URL if it is loopback, else (a public wss:// PUBLIC_URL) to --server:
  // the loadgen never leaves the machine and never speaks TLS.
  sockaddr_in target;
  if (u.scheme != "ws" || !loopback_addr(u.host, u.port, target)) target = server_addr_;

  std::string cp;
  for (auto& [k, v] : tw.params) {
    if (!cp.empty()) cp += ',';
    cp += "\"" + json_escape(k) + "\":\"" + json_escape(v) + "\"";
  }
  c.start_msg = std::string(R"({"event":"start","sequenceNumber":"1","start":{"accountSid":")") + account_sid_ +
                R"(","streamSid":")" + c.stream_sid + R"(","callSid":")" + c.call_sid +
                R"(","tracks":["inbound"],"customParameters":{)" + cp +
                R"(},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":")" +
                c.stream_sid + R"("})";

  std::string key = ws_client_key();
  // Twilio signs the stream URL exactly as written in <Stream url>, with no params.
  std::string req = "GET " + u.path + " HTTP/1.1\r\nHost: " + u.authority +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                    "\r\nSec-WebSocket-Version: 13\r\nX-Twilio-Signature: " +
                    hmac_sha1_b64(o_.auth_token, tw.stream_url) + "\r\nUser-Agent: Twilio.TmeWs/1.0\r\n\r\n";
  c.st = CallState::WsConnect;
  c.conn = open_client(target, Kind::Caller, i, req);
  if (c.conn == kNone) {
    fail_detail(i, "stream connect: %s", strerror(errno));
    return fail_call(i, kFailConnect);
  }
  memcpy(conns_[c.conn].ws_key, key.data(), 24);
}

// WebSocket is up: send connected + start, then media on an absolute 20 ms schedule.
void Loadgen::caller_open(uint32_t i) {
  Call& c = calls_[i];
  uint32_t slot = c.conn;
  c.ws_up = true;
  c.st = CallState::Streaming;
  static const char kConnected[] = R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
  ws_send(slot, kOpText, kConnected, sizeof kConnected - 1);
  ws_send(slot, kOpText, c.start_msg.data(), c.start_msg.size());
  c.msg_seq = 1;
  c.stream_start = rx_now_;
  c.play_end = rx_now_;
  next_send_[i] = rx_now_ + kFrameNs;
  schedule(next_send_[i]);
  check_established(i);
}

bool Loadgen::caller_send_media(uint32_t i, uint64_t sched) {
  Call& c = calls_[i];
  char* p = g_tx;
  p = put(p, R"({"event":"media","sequenceNumber":")");
  p = put_u64(p, ++c.msg_seq);
  p = put(p, R"(","media":{"track":"inbound","chunk":")");
  p = put_u64(p, ++c.chunk);
  p = put(p, R"(","timestamp":")");
  p = put_u64(p, (sched - c.stream_start) / kMs);
  p = put(p, R"(","payload":")");
  uint64_t t = now_ns();
  p = put_payload(p, i, uint32_t(c.chunk), t);
  p = put(p, R"("},"streamSid":")");
  p = put_sv(p, std::string_view(c.stream_sid, 34));
  p = put(p, R"("})");
  if (!ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx))) return false;
  count_sent(up_, t);
  return flush(c.conn);  // written now, so the stamped time is the real send time
}

void Loadgen::caller_send_mark(uint32_t i, std::string_view name) {
  Call& c = calls_[i];
  char* p = g_tx;
  p = put(p, R"({"event":"mark","sequenceNumber":")");
  p = put_u64(p, ++c.msg_seq);
  p = put(p, R"(","streamSid":")");
  p = put_sv(p, std::string_view(c.stream_sid, 34));
  p = put(p, R"(","mark":{"name":")");
  p = put_sv(p, name);
  p = put(p, R"("}})");
  ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx));
  ++marks_echoed_;
}

void Loadgen::caller_on_message(uint32_t i, std::string_view m) {
  Call& c = calls_[i];
  std::string_view ev, sid;
  if (!json_get(m, "event", ev)) { ++bad_json_; return; }
  if (json_get(m, "streamSid", sid) && sid != std::string_view(c.stream_sid, 34)) ++wrong_sid_;
  if (ev == "media") {
    std::string_view media, payload;
    if (!json_get(m, "media", media) || !json_get(media, "payload", payload)) { ++bad_json_; return; }
    long n = b64_decode_json(payload, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    // Playback clock: audio queues behind what is still playing.
    c.play_end = std::max(c.play_end, rx_now_) + uint64_t(n) * kNsPerAudioByte;
    c.down.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_down_frame(i, h); });
  } else if (ev == "mark") {
    std::string_view mark, name;
    if (!json_get(m, "mark", mark) || !json_get(mark, "name", name)) { ++bad_json_; return; }
    ++marks_rx_;
    if (name.size() > kMarkName) name = name.substr(0, kMarkName);  // never expected; keeps memory bounded
    uint64_t due = std::max(c.play_end, rx_now_);
    if (due <= rx_now_ && c.mark_count == 0) return caller_send_mark(i, name);  // nothing playing
    if (c.mark_count == kMaxMarks) {  // ring full: release the oldest early
      ++marks_overflow_;
      Mark& old = c.marks[c.mark_head];
      caller_send_mark(i, std::string_view(old.name, old.len));
      c.mark_head = (c.mark_head + 1) % kMaxMarks;
      --c.mark_count;
    }
    Mark& mk = c.marks[(c.mark_head + c.mark_count) % kMaxMarks];
    mk.due = due;
    mk.len = uint32_t(name.size());
    memcpy(mk.name, name.data(), name.size());
    if (c.mark_count++ == 0) {
      mark_due_[i] = due;
      schedule(due);
    }
  } else if (ev == "clear") {
    // Twilio drops buffered audio and echoes every outstanding mark at once.
    ++clears_rx_;
    c.play_end = rx_now_;
    echo_due_marks(i, kNever);
  } else {
    ++other_events_;
  }
}

void Loadgen::echo_due_marks(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  while (c.mark_count && c.marks[c.mark_head].due <= now) {
    Mark& mk = c.marks[c.mark_head];
    caller_send_mark(i, std::string_view(mk.name, mk.len));
    c.mark_head = (c.mark_head + 1) % kMaxMarks;
    --c.mark_count;
  }
  mark_due_[i] = c.mark_count ? c.marks[c.mark_head].due : kNever;
}

void Loadgen::on_down_frame(uint32_t i, const uint8_t* h) {
  uint32_t model = ld32(h), seq = ld32(h + 4);
  uint64_t t = ld64(h + 8);
  if (t < t0_ || t > rx_now_ || model == 0 || model >= model_owner_.size()) { ++down_.bad; return; }
  Call& c = calls_[i];
  if (model_owner_[model] != kNone && model_owner_[model] != i) ++down_crosstalk_;  // audio of another call
  if (model == c.down_model && seq <= c.down_last_seq) ++down_.ooo;
  else { c.down_model = model; c.down_last_seq = seq; }
  ++down_.recv_total;
  if (in_window(t)) {
    ++down_.recv_win;
    down_.lat.add(rx_now_ - t);
  }
}

// Sends every frame that is due by the absolute schedule (start + k*20 ms), catching up after a
// stall; a very long stall re-anchors the schedule instead of bursting.
void Loadgen::send_due_frames(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  for (int burst = 0; next_send_[i] <= now; ++burst) {
    if (burst == 25) { next_send_[i] = now + kFrameNs; ++slips_; return; }
    uint64_t sched = next_send_[i];
    note_lag(sched, now);
    bool ok = c.selftest ? st_send_append(i, sched) : caller_send_media(i, sched);
    if (!ok || c.st != CallState::Streaming) return;
    next_send_[i] = sched + kFrameNs;
  }
}

void Loadgen::resolve(uint32_t i) {
  if (!calls_[i].resolved) { calls_[i].resolved = true; ++resolved_; }
}

void Loadgen::check_established(uint32_t i) {
  Call& c = calls_[i];
  if (!c.established && c.ws_up && c.model_seen && c.st == CallState::Streaming) {
    c.established = true;
    ++established_;
    resolve(i);
  }
}

// A call lost its connection or gave up. During setup that is a failure; after establishment a
// drop; after we sent stop, the normal end.
void Loadgen::fail_call(uint32_t i, Fail reason) {
  Call& c = calls_[i];
  next_send_[i] = kNever;
  mark_due_[i] = kNever;
  if (c.conn != kNone) {
    uint32_t s = c.conn;
    c.conn = kNone;
    close_fd(s);
  }
  if (c.st == CallState::Done || c.st == CallState::Failed) return;
  if (c.st == CallState::Stopping) { c.st = CallState::Done; return; }
  if (c.established) {
    ++dropped_;
    ++drops_[reason];
    fail_detail(i, "established call dropped (%s)", kFailNames[reason]);
    c.st = CallState::Done;
    return;
  }
  c.st = CallState::Failed;
  c.fail = reason;
  ++fails_[reason];
  resolve(i);
}

// ---- fake OpenAI Realtime server -----------------------------------------------------------------
void Loadgen::model_on_message(uint32_t slot, std::string_view m) {
  Conn& c = conns_[slot];
  std::string_view type;
  if (!json_get(m, "type", type)) { ++bad_json_; return; }
  if (type == "input_audio_buffer.append") {
    std::string_view audio;
    if (!json_get(m, "audio", audio)) { ++bad_json_; return; }
    long n = b64_decode_json(audio, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    c.up.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_up_frame(slot, h); });
  } else if (type == "session.update") {
    ++model_session_updates_;
    char* p = g_tx;
    p = put(p, R"({"type":"session.updated","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","session":{"type":"realtime","object":"realtime.session","id":"sess_1","model":"gpt-realtime",)"
               R"("output_modalities":["audio"],"audio":{"input":{"format":{"type":"audio/pcmu"}},)"
               R"("output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
  } else if (type == "response.create") {
    ++model_response_creates_;
    if (c.streaming) return;  // one endless response per connection
    char* p = g_tx;
    p = put(p, R"({"type":"response.created","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","response":{"id":"resp_1","object":"realtime.response","status":"in_progress","output":[]}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
    c.streaming = true;
    model_next_[slot] = rx_now_;  // first delta on the next tick
    schedule(rx_now_);
  } else if (type == "response.cancel") {
    if (!c.streaming) return;
    c.streaming = false;
    model_next_[slot] = kNever;
    char* p = g_tx;
    p = put(p, R"({"type":"response.done","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","response":{"id":"resp_1","object":"realtime.response","status":"cancelled",)"
               R"("status_details":{"type":"cancelled","reason":"client_cancelled"},"output":[]}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
  } else {
    ++other_events_;  // conversation.item.*, input_audio_buffer.commit/clear, ...: ignored
  }
}

void Loadgen::on_up_frame(uint32_t slot, const uint8_t* h) {
  uint32_t idx = ld32(h), seq = ld32(h + 4);
  uint64_t t = ld64(h + 8);
  if (idx >= calls_.size() || t < t0_ || t > rx_now_) { ++up_.bad; return; }
  Conn& mc = conns_[slot];
  uint32_t& owner = model_owner_[mc.model_id];
  if (owner == kNone) owner = idx;
  else if (owner != idx) ++up_crosstalk_;  // two calls' audio on one model session
  Call& c = calls_[idx];
  if (!c.model_seen) {
    c.model_seen = true;
    check_established(idx);
  }
  if (seq <= c.up_last_seq) ++up_.ooo;
  else c.up_last_seq = seq;
  ++up_.recv_total;
  if (in_window(t)) {
    ++up_.recv_win;
    up_.lat.add(rx_now_ - t);
  }
}

void Loadgen::model_send_delta(uint32_t slot) {
  Conn& c = conns_[slot];
  char* p = g_tx;
  p = put(p, R"({"type":"response.output_audio.delta","event_id":"evt_)");
  p = put_u64(p, ++c.evt);
  p = put(p, R"(","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":")");
  uint64_t t = now_ns();
  p = put_payload(p, c.model_id, ++c.down_seq, t);
  p = put(p, R"("})");
  if (!ws_send(slot, kOpText, g_tx, size_t(p - g_tx))) return;
  count_sent(down_, t);
  flush(slot);
}

// ---- self-test client: plays voxgate's side towards the fake model -------------------------------
void Loadgen::st_on_message(uint32_t i, std::string_view m) {
  Call& c = calls_[i];
  std::string_view type;
  if (!json_get(m, "type", type)) { ++bad_json_; return; }
  if (type == "session.created") {
    ++c.st_created;
    // Keys deliberately out of order (nested "type" first) to exercise the JSON walker.
    static const char kUpdate[] =
        R"({"session":{"type":"realtime","instructions":"self test","audio":{"input":{"format":{"type":"audio/pcmu"}},)"
        R"("output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}},"type":"session.update"})";
    ws_send(c.conn, kOpText, kUpdate, sizeof kUpdate - 1);
  } else if (type == "session.updated") {
    ++c.st_updated;
    static const char kCreate[] = R"({"type":"response.create"})";
    ws_send(c.conn, kOpText, kCreate, sizeof kCreate - 1);
    if (next_send_[i] == kNever) schedule(next_send_[i] = rx_now_ + kFrameNs);
    c.model_seen = false;  // set again by the fake model on the first append
  } else if (type == "response.created") {
    ++c.st_resp_created;
  } else if (type == "response.output_audio.delta") {
    std::string_view delta;
    if (!json_get(m, "delta", delta)) { ++bad_json_; return; }
    long n = b64_decode_json(delta, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    c.down.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_down_frame(i, h); });
  } else {
    ++other_events_;
  }
}

// Appends; every 5th is fragmented (text + 2 continuations) with a ping in the middle, and one
// early message is a 100 KB item (64-bit length form, buffer growth on the server side).
bool Loadgen::st_send_append(uint32_t i, uint64_t) {
  Call& c = calls_[i];
  uint32_t slot = c.conn;
  uint32_t seq = uint32_t(++c.chunk);
  char* p = g_tx;
  p = put(p, R"({"type":"input_audio_buffer.append","audio":")");
  uint64_t t = now_ns();
  p = put_payload(p, i, seq, t);
  p = put(p, R"("})");
  size_t n = size_t(p - g_tx);
  if (seq % 5 == 0) {
    ws_send(slot, kOpText, g_tx, 100, false);
    ws_send(slot, kOpPing, "st", 2);
    ++c.st_pings;
    ws_send(slot, kOpCont, g_tx + 100, 100, false);
    ws_send(slot, kOpCont, g_tx + 200, n - 200, true);
  } else {
    ws_send(slot, kOpText, g_tx, n);
  }
  count_sent(up_, t);
  if (seq == 10) {
    std::string big = R"({"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":")" +
                      std::string(100000, 'x') + R"("}]}})";
    ws_send(slot, kOpText, big.data(), big.size());
  }
  return flush(slot);
}

// ---- schedule ------------------------------------------------------------------------------------
// The timer is one-shot, re-armed after each tick at the earliest pending deadline but never less
// than 1 ms ahead: a fixed 1 ms tick costs ~2.5% of a core in wakeups alone, and under load many
// due frames share one wakeup anyway. Pacing error stays below 1 ms either way.
void Loadgen::arm_timer(uint64_t at) {
  itimerspec its{};
  its.it_value.tv_sec = time_t(at / kSec);
  its.it_value.tv_nsec = long(at % kSec);
  timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr);
  timer_at_ = at;
}

void Loadgen::tick(uint64_t now) {
  timer_at_ = kNever;  // fired
  advance(now);
  uint64_t next = kNever;  // earliest deadline seen below
  if (stage_ == Stage::Ramp) {
    // Calls start on an absolute ramp schedule: call k at t0 + k/ramp.
    while (started_ < calls_.size() && now >= t0_ + uint64_t(double(started_) * 1e9 / o_.ramp)) {
      uint32_t i = started_++;
      if (o_.self_test) {
        Call& c = calls_[i];
        c.selftest = true;
        c.t_start = now;
        c.st = CallState::WsConnect;
        std::string key = ws_client_key();
        std::string req = "GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
                          "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer sk-selftest\r\n\r\n";
        c.conn = open_client(model_addr_, Kind::SelfTest, i, req);
        if (c.conn == kNone) fail_call(i, kFailConnect);
        else memcpy(conns_[c.conn].ws_key, key.data(), 24);
      } else {
        start_call(i, now);
      }
    }
    if (started_ < calls_.size()) next = std::min(next, t0_ + uint64_t(double(started_) * 1e9 / o_.ramp));
  }
  for (uint32_t i = 0; i < calls_.size(); ++i) {
    if (next_send_[i] <= now) send_due_frames(i, now);
    if (mark_due_[i] <= now) {
      echo_due_marks(i, now);
      if (calls_[i].conn != kNone) flush(calls_[i].conn);
    }
    next = std::min({next, next_send_[i], mark_due_[i]});
  }
  for (uint32_t s = 0; s < slots_hwm_; ++s) {
    if (model_next_[s] > now) continue;
    Conn& c = conns_[s];
    uint32_t gen = c.gen;
    for (int burst = 0; model_next_[s] <= now && alive(s, gen); ++burst) {
      if (burst == 25) { model_next_[s] = now + kFrameNs; ++slips_; break; }
      uint64_t sched = model_next_[s];
      note_lag(sched, now);
      model_send_delta(s);
      if (alive(s, gen)) model_next_[s] = sched + kFrameNs;
    }
    next = std::min(next, model_next_[s]);
  }
  if (now >= next_slow_tick_) {  // 10 Hz housekeeping: setup timeouts, paused listener
    next_slow_tick_ = now + 100 * kMs;
    uint64_t limit = uint64_t(o_.setup_timeout * 1e9);
    for (uint32_t i = 0; i < calls_.size(); ++i) {
      Call& c = calls_[i];
      bool setting_up = c.st == CallState::Webhook || c.st == CallState::WsConnect ||
                        (c.st == CallState::Streaming && !c.established);
      if (setting_up && now - c.t_start > limit) {
        Fail why = c.st == CallState::Streaming ? kFailNoModel : kFailTimeout;
        fail_detail(i, "setup timed out (%s)", c.st == CallState::Streaming
                                                   ? "WebSocket up but the fake model never saw this call's audio"
                                                   : "webhook/WebSocket did not complete");
        fail_call(i, why);
      }
    }
    if (listen_paused_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = 0xFFFFFFFEull;
      epoll_ctl(ep_, EPOLL_CTL_MOD, lfd_, &ev);
      listen_paused_ = false;
    }
  }
  next = std::min(next, next_slow_tick_);
  if (stage_ == Stage::Window) next = std::min(next, win_planned_end_);
  if (stage_ == Stage::Settle || stage_ == Stage::Tail || stage_ == Stage::Drain) next = std::min(next, stage_end_);
  arm_timer(std::max(next, now + kMs));
}

void Loadgen::advance(uint64_t now) {
  // First Ctrl-C: end the window early (results stay valid) or abort the setup, then hang up as
  // usual. A second one quits at once.
  if (g_interrupted) {
    g_interrupted = 0;
    log("interrupted");
    if (interrupts_++ > 0 || stage_ >= Stage::Tail) {
      aborted_ = true;
      return finish();
    }
    if (stage_ == Stage::Window) {
      end_window(now);
    } else {
      aborted_ = true;
      stop_all();
      stage_ = Stage::Drain;
      stage_end_ = now + 3 * kSec;
    }
  }
  if (now >= hard_deadline_ && stage_ != Stage::Done) {
    log("hard deadline reached");
    aborted_ = true;
    if (stage_ == Stage::Window) end_window(now);
    finish();
    return;
  }
  switch (stage_) {
    case Stage::Ramp:
      if (started_ == calls_.size()) stage_ = Stage::Setup;
      break;
    case Stage::Setup:
      if (resolved_ == calls_.size()) {
        log("setup done: %u established, %u failed; settling %.1f s", established_, resolved_ - established_,
            o_.settle);
        stage_ = Stage::Settle;
        stage_end_ = now + uint64_t(o_.settle * 1e9);
      }
      break;
    case Stage::Settle:
      if (now >= stage_end_) begin_window(now);
      break;
    case Stage::Window:
      if (now >= win_planned_end_) end_window(now);
      break;
    case Stage::Tail:
      if (now >= stage_end_) {
        stop_all();
        stage_ = Stage::Drain;
        stage_end_ = now + 3 * kSec;
      }
      break;
    case Stage::Drain:
      if (open_conns_ == 0 || now >= stage_end_) finish();
      break;
    case Stage::Done:
      break;
  }
}

void Loadgen::begin_window(uint64_t now) {
  lg_cpu0_ = self_cpu_ms();
  if (o_.server_pid > 0) srv_cpu0_ = proc_cpu_ms(o_.server_pid);
  win_start_ = now;
  win_planned_end_ = now + uint64_t(o_.duration * 1e9);
  stage_ = Stage::Window;
  log("measurement window started (%.1f s, %u calls)", o_.duration, established_);
}

void Loadgen::end_window(uint64_t now) {
  win_end_ = now;
  lg_cpu1_ = self_cpu_ms();
  if (o_.server_pid > 0) {
    srv_cpu1_ = proc_cpu_ms(o_.server_pid);
    rss_end_ = proc_rss_kib(o_.server_pid);
  }
  // Keep streaming 1 s more so frames sent at the end of the window can arrive before hang-up.
  stage_ = Stage::Tail;
  stage_end_ = now + kSec;
  log("measurement window ended");
}

// Hang up every call: Twilio sends "stop" and then closes the stream.
void Loadgen::stop_all() {
  for (uint32_t i = 0; i < calls_.size(); ++i) {
    Call& c = calls_[i];
    next_send_[i] = kNever;
    mark_due_[i] = kNever;
    if (c.st == CallState::Streaming && c.conn != kNone && conns_[c.conn].phase == Phase::Open) {
      if (!c.selftest) {
        char* p = g_tx;
        p = put(p, R"({"event":"stop","sequenceNumber":")");
        p = put_u64(p, ++c.msg_seq);
        p = put(p, R"(","stop":{"accountSid":")");
        p = put_sv(p, account_sid_);
        p = put(p, R"(","callSid":")");
        p = put_sv(p, std::string_view(c.call_sid, 34));
        p = put(p, R"("},"streamSid":")");
        p = put_sv(p, std::string_view(c.stream_sid, 34));
        p = put(p, R"("})");
        ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx));
      }
      c.st = CallState::Stopping;
      ws_close(c.conn, 1000);
      flush(c.conn);
    } else if (c.st == CallState::Pending || c.st == CallState::Webhook || c.st == CallState::WsConnect ||
               c.st == CallState::Streaming) {
      fail_call(i, kFailTimeout);  // only when interrupted before setup finished
    }
  }
}

void Loadgen::finish() {
  models_open_at_exit_ = open_models_;
  for (uint32_t s = 0; s < slots_hwm_; ++s)
    if (conns_[s].fd >= 0 && conns_[s].kind != Kind::Model) ++callers_open_at_exit_;
  for (uint32_t i = 0; i < calls_.size(); ++i)
    if (calls_[i].st == CallState::Stopping) { calls_[i].st = CallState::Done; }
  for (uint32_t s = 0; s < slots_hwm_; ++s) close_fd(s);
  stage_ = Stage::Done;
}

int Loadgen::run() {
  if (!init()) return 2;
  if (o_.self_test) log("self-test: fake model on 127.0.0.1:%u", ntohs(model_addr_.sin_port));
  else log("%u calls at %.0f/s against %s, fake model on 127.0.0.1:%u", o_.calls, o_.ramp, o_.server.c_str(),
           ntohs(model_addr_.sin_port));
  epoll_event evs[256];
  while (stage_ != Stage::Done) {
    int n = epoll_wait(ep_, evs, 256, 100);
    if (n < 0) {
      if (errno == EINTR) { advance(now_ns()); continue; }
      perror("epoll_wait");
      return 2;
    }
    for (int k = 0; k < n && stage_ != Stage::Done; ++k) dispatch(evs[k].data.u64, evs[k].events);
  }
  report();
  if (o_.self_test) return self_test_verdict() ? 0 : 1;
  return established_ > 0 && !aborted_ ? 0 : 1;
}

// ---- results -------------------------------------------------------------------------------------
void Loadgen::report() {
  double win_s = win_end_ != kNever && win_start_ != kNever ? double(win_end_ - win_start_) / 1e9 : 0;
  double lg_cpu = win_s > 0 ? lg_cpu1_ - lg_cpu0_ : 0;
  double srv_cpu = srv_cpu0_ >= 0 && srv_cpu1_ >= 0 ? srv_cpu1_ - srv_cpu0_ : -1;
  double per_call_s = srv_cpu >= 0 && established_ && win_s > 0 ? srv_cpu / (double(established_) * win_s) : -1;
  double srv_pct = srv_cpu >= 0 && win_s > 0 ? srv_cpu / (win_s * 10) : -1;
  double kib_per_call = rss_idle_ >= 0 && rss_end_ >= 0 && established_ ? double(rss_end_ - rss_idle_) / established_ : -1;
  uint32_t failed = 0;
  for (int f = 1; f < kFailCount; ++f) failed += fails_[f];
  auto lost = [](const Dir& d) { return d.sent_win > d.recv_win ? d.sent_win - d.recv_win : 0; };

  FILE* out = stdout;
  fprintf(out, "\n== voxgate-loadgen results%s ==\n", aborted_ ? " (ABORTED: partial)" : "");
  fprintf(out,
          "How measured: calls ramp at %.0f/s; the window opens %.1f s after every call is set up or has failed\n"
          "(set up = webhook 200 + WebSocket 101 + the fake model saw the call's audio) and lasts %.2f s.\n"
          "Frames/latency count only frames whose embedded send time (CLOCK_MONOTONIC, taken just before write())\n"
          "falls in the window; latency = time right after read() - send time, 10 us buckets; lost = sent - received\n"
          "(receiving continues 1 s after the window). CPU: getrusage (loadgen), utime+stime of /proc/PID/stat\n"
          "(server), both over the window. RSS: VmRSS of /proc/PID/status before the first call and at window end.\n\n",
          o_.ramp, o_.settle, win_s);
  fprintf(out, "calls: requested %u, established %u, failed %u, dropped after setup %u\n", o_.calls, established_,
          failed, dropped_);
  if (failed) {
    fprintf(out, "  failures:");
    for (int f = 1; f < kFailCount; ++f) if (fails_[f]) fprintf(out, " %s=%u", kFailNames[f], fails_[f]);
    fprintf(out, "\n");
  }
  if (dropped_) {
    fprintf(out, "  drops:");
    for (int f = 1; f < kFailCount; ++f) if (drops_[f]) fprintf(out, " %s=%u", kFailNames[f], drops_[f]);
    fprintf(out, "\n");
  }
  fprintf(out, "\n%-14s %10s %10s %8s %6s %6s %9s %9s %9s\n", "direction", "sent", "received", "lost", "ooo",
          "bad", "p50 ms", "p99 ms", "max ms");
  const Dir* dirs[2] = {&up_, &down_};
  const char* names[2] = {"caller->model", "model->caller"};
  for (int k = 0; k < 2; ++k) {
    const Dir& d = *dirs[k];
    fprintf(out, "%-14s %10llu %10llu %8llu %6llu %6llu %9.2f %9.2f %9.2f\n", names[k],
            (unsigned long long)d.sent_win, (unsigned long long)d.recv_win, (unsigned long long)lost(d),
            (unsigned long long)d.ooo, (unsigned long long)d.bad, d.lat.quantile_ms(0.5), d.lat.quantile_ms(0.99),
            d.lat.max_ms());
  }
  fprintf(out, "\nmarks: received %llu, echoed %llu, clears %llu; wrong streamSid %llu; cross-talk up %llu down %llu\n",
          (unsigned long long)marks_rx_, (unsigned long long)marks_echoed_, (unsigned long long)clears_rx_,
          (unsigned long long)wrong_sid_, (unsigned long long)up_crosstalk_, (unsigned long long)down_crosstalk_);
  fprintf(out, "fake model: connections %u (open at exit %u), session.update %llu, response.create %llu, no auth %llu\n",
          model_conns_total_, models_open_at_exit_, (unsigned long long)model_session_updates_,
          (unsigned long long)model_response_creates_, (unsigned long long)model_no_auth_);
  if (bad_json_ || bad_b64_ || protocol_errors_ || mask_errors_ || slips_ || accept_overflow_ || marks_overflow_)
    fprintf(out, "anomalies: bad json %llu, bad base64 %llu, ws protocol errors %llu, mask errors %llu, "
                 "schedule slips %llu, accept overflow %llu, mark overflow %llu\n",
            (unsigned long long)bad_json_, (unsigned long long)bad_b64_, (unsigned long long)protocol_errors_,
            (unsigned long long)mask_errors_, (unsigned long long)slips_, (unsigned long long)accept_overflow_,
            (unsigned long long)marks_overflow_);
  double lg_pct = win_s > 0 ? lg_cpu / (win_s * 10) : 0;
  fprintf(out, "loadgen CPU: %.0f ms over the window (%.1f%% of one core); pacing: max lag %.2f ms, %llu frames >5 ms late\n",
          lg_cpu, lg_pct, double(max_lag_) / 1e6, (unsigned long long)late_sends_);
  bool saturated = lg_pct > 85 || slips_ > 0 || late_sends_ > (up_.sent_win + down_.sent_win) / 100;
  if (saturated)
    fprintf(out, "WARNING: the loadgen could not keep its own schedule (saturated, or starved of CPU by other processes);\n         latency and loss then include its own queueing. Pin it to a free core (taskset).\n");
  if (o_.server_pid > 0) {
    fprintf(out, "server pid %d: CPU %.0f ms over the window = %.3f ms per call-second (%.1f%% of one core)\n",
            o_.server_pid, srv_cpu, per_call_s, srv_pct);
    if (srv_pct >= 95)
      fprintf(out, "note: the server used ~all of a core; per call-second CPU is then a lower bound and latency "
                   "includes its queueing\n");
    fprintf(out, "server RSS: idle %ld KiB, end of window %ld KiB => %.1f KiB per call\n", rss_idle_, rss_end_,
            kib_per_call);
  }
  fflush(out);

  if (o_.json_path.empty()) return;
  FILE* j = fopen(o_.json_path.c_str(), "w");
  if (!j) { perror(o_.json_path.c_str()); return; }
  fprintf(j, "{\n  \"aborted\": %s,\n  \"calls_requested\": %u,\n  \"calls_established\": %u,\n"
             "  \"calls_failed\": %u,\n  \"calls_dropped\": %u,\n",
          aborted_ ? "true" : "false", o_.calls, established_, failed, dropped_);
  for (int f = 1; f < kFailCount; ++f) fprintf(j, "  \"fail_%s\": %u,\n", kFailNames[f], fails_[f]);
  fprintf(j, "  \"window_s\": %.3f,\n", win_s);
  const char* keys[2] = {"up", "down"};
  for (int k = 0; k < 2; ++k) {
    const Dir& d = *dirs[k];
    fprintf(j, "  \"%s_sent\": %llu,\n  \"%s_received\": %llu,\n  \"%s_lost\": %llu,\n  \"%s_ooo\": %llu,\n"
               "  \"%s_bad\": %llu,\n  \"%s_p50_ms\": %.2f,\n  \"%s_p99_ms\": %.2f,\n  \"%s_max_ms\": %.2f,\n",
            keys[k], (unsigned long long)d.sent_win, keys[k], (unsigned long long)d.recv_win, keys[k],
            (unsigned long long)lost(d), keys[k], (unsigned long long)d.ooo, keys[k], (unsigned long long)d.bad,
            keys[k], d.lat.quantile_ms(0.5), keys[k], d.lat.quantile_ms(0.99), keys[k], d.lat.max_ms());
  }
  fprintf(j, "  \"marks_received\": %llu,\n  \"marks_echoed\": %llu,\n  \"clears\": %llu,\n"
             "  \"wrong_stream_sid\": %llu,\n  \"crosstalk_up\": %llu,\n  \"crosstalk_down\": %llu,\n"
             "  \"model_connections\": %u,\n  \"model_open_at_exit\": %u,\n  \"ws_protocol_errors\": %llu,\n"
             "  \"loadgen_cpu_ms\": %.1f,\n  \"loadgen_cpu_pct\": %.1f,\n  \"loadgen_max_lag_ms\": %.2f,\n"
             "  \"loadgen_late_sends\": %llu,\n  \"loadgen_saturated\": %s,\n",
          (unsigned long long)marks_rx_, (unsigned long long)marks_echoed_, (unsigned long long)clears_rx_,
          (unsigned long long)wrong_sid_, (unsigned long long)up_crosstalk_, (unsigned long long)down_crosstalk_,
          model_conns_total_, models_open_at_exit_, (unsigned long long)protocol_errors_, lg_cpu, lg_pct,
          double(max_lag_) / 1e6, (unsigned long long)late_sends_, saturated ? "true" : "false");
  if (o_.server_pid > 0)
    fprintf(j, "  \"server_cpu_ms\": %.1f,\n  \"server_cpu_pct\": %.1f,\n  \"server_cpu_ms_per_call_s\": %.4f,\n  \"server_rss_idle_kib\": %ld,\n"
               "  \"server_rss_end_kib\": %ld,\n  \"server_kib_per_call\": %.1f,\n",
            srv_cpu, srv_pct, per_call_s, rss_idle_, rss_end_, kib_per_call);
  fprintf(j, "  \"server_pid\": %d\n}\n", o_.server_pid);
  fclose(j);
}

bool Loadgen::self_test_verdict() {
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    printf("  [%s] %s\n", cond ? " ok " : "FAIL", what);
    ok &= cond;
  };
  printf("\nself-test (WebSocket client <-> fake model):\n");
  uint32_t pings = 0, pongs = 0, created = 0, updated = 0, resp = 0, done = 0;
  for (auto& c : calls_) {
    pings += c.st_pings; pongs += c.st_pongs; created += c.st_created; updated += c.st_updated;
    resp += c.st_resp_created; done += c.st == CallState::Done;
  }
  uint32_t n = o_.calls;
  check(established_ == n, "all clients established (101 + audio seen by the fake model)");
  check(created == n && updated == n && resp == n, "session.created / session.updated / response.created");
  check(up_.sent_win > 0 && up_.recv_win == up_.sent_win && up_.bad == 0 && up_.ooo == 0,
        "client->model appends: all frames received in order (incl. fragmented + 64-bit length frames)");
  check(down_.sent_win > 0 && down_.recv_win == down_.sent_win && down_.bad == 0 && down_.ooo == 0,
        "model->client deltas: all frames received in order");
  check(pings > 0 && pongs == pings, "pings between fragments answered with pongs");
  check(max_msg_rx_ >= 100000, "100 KB message reassembled by the fake model");
  check(done == n && models_open_at_exit_ == 0 && callers_open_at_exit_ == 0, "close handshake completed both ways");
  check(protocol_errors_ == 0 && mask_errors_ == 0 && bad_json_ == 0 && bad_b64_ == 0, "no protocol/mask/JSON errors");
  check(up_crosstalk_ == 0 && down_crosstalk_ == 0, "no cross-talk between connections");
  printf("self-test %s\n", ok ? "PASSED" : "FAILED");
  return ok;
}

// ---- unit vectors (run by --self-test before the socket test) ------------------------------------
bool unit_tests() {
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    printf("  [%s] %s\n", cond ? " ok " : "FAIL", what);
    ok &= cond;
  };
  printf("unit vectors:\n");
  Params p = {{"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
              {"From", "+14158675309"}, {"To", "+18005551212"}};
  check(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", p) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "X-Twilio-Signature basic vector (PROTOCOLS.md B.2)");
  check(twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", p) == "kvajT1Ptam85bY51eRf/AJRuM3w=",
        "X-Twilio-Signature :443 vector");
  Params rep = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}};
  check(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", rep) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        "X-Twilio-Signature repeated-keys vector");
  check(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Accept (RFC 6455)");

  bool b64ok = true;
  uint8_t raw[64], dec[64];
  char enc[96];
  for (size_t n = 0; n < sizeof raw; ++n) {
    for (size_t k = 0; k < n; ++k) raw[k] = uint8_t(rnd());
    size_t e = b64_encode(raw, n, enc);
    b64ok &= b64_decode_plain(enc, e, dec) == long(n) && memcmp(raw, dec, n) == 0;
  }
  b64ok &= b64_decode_json("\\/w==", dec) == 1 && dec[0] == 0xFF;  // "\/" escaped slash
  b64ok &= b64_decode_plain("a$==", 4, dec) < 0;
  check(b64ok, "base64 round trip, escaped '/', invalid input rejected");

  char pay[kFrameB64];
  put_payload(pay, 7, 42, 0x0102030405060708ull);
  uint8_t fr[kFrameBytes];
  bool pl = b64_decode_plain(pay, kFrameB64, fr) == long(kFrameBytes) && ld32(fr) == 7 && ld32(fr + 4) == 42 &&
            ld64(fr + 8) == 0x0102030405060708ull && fr[16] == 0xFF && fr[159] == 0xFF;
  check(pl, "frame payload template: 216 chars -> 160 bytes with header and 0xFF filler");

  FrameStream fs;
  uint32_t seen = 0;
  uint8_t two[2 * kFrameBytes];
  memset(two, 0xFF, sizeof two);
  st32(two + 4, 1);
  st32(two + kFrameBytes + 4, 2);
  for (size_t off = 0; off < sizeof two; off += 7)  // odd re-chunking
    fs.feed(two + off, std::min<size_t>(7, sizeof two - off), [&](const uint8_t* h) { seen = seen * 10 + ld32(h + 4); });
  check(seen == 12, "frame headers found across arbitrary re-chunking");

  std::string_view v;
  bool js = json_get(R"({"session":{"type":"realtime","x":[1,{"type":"y"}]},"type" : "session.update"})", "type", v) &&
            v == "session.update";
  js &= json_get(R"({"event":"mark","mark":{"name":"a\"b"},"streamSid":"MZ1"})", "mark", v) &&
        json_get(v, "name", v) && v == R"(a\"b)";
  js &= !json_get(R"({"a":1})", "b", v);
  check(js, "JSON top-level lookup ignores nested keys, keeps escapes");

  TwiML tw;
  bool tx = parse_twiml(R"(<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="http://x/twilio/stream-ended">)"
                        R"(<Stream url="ws://127.0.0.1:5050/twilio/stream"><Parameter name="callSid" value="CA1"/>)"
                        R"(<Parameter name="token" value="abc&amp;1&lt;2&quot;"/></Stream></Connect></Response>)",
                        tw);
  tx &= tw.stream_url == "ws://127.0.0.1:5050/twilio/stream" && tw.params.size() == 2 &&
        tw.params[1].first == "token" && tw.params[1].second == "abc&1<2\"";
  check(tx, "TwiML <Stream url> and <Parameter> parsing with XML entities");

  Url u;
  check(parse_url("ws://127.0.0.1:5050/twilio/stream", u) && u.port == 5050 && u.path == "/twilio/stream" &&
            u.authority == "127.0.0.1:5050",
        "URL parsing");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) { usage(); return 2; }
  init_payload_template();
  if (o.self_test) {
    bool units = unit_tests();
    if (!o.model_port_set) o.model_port = 0;  // ephemeral port: never clashes with a running bench
    if (o.calls == 100) o.calls = 4;
    if (o.duration == 20) o.duration = 2;
    o.settle = 0.2;
    Loadgen lg(o);
    int rc = lg.run();
    return units && rc == 0 ? 0 : 1;
  }
  Loadgen lg(o);
  return lg.run();
}
