// Outgoing webhooks to an organisation's URL: JSON POSTs signed with HMAC-SHA256 so the
// receiver can tell they come from this voxgate, with a deadline and retries on failures that
// are safe to retry (connection errors, 5xx). Coroutine on the caller's executor.
#pragma once
#include <string>

#include "app/config.hpp"
#include "core/result.hpp"
#include "net/asio.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

// X-Voxgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, std::string_view body);
// VOXGATE_WEBHOOK_SECRET, or one derived from TWILIO_AUTH_TOKEN so all nodes agree.
std::string webhook_secret(const config& cfg);

// The reply's body on a 2xx; otherwise the reason. Up to 3 attempts, 0.5 s then 1 s apart.
awaitable<result<std::string>> post_signed_webhook(asio::ssl::context& tls, const config& cfg, std::string url,
                                                   std::string body);

}  // namespace vg::app
