#include "core/agent/business_hours.hpp"

#include <array>
#include <cstdio>

#include <boost/json/array.hpp>

#include "core/text.hpp"

namespace vg::agent {
namespace {

constexpr std::array<std::string_view, 7> short_names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> long_names{"sunday", "monday", "tuesday", "wednesday",
                                                     "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 7> display_names{"Sunday", "Monday", "Tuesday", "Wednesday",
                                                        "Thursday", "Friday", "Saturday"};

using text::lower;
using text::trim;

int day_index(std::string_view name) {
  const std::string n = lower(trim(name));
  for (int i = 0; i < 7; ++i) {
    if (n == short_names[i] || n == long_names[i]) return i;
  }
  return -1;
}

// "mon-fri", "sat,sun", "daily"... -> the days it names (Monday-first ranges wrap: "fri-mon").
bool parse_day_set(std::string_view key, std::array<bool, 7>& days) {
  const std::string k = lower(trim(key));
  days.fill(false);
  if (k == "daily" || k == "every day" || k == "everyday") { days.fill(true); return true; }
  if (k == "weekdays") { for (int d = 1; d <= 5; ++d) days[d] = true; return true; }
  if (k == "weekends" || k == "weekend") { days[0] = days[6] = true; return true; }
  std::string_view rest = k;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    const auto dash = part.find('-');
    if (dash == std::string_view::npos) {
      const int d = day_index(part);
      if (d < 0) return false;
      days[d] = true;
    } else {
      const int from = day_index(part.substr(0, dash));
      const int to = day_index(part.substr(dash + 1));
      if (from < 0 || to < 0) return false;
      for (int d = from;; d = (d + 1) % 7) {
        days[d] = true;
        if (d == to) break;
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

// "08:00" -> 480; "24:00" is allowed as an end.
int parse_clock(std::string_view s) {
  s = trim(s);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return -1;
  int h = 0, m = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    h = h * 10 + (s[i] - '0');
  }
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    m = m * 10 + (s[i] - '0');
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

result<std::vector<time_range>> parse_ranges(std::string_view text) {
  std::vector<time_range> out;
  if (lower(trim(text)) == "closed") return out;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    const auto dash = part.find('-');
    const int open = dash == std::string_view::npos ? -1 : parse_clock(part.substr(0, dash));
    const int close = dash == std::string_view::npos ? -1 : parse_clock(part.substr(dash + 1));
    if (open < 0 || close < 0 || open >= 1440) {
      return make_error("'" + std::string(part) + "' is not a range such as 08:00-17:00 (or \"closed\")");
    }
    if (close <= open) return make_error("'" + std::string(part) + "' closes before it opens");
    if (!out.empty() && open < out.back().close_min) return make_error("'" + std::string(text) + "' has overlapping or unordered ranges");
    out.push_back({open, close});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string ranges_text(const std::vector<time_range>& ranges) {
  std::string s;
  for (const auto& r : ranges) {
    if (!s.empty()) s += ", ";
    s += format_minutes(r.open_min) + "-" + format_minutes(r.close_min);
  }
  return s.empty() ? "closed" : s;
}

// Calls fn(first_day, last_day) for runs of consecutive days (Monday first) with equal hours.
template <class Fn>
void for_each_run(const weekly_hours& h, Fn fn) {
  constexpr std::array<int, 7> order{1, 2, 3, 4, 5, 6, 0};
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i;
    while (j + 1 < order.size() && h.days[order[j + 1]] == h.days[order[i]]) ++j;
    fn(order[i], order[j]);
    i = j + 1;
  }
}

}  // namespace

std::string_view weekday_name(int weekday) { return display_names[static_cast<std::size_t>(((weekday % 7) + 7) % 7)]; }

std::string format_minutes(int minute_of_day) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute_of_day / 60) % 100, minute_of_day % 60);
  return buf;
}

result<weekly_hours> parse_hours(const boost::json::value& v) {
  weekly_hours h;
  if (v.is_null()) return h;
  const auto* obj = v.if_object();
  if (obj == nullptr) return make_error("must be a map of days to hours, such as {mon-fri: \"08:00-17:00\"}");
  for (const auto& [key, value] : *obj) {
    std::array<bool, 7> days{};
    if (!parse_day_set(key, days)) {
      return make_error("'" + std::string(key) + "' is not a day, a range of days (mon-fri) or daily");
    }
    std::vector<time_range> ranges;
    if (const auto* s = value.if_string()) {
      auto r = parse_ranges(*s);
      if (!r) return make_error(std::string(key) + ": " + r.error_message());
      ranges = std::move(*r);
    } else if (const auto* a = value.if_array()) {
      for (const auto& item : *a) {
        const auto* s2 = item.if_string();
        auto r = s2 != nullptr ? parse_ranges(*s2) : result<std::vector<time_range>>(make_error("must be text"));
        if (!r) return make_error(std::string(key) + ": " + r.error_message());
        if (!ranges.empty() && !r->empty() && r->front().open_min < ranges.back().close_min) {
          return make_error(std::string(key) + ": ranges overlap or are not in order");
        }
        ranges.insert(ranges.end(), r->begin(), r->end());
      }
    } else if (value.is_null() || (value.is_bool() && !value.get_bool())) {
      // "sun: ~" or "sun: false": closed
    } else {
      return make_error(std::string(key) + ": must be a range such as \"08:00-17:00\" or \"closed\"");
    }
    for (int d = 0; d < 7; ++d) {
      if (days[d]) h.days[d] = ranges;
    }
  }
  return h;
}

boost::json::object hours_to_json(const weekly_hours& h) {
  boost::json::object out;
  for_each_run(h, [&](int first, int last) {
    if (h.days[first].empty()) return;
    std::string key(short_names[first]);
    if (last != first) key += "-" + std::string(short_names[last]);
    out[key] = ranges_text(h.days[first]);
  });
  return out;
}

std::string describe_hours(const weekly_hours& h) {
  std::string s;
  for_each_run(h, [&](int first, int last) {
    if (!s.empty()) s += "; ";
    s += weekday_name(first);
    if (last != first) s += (last == (first + 1) % 7 ? " and " : " to ") + std::string(weekday_name(last));
    s += ": " + ranges_text(h.days[first]);
  });
  return s;
}

open_status status_at(const weekly_hours& h, int weekday, int minute_of_day) {
  open_status st;
  for (const auto& r : h.days[static_cast<std::size_t>(weekday)]) {
    if (minute_of_day >= r.open_min && minute_of_day < r.close_min) {
      st.open = true;
      st.weekday = weekday;
      st.at_min = r.close_min;
      return st;
    }
    if (minute_of_day < r.open_min) {
      st.weekday = weekday;
      st.at_min = r.open_min;
      return st;
    }
  }
  for (int i = 1; i <= 7; ++i) {
    const int d = (weekday + i) % 7;
    if (!h.days[static_cast<std::size_t>(d)].empty()) {
      st.weekday = d;
      st.at_min = h.days[static_cast<std::size_t>(d)].front().open_min;
      st.next_day = true;
      return st;
    }
  }
  return st;
}

}  // namespace vg::agent
