#include "core/agent/business_hours.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace vg::agent {
namespace {

weekly_hours parse(const char* json_text) {
  auto h = parse_hours(boost::json::parse(json_text));
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error_message());
  return h.ok() ? *h : weekly_hours{};
}

std::string error_of(const char* json_text) {
  auto h = parse_hours(boost::json::parse(json_text));
  return h.ok() ? std::string("(accepted)") : h.error_message();
}

TEST(business_hours, day_ranges_lists_and_overrides) {
  const auto h = parse(R"({"daily":"09:00-17:00","mon-fri":"08:00-12:00, 13:00-17:30","sun":"closed"})");
  EXPECT_TRUE(h.days[0].empty());
  ASSERT_EQ(h.days[1].size(), 2u);
  EXPECT_EQ(h.days[1][0], (time_range{480, 720}));
  EXPECT_EQ(h.days[5][1], (time_range{780, 1050}));
  EXPECT_EQ(h.days[6], (std::vector<time_range>{{540, 1020}}));
  const auto w = parse(R"({"Saturday, Sunday":"10:00-14:00","fri-mon":["07:00-08:00","20:00-24:00"]})");
  EXPECT_EQ(w.days[5].size(), 2u);  // fri-mon wraps over the weekend and overrides it
  EXPECT_EQ(w.days[0].back().close_min, 1440);
  EXPECT_TRUE(w.days[3].empty());
}

TEST(business_hours, bad_input_names_the_problem) {
  EXPECT_NE(error_of(R"({"mon":"8-17"})").find("not a range"), std::string::npos);
  EXPECT_NE(error_of(R"({"mon":"17:00-08:00"})").find("closes before it opens"), std::string::npos);
  EXPECT_NE(error_of(R"({"mon":"08:00-12:00, 11:00-13:00"})").find("overlapping"), std::string::npos);
  EXPECT_NE(error_of(R"({"funday":"08:00-12:00"})").find("'funday' is not a day"), std::string::npos);
  EXPECT_NE(error_of(R"({"mon":"25:00-26:00"})").find("not a range"), std::string::npos);
  EXPECT_NE(error_of(R"({"mon":"08:60-09:00"})").find("not a range"), std::string::npos);
  EXPECT_NE(error_of(R"({"mon":5})").find("mon:"), std::string::npos);
  EXPECT_NE(error_of(R"(["mon"])").find("map of days"), std::string::npos);
}

TEST(business_hours, written_back_grouped_and_reparsed_equal) {
  const auto h = parse(R"({"mon-fri":"08:00-17:00","sat":"09:00-12:00"})");
  const auto j = hours_to_json(h);
  EXPECT_EQ(boost::json::serialize(j), R"({"mon-fri":"08:00-17:00","sat":"09:00-12:00"})");
  EXPECT_EQ(parse(boost::json::serialize(j).c_str()), h);
  EXPECT_EQ(describe_hours(h), "Monday to Friday: 08:00-17:00; Saturday: 09:00-12:00; Sunday: closed");
}

TEST(business_hours, open_now_and_next_opening) {
  const auto h = parse(R"({"mon-fri":"08:00-12:00, 13:00-17:00","sat":"09:00-12:00"})");
  auto st = status_at(h, 1, 9 * 60);
  EXPECT_TRUE(st.open);
  EXPECT_EQ(st.at_min, 720);
  st = status_at(h, 1, 12 * 60 + 30);  // lunch break
  EXPECT_FALSE(st.open);
  EXPECT_EQ(st.at_min, 780);
  EXPECT_FALSE(st.next_day);
  st = status_at(h, 1, 17 * 60);  // closing minute is closed
  EXPECT_FALSE(st.open);
  EXPECT_TRUE(st.next_day);
  EXPECT_EQ(st.weekday, 2);
  EXPECT_EQ(st.at_min, 480);
  st = status_at(h, 6, 13 * 60);  // Saturday afternoon -> Monday
  EXPECT_EQ(st.weekday, 1);
  EXPECT_EQ(status_at(weekly_hours{}, 3, 600).at_min, -1);
}

}  // namespace
}  // namespace vg::agent
