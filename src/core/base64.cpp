#include "core/base64.hpp"

#include <array>

namespace vg::base64 {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto reverse = make_reverse();

}  // namespace

std::size_t encode(const std::uint8_t* in, std::size_t n, char* out) noexcept {
  char* o = out;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (const std::size_t rest = n - i; rest != 0) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    if (rest == 2) v |= std::uint32_t{in[i + 1]} << 8;
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return static_cast<std::size_t>(o - out);
}

void append_encoded(std::string& out, const std::uint8_t* in, std::size_t n) {
  const std::size_t old = out.size();
  out.resize(old + encoded_size(n));
  encode(in, n, out.data() + old);
}

std::string encode(std::string_view bytes) {
  std::string out;
  append_encoded(out, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return out;
}

std::optional<std::size_t> decode(std::string_view in, std::uint8_t* out) noexcept {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::uint8_t* o = out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const std::int8_t v = reverse[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  return static_cast<std::size_t>(o - out);
}

std::optional<std::string> decode(std::string_view in) {
  std::string out(decoded_max(in.size()), '\0');
  const auto n = decode(in, reinterpret_cast<std::uint8_t*>(out.data()));
  if (!n) return std::nullopt;
  out.resize(*n);
  return out;
}

std::string encode_url(const std::uint8_t* in, std::size_t n) {
  std::string out;
  append_encoded(out, in, n);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

}  // namespace vg::base64
