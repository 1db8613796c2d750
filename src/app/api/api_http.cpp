#include "app/api/api_http.hpp"

#include <charconv>
#include <cstdio>

#include <boost/json.hpp>

#include "core/time/civil.hpp"
#include "core/twilio/webhook.hpp"

namespace vg::app::api {

net::http_response json_response(int status, const boost::json::value& body) {
  return net::http_response{status, "application/json", boost::json::serialize(body) + "\n", {}};
}

net::http_response error_response(int status, std::string_view code, std::string_view message, std::string_view field) {
  boost::json::object err{{"code", code}, {"message", message}};
  if (!field.empty()) err["field"] = field;
  return json_response(status, boost::json::object{{"error", std::move(err)}});
}

net::http_response invalid(std::string_view message) {
  const auto colon = message.find(": ");
  const std::string_view field = colon == std::string_view::npos ? std::string_view{} : message.substr(0, colon);
  return error_response(400, "invalid", message, field.find(' ') == std::string_view::npos ? field : std::string_view{});
}

net::http_response not_found(std::string_view what) { return error_response(404, "not_found", std::string(what) + " not found"); }
net::http_response forbidden() { return error_response(403, "forbidden", "this token may not access that organisation"); }
net::http_response admin_only() { return error_response(403, "forbidden", "only an administrator's token may do this"); }

net::http_response method_not_allowed(std::string_view allow) {
  auto r = error_response(405, "method_not_allowed", "allowed here: " + std::string(allow));
  r.headers.emplace_back("allow", std::string(allow));
  return r;
}

// The body as JSON, or a 400 naming the problem.
std::optional<boost::json::value> parse_body(const net::http_request& req, net::http_response& error) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(req.body, ec);
  if (ec) {
    error = error_response(400, "invalid_json", "the body is not valid JSON: " + ec.message());
    return std::nullopt;
  }
  return v;
}

boost::json::object list_of(boost::json::array items) { return boost::json::object{{"data", std::move(items)}}; }


net::http_response no_content() { return net::http_response{204, "application/json", {}, {}}; }

std::optional<std::vector<std::string>> path_segments(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    bool ok = true;
    out.push_back(twilio::url_decode(path.substr(0, slash), false, &ok));
    if (!ok) return std::nullopt;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

std::string query_value(const net::http_request& req, std::string_view name) {
  auto form = twilio::parse_form(req.query());
  return form ? std::string(twilio::form_value(*form, name)) : std::string();
}

std::string iso_time(std::int64_t unix_ms) {
  const std::int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const std::int64_t rem = secs - days * 86400;
  int y = 0, m = 0, d = 0;
  tz::civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60), static_cast<int>(unix_ms - secs * 1000));
  return buf;
}

std::optional<std::int64_t> parse_count(std::string_view t) {
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || n < 0) return std::nullopt;
  return n;
}

std::optional<std::int64_t> parse_time(std::string_view t) {
  std::int64_t ms = 0;
  if (auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ms); ec == std::errc() && p == t.data() + t.size()) {
    return ms;
  }
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  int y, mo, d, h, mi, s;
  char tee, zed = 0;
  int frac = 0, used = 0;
  const std::string text(t);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &tee, &h, &mi, &s, &used) != 7) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(used));
  if (tee != 'T' && tee != 't' && tee != ' ') return std::nullopt;
  if (rest.starts_with('.')) {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) frac = frac * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) frac *= 10;
  }
  if (rest.size() != 1) return std::nullopt;
  zed = rest.front();
  if (zed != 'Z' && zed != 'z') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const std::int64_t days = tz::days_from_civil(y, mo, d);
  return ((days * 86400) + h * 3600 + mi * 60 + s) * 1000 + frac;
}

}  // namespace vg::app::api
