#include "core/agent/tool_support.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/agent/business_hours.hpp"

namespace vg::agent {
namespace {
namespace json = boost::json;

TEST(tool_support, templates_fill_text_numbers_and_keep_unknown_placeholders) {
  const json::object fields{{"name", "Ann"}, {"total", 30.5}, {"whole", 44.0}, {"count", 3}, {"ok", true}};
  std::string missing;
  EXPECT_EQ(fill_template("Hi {name}: {count} items, {total} / {whole} ({ok}) ref {ref}.", fields, &missing),
            "Hi Ann: 3 items, 30.5 / 44 (true) ref {ref}.");
  EXPECT_EQ(missing, "ref");
  EXPECT_EQ(fill_template("{unclosed", fields), "{unclosed");
  EXPECT_EQ(fill_template("", fields), "");
}

TEST(tool_support, references_are_six_unambiguous_characters) {
  const std::uint8_t zeros[6] = {0, 0, 0, 0, 0, 0};
  const std::uint8_t mixed[6] = {29, 30, 255, 1, 2, 59};
  EXPECT_EQ(make_reference(zeros), "222222");
  const std::string r = make_reference(mixed);
  EXPECT_EQ(r.size(), 6u);
  EXPECT_EQ(r.find_first_of("01ILOU"), std::string::npos);
  EXPECT_EQ(r[0], 'Z');  // 29 -> the last symbol
  EXPECT_EQ(r[1], '2');  // wraps at 30
}

TEST(tool_support, realtime_tools_are_flat_functions) {
  assistant a;
  a.tools.push_back({"book", "Book it.", json::object{{"type", "object"}}, save_record{"bookings", ""}});
  const auto v = json::parse(realtime_tools_json(a));
  EXPECT_EQ(v.at(0).at("type"), "function");
  EXPECT_EQ(v.at(0).at("name"), "book");
  EXPECT_EQ(v.at(0).at("parameters").at("type"), "object");
  EXPECT_FALSE(v.at(0).as_object().contains("action"));  // the binding stays on the server
}

TEST(tool_support, chat_tools_nest_each_function_and_leave_out_what_is_not_declared) {
  assistant a;
  a.tools.push_back({"book", "Book it.", json::object{{"type", "object"}}, save_record{"bookings", ""}});
  a.tools.push_back({"transfer_call", "", json::value(), transfer_call{"fallback"}});
  EXPECT_EQ(json::serialize(chat_tools(a)),
            R"([{"type":"function","function":{"name":"book","description":"Book it.","parameters":{"type":"object"}}},)"
            R"({"type":"function","function":{"name":"transfer_call"}}])");
  EXPECT_TRUE(chat_tools(assistant{}).empty());
}

TEST(tool_support, booking_slots_respect_hours_the_past_and_lead_time) {
  assistant a;
  a.hours = *parse_hours(json::parse(R"({"mon-fri":"09:00-17:00"})"));
  local_clock now;
  now.year = 2026, now.month = 11, now.day = 23, now.hour = 10, now.minute = 0, now.weekday = 1;  // a Monday
  EXPECT_EQ(check_booking_slot(a, "2026-11-24", "10:00", now, 0), "");
  EXPECT_NE(check_booking_slot(a, "2026-11-28", "10:00", now, 0).find("closed then (Saturday 10:00)"), std::string::npos);
  EXPECT_NE(check_booking_slot(a, "2026-11-24", "17:00", now, 0).find("closed"), std::string::npos);
  EXPECT_EQ(check_booking_slot(a, "2026-11-23", "09:59", now, 0), "that time is in the past");
  EXPECT_NE(check_booking_slot(a, "2026-11-23", "11:00", now, 120).find("at least 120 minutes"), std::string::npos);
  EXPECT_EQ(check_booking_slot(a, "2026-11-23", "12:00", now, 120), "");
  EXPECT_EQ(check_booking_slot(a, "2026-02-30", "10:00", now, 0), "there is no such date");
  EXPECT_NE(check_booking_slot(a, "next friday", "10:00", now, 0).find("calendar date"), std::string::npos);
  EXPECT_NE(check_booking_slot(a, "2026-11-24", "25:00", now, 0).find("time of day"), std::string::npos);
}

}  // namespace
}  // namespace vg::agent
