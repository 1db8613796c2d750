// Standard base64 (RFC 4648, with padding): encode and decode without allocating.
// Pure functions; safe from any thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vg::base64 {

constexpr std::size_t encoded_size(std::size_t n) { return (n + 2) / 3 * 4; }
// Upper bound of the decoded size of `n` base64 characters.
constexpr std::size_t decoded_max(std::size_t n) { return n / 4 * 3 + 3; }

// Writes encoded_size(n) characters to `out`; returns that count.
std::size_t encode(const std::uint8_t* in, std::size_t n, char* out) noexcept;
void append_encoded(std::string& out, const std::uint8_t* in, std::size_t n);
std::string encode(std::string_view bytes);

// Decodes into `out` (room for decoded_max(in.size())). Accepts missing padding, rejects any
// other non-alphabet character. Returns the byte count, or nullopt when the input is invalid.
std::optional<std::size_t> decode(std::string_view in, std::uint8_t* out) noexcept;
std::optional<std::string> decode(std::string_view in);

// base64url without padding (for tokens that travel in URLs and XML attributes).
std::string encode_url(const std::uint8_t* in, std::size_t n);

}  // namespace vg::base64
