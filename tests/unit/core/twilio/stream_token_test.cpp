// Stream tokens: "<expiry>.<base64url HMAC-SHA256(secret, call_sid|expiry)>", checked with the
// time passed in.
#include <gtest/gtest.h>

#include <string>

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "core/twilio/stream_token.hpp"

namespace vg::twilio {
namespace {

constexpr const char* secret = "stream-secret";
constexpr const char* call = "CA0123456789abcdef0123456789abcdef";
constexpr std::int64_t expiry = 1'700'000'600;

TEST(stream_token, has_the_documented_format) {
  const std::string t = make_stream_token(secret, call, expiry);
  const auto mac = crypto::hmac_sha256(secret, std::string(call) + "|1700000600");
  EXPECT_EQ(t, "1700000600." + base64::encode_url(mac.data(), mac.size()));
  EXPECT_EQ(t.size(), 10u + 1u + 43u);  // 32 bytes -> 43 base64url characters, no padding
  EXPECT_EQ(t.find_first_of("+/= &\"<>"), std::string::npos);  // safe in URLs and XML attributes
}

TEST(stream_token, valid_until_and_including_the_expiry_second) {
  const std::string t = make_stream_token(secret, call, expiry);
  EXPECT_EQ(check_stream_token(secret, call, t, expiry - 600), token_check::valid);
  EXPECT_EQ(check_stream_token(secret, call, t, expiry), token_check::valid);
  EXPECT_EQ(check_stream_token(secret, call, t, expiry + 1), token_check::expired);
  EXPECT_EQ(check_stream_token(secret, call, t, expiry + 86400), token_check::expired);
}

TEST(stream_token, tampering_is_detected) {
  const std::string t = make_stream_token(secret, call, expiry);
  const std::string mac = t.substr(t.find('.') + 1);
  // A later expiry cannot be grafted onto an old signature.
  EXPECT_EQ(check_stream_token(secret, call, "1800000000." + mac, expiry), token_check::bad_signature);
  EXPECT_EQ(check_stream_token(secret, call, "01700000600." + mac, expiry), token_check::bad_signature);
  // Any change to the signature.
  for (std::size_t i = 0; i < mac.size(); ++i) {
    std::string flipped = t;
    char& c = flipped[t.find('.') + 1 + i];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(check_stream_token(secret, call, flipped, expiry), token_check::bad_signature) << i;
  }
  EXPECT_EQ(check_stream_token(secret, call, t + "A", expiry), token_check::bad_signature);
  EXPECT_EQ(check_stream_token(secret, call, t.substr(0, t.size() - 1), expiry), token_check::bad_signature);
  EXPECT_EQ(check_stream_token(secret, call, "1700000600.", expiry), token_check::bad_signature);
  // Another secret.
  EXPECT_EQ(check_stream_token("other-secret", call, t, expiry), token_check::bad_signature);
}

TEST(stream_token, bound_to_its_call) {
  const std::string t = make_stream_token(secret, call, expiry);
  EXPECT_EQ(check_stream_token(secret, "CA0123456789abcdef0123456789abcdee", t, expiry), token_check::bad_signature);
  EXPECT_EQ(check_stream_token(secret, "CA0123456789abcdef0123456789abcdef ", t, expiry), token_check::bad_signature);
  // The '|' separator keeps call sid and expiry apart.
  // ("CA1", 23) and ("CA12", 3) would both sign "CA123" without it.
  const std::string other = make_stream_token(secret, "CA1", 23);
  EXPECT_EQ(check_stream_token(secret, "CA1", other, 0), token_check::valid);
  const std::string regrafted = "3" + other.substr(other.find('.'));
  EXPECT_EQ(check_stream_token(secret, "CA12", regrafted, 0), token_check::bad_signature);
}

TEST(stream_token, expired_tokens_are_also_checked_for_authenticity) {
  const std::string t = make_stream_token(secret, call, expiry);
  EXPECT_EQ(check_stream_token(secret, "CA_other", t, expiry + 1), token_check::bad_signature);
}

TEST(stream_token, malformed_tokens) {
  const std::string t = make_stream_token(secret, call, expiry);
  for (const std::string& bad : {std::string(""), std::string("."), std::string("garbage"),
                                std::string("x.y"), std::string(".abc"), std::string("12a." + t.substr(11)),
                                std::string(" 1700000600." + t.substr(11)), std::string("+1700000600." + t.substr(11)),
                                t.substr(0, 10)}) {
    EXPECT_EQ(check_stream_token(secret, call, bad, expiry), token_check::malformed) << bad;
  }
  // Without a call sid there is nothing to bind to.
  EXPECT_EQ(check_stream_token(secret, "", t, expiry), token_check::malformed);
  EXPECT_EQ(check_stream_token(secret, "", make_stream_token(secret, "", expiry), expiry), token_check::malformed);
}

TEST(stream_token, names_of_the_results) {
  EXPECT_EQ(to_string(token_check::valid), "valid");
  EXPECT_EQ(to_string(token_check::malformed), "malformed");
  EXPECT_EQ(to_string(token_check::expired), "expired");
  EXPECT_EQ(to_string(token_check::bad_signature), "bad signature");
}

}  // namespace
}  // namespace vg::twilio
