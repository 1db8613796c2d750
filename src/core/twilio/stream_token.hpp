// Short-lived tokens that bind a media stream to the call whose webhook we answered, so a
// stranger who finds the stream URL cannot open a stream and spend the owner's model budget.
// token = "<expiry unix seconds>.<base64url HMAC-SHA256(secret, call_sid '|' expiry)>". Pure:
// the caller passes the current time.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vg::twilio {

std::string make_stream_token(std::string_view secret, std::string_view call_sid, std::int64_t expires_unix);

enum class token_check { valid, malformed, expired, bad_signature };
token_check check_stream_token(std::string_view secret, std::string_view call_sid, std::string_view token,
                               std::int64_t now_unix);
std::string_view to_string(token_check c);

}  // namespace vg::twilio
