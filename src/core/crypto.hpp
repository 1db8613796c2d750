// Hashes and MACs used by the protocols (Twilio signatures, stream tokens, WebSocket keys).
// Thin, pure wrappers over OpenSSL's one-shot functions; safe from any thread.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vg::crypto {

using sha1_digest = std::array<std::uint8_t, 20>;
using sha256_digest = std::array<std::uint8_t, 32>;

sha1_digest sha1(std::string_view data);
sha256_digest sha256(std::string_view data);
sha1_digest hmac_sha1(std::string_view key, std::string_view data);
sha256_digest hmac_sha256(std::string_view key, std::string_view data);
std::string hex(const std::uint8_t* data, std::size_t n);
template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& d) { return hex(d.data(), N); }

// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// Cryptographically random bytes (OpenSSL RAND_bytes).
void random_bytes(std::uint8_t* out, std::size_t n);

}  // namespace vg::crypto
