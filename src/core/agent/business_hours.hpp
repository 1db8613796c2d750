// Business hours: parsed from the readable form people write ({ "mon-fri": "08:00-17:00",
// "sat": "09:00-12:00", "sun": "closed" }), written back in that form, and asked "open now?"
// with a local time the caller computed (pure: no clock here).
#pragma once
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/agent/org_config.hpp"
#include "core/result.hpp"

namespace vg::agent {

// Keys: mon..sun (or full names), ranges "mon-fri", lists "sat,sun", "daily", "weekdays",
// "weekends"; values "HH:MM-HH:MM", several joined by ",", "closed", or a list of ranges.
// Later keys override earlier ones, so { daily: "09:00-17:00", sun: closed } works.
result<weekly_hours> parse_hours(const boost::json::value& v);

// Consecutive days with the same hours are grouped ("mon-fri"); closed days are omitted.
boost::json::object hours_to_json(const weekly_hours& h);

// "Monday to Friday: 08:00-17:00; Saturday: 09:00-12:00; Sunday: closed".
std::string describe_hours(const weekly_hours& h);

struct open_status {
  bool open = false;
  int weekday = 0;     // of the change below (0 = Sunday)
  int at_min = -1;     // when it closes (open) or next opens (closed); -1: never opens
  bool next_day = false;  // the change is not today
};
open_status status_at(const weekly_hours& h, int weekday, int minute_of_day);

std::string_view weekday_name(int weekday);  // "Sunday".."Saturday"
std::string format_minutes(int minute_of_day);  // "08:05"

}  // namespace vg::agent
