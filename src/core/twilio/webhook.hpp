// Twilio webhook requests: form decoding and X-Twilio-Signature (docs/protocols/twilio-webhooks.md#signature).
// Pure functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vg::twilio {

using form = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded -> (name, value) pairs in order; nullopt on a bad %XX.
std::optional<form> parse_form(std::string_view body);
std::string url_decode(std::string_view s, bool plus_is_space, bool* ok = nullptr);
std::string url_encode(std::string_view s);  // RFC 3986 unreserved kept, everything else %XX
std::string encode_form(const form& params);

// First value of `name`, or empty.
std::string_view form_value(const form& params, std::string_view name);

// The signature Twilio sends for `url` (exactly as requested) plus the POST params.
std::string compute_signature(std::string_view auth_token, std::string_view url, const form& post_params);

// Accepts the signature computed over the URL with and without its port (both SDKs do),
// and for JSON bodies checks the bodySHA256 query parameter against the raw body.
bool validate_signature(std::string_view auth_token, std::string_view url, const form& post_params,
                        std::string_view signature);
bool validate_json_signature(std::string_view auth_token, std::string_view url, std::string_view raw_body,
                             std::string_view signature);

// URL variants used for the port leniency: without any port, and with the default port added.
std::string url_without_port(std::string_view url);
std::string url_with_port(std::string_view url);

}  // namespace vg::twilio
