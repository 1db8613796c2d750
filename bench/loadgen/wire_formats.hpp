// The text formats the load generator reads and writes, each kept as small as a load test
// allows: base64, X-Twilio-Signature and the WebSocket keys, top-level JSON lookup, the TwiML
// voxgate answers with, URLs and HTTP heads. Pure functions.
#pragma once
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadgen {

size_t b64_encode(const uint8_t* in, size_t n, char* out);
std::string b64_string(const uint8_t* in, size_t n);
// Strict base64 decoder (padding optional). Returns the byte count, or -1 if not base64.
long b64_decode_plain(const char* in, size_t n, uint8_t* out);
// Decodes a base64 JSON string value (escaped '/' allowed).
long b64_decode_json(std::string_view s, uint8_t* out);

std::string hmac_sha1_b64(std::string_view key, std::string_view msg);

using Params = std::vector<std::pair<std::string, std::string>>;

// X-Twilio-Signature (docs/protocols/twilio-webhooks.md#signature): URL + each param sorted by
// name as name+value (repeated names: values deduplicated and sorted), HMAC-SHA1, base64.
std::string twilio_signature(std::string_view token, std::string_view url, Params params);
// Sec-WebSocket-Key: base64 of 16 random bytes (24 characters).
std::string ws_client_key();
std::string ws_accept_key(std::string_view key);

// Value of top-level member `key` of the object in `obj`. Strings come back without their quotes
// and still JSON-escaped (we only echo them or base64-decode them); other values verbatim.
bool json_get(std::string_view obj, std::string_view key, std::string_view& out);
std::string json_escape(std::string_view s);

struct TwiML {
  std::string stream_url;
  Params params;  // <Parameter name value/> in document order, passed back opaquely
};
bool parse_twiml(std::string_view doc, TwiML& out);

struct Url {
  std::string scheme, host, authority, path;  // path includes any query string
  uint16_t port = 0;
};
bool parse_url(std::string_view u, Url& out);
// Only loopback targets are allowed: this tool must never generate load against anything else.
bool loopback_addr(const std::string& host, uint16_t port, sockaddr_in& sa);
// Value of header `name` (case-insensitive) in an HTTP head ending in CRLF; empty if absent.
std::string_view http_header(std::string_view head, std::string_view name);
int http_status(std::string_view head);
// Chunked transfer decoding. False while incomplete.
bool dechunk(std::string_view body, std::string& out);
std::string url_encode(std::string_view s);

}  // namespace loadgen
