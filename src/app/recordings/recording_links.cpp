#include "app/recordings/recording_links.hpp"

#include "app/tools/webhook_sender.hpp"
#include "core/crypto.hpp"
#include "core/http/byte_range.hpp"
#include "core/http/percent_encoding.hpp"

namespace vg::app {
namespace {

std::optional<std::string> link_key(const config& cfg) {
  if (cfg.webhook_secret.empty() && cfg.twilio_auth_token.empty()) return std::nullopt;
  return crypto::hex(crypto::hmac_sha256(webhook_secret(cfg), "voxgate recording links v1"));
}

std::string signature(const std::string& key, const std::string& call_sid, const std::string& recording_id,
                      std::int64_t expires) {
  // Lengths first, so that no two (sid, id) pairs sign the same text.
  const std::string text = std::to_string(call_sid.size()) + ":" + call_sid + ":" + std::to_string(recording_id.size()) +
                           ":" + recording_id + ":" + std::to_string(expires);
  return crypto::hex(crypto::hmac_sha256(key, text));
}

}  // namespace

std::optional<std::string> recording_link(const config& cfg, const std::string& call_sid, const std::string& recording_id,
                                          std::int64_t expires_unix) {
  const auto key = link_key(cfg);
  if (!key) return std::nullopt;
  return "/api/v1/calls/" + http::percent_encode(call_sid) + "/recording?id=" + http::percent_encode(recording_id) +
         "&expires=" + std::to_string(expires_unix) + "&signature=" + signature(*key, call_sid, recording_id, expires_unix);
}

bool recording_link_valid(const config& cfg, const std::string& call_sid, const std::string& recording_id,
                          const std::string& expires, const std::string& given, std::int64_t now_unix) {
  const auto key = link_key(cfg);
  const auto until = http::parse_decimal(expires);
  if (!key || !until || recording_id.empty() || static_cast<std::int64_t>(*until) < now_unix) return false;
  return crypto::constant_time_equal(signature(*key, call_sid, recording_id, static_cast<std::int64_t>(*until)), given);
}

}  // namespace vg::app
