#include "core/twilio/stream_token.hpp"

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "core/json_scan.hpp"

namespace vg::twilio {
namespace {
std::string mac_of(std::string_view secret, std::string_view call_sid, std::string_view expiry) {
  std::string data(call_sid);
  data += '|';
  data += expiry;
  const auto mac = crypto::hmac_sha256(secret, data);
  return base64::encode_url(mac.data(), mac.size());
}
}  // namespace

std::string make_stream_token(std::string_view secret, std::string_view call_sid, std::int64_t expires_unix) {
  const std::string expiry = std::to_string(expires_unix);
  return expiry + "." + mac_of(secret, call_sid, expiry);
}

token_check check_stream_token(std::string_view secret, std::string_view call_sid, std::string_view token,
                               std::int64_t now_unix) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || call_sid.empty()) return token_check::malformed;
  const std::string_view expiry = token.substr(0, dot);
  const auto expires = json::to_integer(expiry);
  if (!expires) return token_check::malformed;
  if (!crypto::constant_time_equal(mac_of(secret, call_sid, expiry), token.substr(dot + 1))) {
    return token_check::bad_signature;
  }
  if (*expires < now_unix) return token_check::expired;
  return token_check::valid;
}

std::string_view to_string(token_check c) {
  switch (c) {
    case token_check::valid: return "valid";
    case token_check::malformed: return "malformed";
    case token_check::expired: return "expired";
    case token_check::bad_signature: return "bad signature";
  }
  return "?";
}

}  // namespace vg::twilio
