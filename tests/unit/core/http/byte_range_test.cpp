#include "core/http/byte_range.hpp"

#include <gtest/gtest.h>

namespace vg::http {
namespace {

using k = range_request::kind;

std::string show(const range_request& r) {
  switch (r.what) {
    case k::whole: return "whole";
    case k::unsatisfiable: return "416";
    case k::range: return std::to_string(r.range.first) + "-" + std::to_string(r.range.last);
  }
  return "?";
}

TEST(byte_range, the_three_forms_of_a_range) {
  EXPECT_EQ(show(parse_range_header("bytes=0-3", 100)), "0-3");
  EXPECT_EQ(show(parse_range_header("bytes=10-", 100)), "10-99");
  EXPECT_EQ(show(parse_range_header("bytes=-10", 100)), "90-99");
  EXPECT_EQ(show(parse_range_header("bytes=99-99", 100)), "99-99");
  EXPECT_EQ(parse_range_header("bytes=0-3", 100).range.length(), 4u);
}

TEST(byte_range, ranges_past_the_end_are_cut_or_refused) {
  EXPECT_EQ(show(parse_range_header("bytes=50-1000", 100)), "50-99");
  EXPECT_EQ(show(parse_range_header("bytes=-1000", 100)), "0-99");
  EXPECT_EQ(show(parse_range_header("bytes=100-", 100)), "416");
  EXPECT_EQ(show(parse_range_header("bytes=100-200", 100)), "416");
  EXPECT_EQ(show(parse_range_header("bytes=0-0", 0)), "416") << "an empty body has no byte 0";
  EXPECT_EQ(show(parse_range_header("bytes=18446744073709551615-", 100)), "416");
}

TEST(byte_range, malformed_ranges_are_unsatisfiable_and_other_forms_mean_the_whole) {
  for (const char* bad : {"bytes=9-2", "bytes=-0", "bytes=", "bytes=-", "bytes=a-b", "bytes= 1-2", "bytes=1-2x",
                          "bytes=+1-2", "bytes=99999999999999999999999-"}) {
    EXPECT_EQ(show(parse_range_header(bad, 100)), "416") << bad;
  }
  for (const char* other : {"", "items=0-3", "bytes=0-1,5-6", "Bytes=0-3"}) {
    EXPECT_EQ(show(parse_range_header(other, 100)), "whole") << other;
  }
}

TEST(byte_range, content_range_round_trips_and_refuses_nonsense) {
  const auto c = parse_content_range("bytes 0-9/1234");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->range.first, 0u);
  EXPECT_EQ(c->range.last, 9u);
  EXPECT_EQ(c->total, 1234u);
  EXPECT_EQ(content_range_header(c->range, *c->total), "bytes 0-9/1234");
  const auto unknown = parse_content_range("bytes 5-5/*");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->total.has_value());
  for (const char* bad : {"", "bytes */100", "bytes 9-2/100", "bytes 0-9/9", "bytes 0-9", "bits 0-9/100", "bytes 0-9/x",
                          "bytes -1-9/100"}) {
    EXPECT_FALSE(parse_content_range(bad).has_value()) << bad;
  }
}

TEST(byte_range, decimals_are_digits_only) {
  EXPECT_EQ(parse_decimal("0"), 0u);
  EXPECT_EQ(parse_decimal("18446744073709551615"), 18446744073709551615u);
  for (const char* bad : {"", " 1", "1 ", "+1", "-1", "1e3", "0x10", "18446744073709551616"}) {
    EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vg::http
