#include "core/http/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace vg::http {
namespace {

TEST(percent_encoding, unreserved_characters_stay_and_every_other_byte_is_escaped_upper_case) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  EXPECT_EQ(percent_encode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(percent_encode(std::string_view("\0\xFF", 2)), "%00%FF");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(percent_encoding, listed_characters_are_kept) {
  EXPECT_EQ(percent_encode("rec/2024/a b.wav", "/"), "rec/2024/a%20b.wav");
  EXPECT_EQ(percent_encode("rec/2024", ""), "rec%2F2024");
}

}  // namespace
}  // namespace vg::http
