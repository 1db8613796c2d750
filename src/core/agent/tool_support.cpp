#include "core/agent/tool_support.hpp"

#include <charconv>
#include <cmath>

#include <boost/json.hpp>

#include "core/agent/business_hours.hpp"
#include "core/time/civil.hpp"

namespace vg::agent {
namespace json = boost::json;

std::string fill_template(std::string_view text, const json::object& fields, std::string* missing) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('{', i);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto* v = fields.if_contains(name);
    if (v == nullptr || v->is_null()) {
      out.append(text.substr(open, close - open + 1));
      if (missing != nullptr) *missing += (missing->empty() ? "" : ", ") + std::string(name);
    } else if (v->is_string()) {
      out.append(v->get_string());
    } else if (v->is_double()) {
      // Spoken and texted as people write numbers: 30.5, 44 (not JSON's 3.05E1).
      char buf[32];
      const double d = v->get_double();
      const auto res = d == static_cast<double>(static_cast<long long>(d)) && std::abs(d) < 1e15
                           ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d))
                           : std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, res.ptr);
    } else {
      out.append(json::serialize(*v));
    }
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

std::string make_reference(const std::uint8_t random[6]) {
  static constexpr std::string_view alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";  // 30 symbols
  std::string out;
  for (int k = 0; k < 6; ++k) out += alphabet[random[k] % 30];
  return out;
}

std::string realtime_tools_json(const assistant& a) {
  json::array tools;
  for (const auto& t : a.tools) {
    tools.emplace_back(json::object{{"type", "function"}, {"name", t.name}, {"description", t.description},
                                    {"parameters", t.parameters}});
  }
  return json::serialize(tools);
}

json::array chat_tools(const assistant& a) {
  json::array tools;
  for (const auto& t : a.tools) {
    json::object function{{"name", t.name}};
    if (!t.description.empty()) function["description"] = t.description;
    if (!t.parameters.is_null()) function["parameters"] = t.parameters;
    tools.emplace_back(json::object{{"type", "function"}, {"function", std::move(function)}});
  }
  return tools;
}

namespace {
bool two_digits(std::string_view s, std::size_t at, int& out) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}
}  // namespace

std::string check_booking_slot(const assistant& a, std::string_view date, std::string_view time, const local_clock& now,
                               int min_lead_minutes) {
  int y1 = 0, y2 = 0, m = 0, d = 0, hh = 0, mm = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !two_digits(date, 0, y1) || !two_digits(date, 2, y2) ||
      !two_digits(date, 5, m) || !two_digits(date, 8, d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return "the date must be a calendar date such as 2026-03-14";
  }
  if (time.size() != 5 || time[2] != ':' || !two_digits(time, 0, hh) || !two_digits(time, 3, mm) || hh > 23 || mm > 59) {
    return "the time must be a time of day such as 14:30";
  }
  const int year = y1 * 100 + y2;
  const std::int64_t day = tz::days_from_civil(year, m, d);
  int cy = 0, cm = 0, cd = 0;
  tz::civil_from_days(day, cy, cm, cd);
  if (cm != m || cd != d) return "there is no such date";
  const std::int64_t slot = day * 1440 + hh * 60 + mm;
  const std::int64_t current = tz::days_from_civil(now.year, now.month, now.day) * 1440 + now.hour * 60 + now.minute;
  if (slot <= current) return "that time is in the past";
  if (slot - current < min_lead_minutes) {
    return "bookings need at least " + std::to_string(min_lead_minutes) + " minutes' notice";
  }
  if (!a.hours.empty()) {
    const int weekday = tz::weekday_from_days(day);
    const auto st = status_at(a.hours, weekday, hh * 60 + mm);
    if (!st.open) {
      return "the business is closed then (" + std::string(weekday_name(weekday)) + " " + std::string(time) +
             "); opening hours: " + describe_hours(a.hours);
    }
  }
  return {};
}

}  // namespace vg::agent
