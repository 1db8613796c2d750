#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace vg::crypto {
namespace {
const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
}  // namespace

sha1_digest sha1(std::string_view data) {
  sha1_digest d{};
  SHA1(bytes(data), data.size(), d.data());
  return d;
}

sha256_digest sha256(std::string_view data) {
  sha256_digest d{};
  SHA256(bytes(data), data.size(), d.data());
  return d;
}

sha1_digest hmac_sha1(std::string_view key, std::string_view data) {
  sha1_digest d{};
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), d.data(), &len);
  return d;
}

sha256_digest hmac_sha256(std::string_view key, std::string_view data) {
  sha256_digest d{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), d.data(), &len);
  return d;
}

std::string hex(const std::uint8_t* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_bytes(std::uint8_t* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

}  // namespace vg::crypto
