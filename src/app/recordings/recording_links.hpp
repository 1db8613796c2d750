// Links that play one recording without an API token, for a browser's <audio src=...>, which
// cannot send an Authorization header: the path and query of GET /api/v1/calls/{sid}/recording
// with ?id=ID&expires=UNIX&signature=HMAC. The HMAC-SHA256 binds the call, the recording and the
// expiry, under a key derived from the webhook secret (never the secret itself). No key (neither
// VOXGATE_WEBHOOK_SECRET nor TWILIO_AUTH_TOKEN set) means no links: a key anyone can guess
// would let anyone forge one.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "app/config.hpp"

namespace vg::app {

inline constexpr std::int64_t recording_link_seconds = 3600;

// "/api/v1/calls/SID/recording?id=ID&expires=T&signature=S", or nullopt without a key.
std::optional<std::string> recording_link(const config& cfg, const std::string& call_sid, const std::string& recording_id,
                                          std::int64_t expires_unix);

// Whether `expires` and `signature` (from the query) sign this call and recording and have not
// expired at `now_unix`.
bool recording_link_valid(const config& cfg, const std::string& call_sid, const std::string& recording_id,
                          const std::string& expires, const std::string& signature, std::int64_t now_unix);

}  // namespace vg::app
