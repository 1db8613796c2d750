// vg::base64: RFC 4648 section 10 vectors, round trips, strictness and the URL alphabet.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/base64.hpp"

namespace vg {
namespace {

const std::pair<std::string, std::string> rfc4648_vectors[] = {
    {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

TEST(base64, rfc4648_encode_vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors) EXPECT_EQ(base64::encode(plain), encoded) << plain;
}

TEST(base64, rfc4648_decode_vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors) {
    const auto decoded = base64::decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain) << encoded;
  }
}

TEST(base64, all_byte_values_encode_like_the_reference_alphabet) {
  // Each 3-byte group packs four known 6-bit indices: 0-3, 4-7, 8-11, 12-15, 62 x4, 63 x4.
  const std::uint8_t bytes[] = {0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b,
                                0x30, 0xd3, 0x8f, 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff};
  std::string out(base64::encoded_size(sizeof bytes), '?');
  EXPECT_EQ(base64::encode(bytes, sizeof bytes, out.data()), 24u);
  EXPECT_EQ(out, "ABCDEFGHIJKLMNOP++++////");
}

TEST(base64, pointer_api_reports_sizes) {
  for (std::size_t n = 0; n < 10; ++n) {
    const std::string plain(n, 'x');
    std::string out(base64::encoded_size(n) + 4, '#');
    const std::size_t written = base64::encode(reinterpret_cast<const std::uint8_t*>(plain.data()), n, out.data());
    EXPECT_EQ(written, base64::encoded_size(n));
    EXPECT_EQ(written % 4, 0u);
    EXPECT_EQ(out.substr(written), "####") << "wrote past encoded_size(" << n << ")";
  }
  EXPECT_EQ(base64::encoded_size(0), 0u);
  EXPECT_EQ(base64::encoded_size(1), 4u);
  EXPECT_EQ(base64::encoded_size(3), 4u);
  EXPECT_EQ(base64::encoded_size(4), 8u);
}

TEST(base64, append_encoded_keeps_what_was_there) {
  std::string out = "prefix:";
  const std::uint8_t data[] = {'f', 'o', 'o', 'b'};
  base64::append_encoded(out, data, sizeof data);
  EXPECT_EQ(out, "prefix:Zm9vYg==");
}

TEST(base64, random_round_trips_of_every_length_up_to_1000) {
  std::mt19937 rng(20240611);
  for (std::size_t n = 0; n <= 1000; ++n) {
    const std::string bytes = random_bytes(rng, n);
    const std::string encoded = base64::encode(bytes);
    ASSERT_EQ(encoded.size(), base64::encoded_size(n));
    const auto decoded = base64::decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << n;
    ASSERT_EQ(*decoded, bytes) << n;

    // The pointer API writes exactly n bytes, within decoded_max.
    std::vector<std::uint8_t> buf(base64::decoded_max(encoded.size()));
    const auto count = base64::decode(encoded, buf.data());
    ASSERT_TRUE(count.has_value());
    ASSERT_EQ(*count, n);
    ASSERT_LE(*count, base64::decoded_max(encoded.size()));
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), bytes);
  }
}

TEST(base64, missing_padding_is_accepted) {
  EXPECT_EQ(base64::decode("Zg").value(), "f");
  EXPECT_EQ(base64::decode("Zm8").value(), "fo");
  EXPECT_EQ(base64::decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(base64::decode("Zm9vYmE").value(), "fooba");
  EXPECT_EQ(base64::decode("Zm9vYg=").value(), "foob");  // partial padding
  std::mt19937 rng(5);
  for (std::size_t n = 0; n < 64; ++n) {
    const std::string bytes = random_bytes(rng, n);
    std::string encoded = base64::encode(bytes);
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    EXPECT_EQ(base64::decode(encoded).value(), bytes) << n;
  }
}

TEST(base64, characters_outside_the_alphabet_are_rejected) {
  for (const std::string& bad : std::vector<std::string>{"Zm9v!", "Zm 9v", "Zm9v\n", "Zm9v\r\n", "Zm-_", "Zm9_", "Zg=a", "Z=g=",
                                "Zm\x80v", "\xff\xff\xff\xff", std::string("Zm\0v", 4), "Zm9v.", "@@@@"}) {
    EXPECT_FALSE(base64::decode(bad).has_value()) << bad;
    std::vector<std::uint8_t> buf(base64::decoded_max(bad.size()));
    EXPECT_FALSE(base64::decode(bad, buf.data()).has_value()) << bad;
  }
}

TEST(base64, impossible_lengths_are_rejected) {
  // One character left over carries only 6 bits: no byte can end there.
  for (const char* bad : {"Z", "Zm9vY", "Zm9vYmFyZ", "Z===", "Zm9vY==="}) {
    EXPECT_FALSE(base64::decode(bad).has_value()) << bad;
  }
}

TEST(base64, url_alphabet_without_padding) {
  const std::uint8_t a[] = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64::encode_url(a, 3), "-__-");
  const std::uint8_t b[] = {0xfb, 0xff};
  EXPECT_EQ(base64::encode_url(b, 2), "-_8");  // "+/8=" in the standard alphabet
  const std::uint8_t c[] = {0xff};
  EXPECT_EQ(base64::encode_url(c, 1), "_w");
  EXPECT_EQ(base64::encode_url(nullptr, 0), "");

  std::mt19937 rng(11);
  for (std::size_t n = 0; n < 200; ++n) {
    const std::string bytes = random_bytes(rng, n);
    const std::string url = base64::encode_url(reinterpret_cast<const std::uint8_t*>(bytes.data()), n);
    EXPECT_EQ(url.find_first_of("+/="), std::string::npos) << url;
    std::string standard = base64::encode(bytes);
    while (!standard.empty() && standard.back() == '=') standard.pop_back();
    for (char& ch : standard) {
      if (ch == '+') ch = '-';
      if (ch == '/') ch = '_';
    }
    EXPECT_EQ(url, standard);
  }
}

}  // namespace
}  // namespace vg
