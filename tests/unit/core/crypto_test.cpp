// vg::crypto: the digests and MACs against published vectors (FIPS 180, RFC 2202, RFC 4231).
#include <gtest/gtest.h>

#include <string>

#include "core/crypto.hpp"

namespace vg::crypto {
namespace {

TEST(crypto, sha1_vectors) {
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(crypto, sha256_vectors) {
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The Twilio bodySHA256 vectors (docs/protocols/twilio-webhooks.md#signature).
  EXPECT_EQ(hex(sha256(R"({"property": "value", "boolean": true})")),
            "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
  EXPECT_EQ(hex(sha256("{}")), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

TEST(crypto, hmac_sha1_rfc2202) {
  EXPECT_EQ(hex(hmac_sha1("Jefe", "what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex(hmac_sha1(std::string(20, '\x0b'), "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  // Keys longer than the block size are hashed first (test case 6).
  EXPECT_EQ(hex(hmac_sha1(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(crypto, hmac_sha256_rfc4231) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(crypto, hex_is_lower_case_two_digits_per_byte) {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff, 0x5c};
  EXPECT_EQ(hex(bytes, sizeof bytes), "000fa0ff5c");
  EXPECT_EQ(hex(bytes, 0), "");
}

TEST(crypto, constant_time_equal_compares_contents_and_lengths) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "Abc"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(crypto, random_bytes_fill_the_buffer) {
  std::uint8_t a[32] = {};
  std::uint8_t b[32] = {};
  random_bytes(a, sizeof a);
  random_bytes(b, sizeof b);
  // 2^-256 chance of a false failure.
  EXPECT_NE(hex(a, sizeof a), hex(b, sizeof b));
  random_bytes(a, 0);  // nothing to do, must not fail
}

}  // namespace
}  // namespace vg::crypto
