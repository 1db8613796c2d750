#include "app/api/api_tokens.hpp"

#include "core/base64.hpp"
#include "core/crypto.hpp"

namespace vg::app {

std::string token_hash(std::string_view token) { return crypto::hex(crypto::sha256(token)); }

new_token make_token(const std::string& org_id, const std::string& name, std::int64_t now_ms) {
  std::uint8_t id[6], secret[32];
  crypto::random_bytes(id, sizeof id);
  crypto::random_bytes(secret, sizeof secret);
  new_token t;
  t.record.id = "tok_" + crypto::hex(id, sizeof id);
  // Hex keeps the token free of characters that need quoting in shells and headers.
  t.secret = "vg_" + crypto::hex(id, sizeof id) + "_" + crypto::hex(secret, sizeof secret);
  t.record.hash = token_hash(t.secret);
  t.record.org_id = org_id;
  t.record.name = name;
  t.record.created_at_ms = now_ms;
  return t;
}

}  // namespace vg::app
