// Small pieces shared by the REST API's handlers: JSON responses, errors with a code and a
// message (and the field, for 400s), path splitting, query parameters, time formatting.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "net/http_server.hpp"

namespace vg::app::api {

// Who is calling: an administrator (every organisation) or one organisation's token.
struct principal {
  bool admin = false;
  std::string org_id;
  bool may_access(const std::string& org) const { return admin || org_id == org; }
};

net::http_response json_response(int status, const boost::json::value& body);
// {"error": {"code": "...", "message": "...", "field": "..."}}; field only when known.
net::http_response error_response(int status, std::string_view code, std::string_view message,
                                  std::string_view field = {});
// A reader's "a.b: problem; c: other" message: the first path becomes the error's field.
net::http_response invalid(std::string_view message);
net::http_response no_content();
// {"data": items}
boost::json::object list_of(boost::json::array items);
net::http_response not_found(std::string_view what);
net::http_response forbidden();
net::http_response admin_only();
net::http_response method_not_allowed(std::string_view allow);
// The body as JSON, or nullopt with `error` set to a 400 naming the problem.
std::optional<boost::json::value> parse_body(const net::http_request& req, net::http_response& error);

// "/api/v1/orgs/x/assistants" -> {"orgs", "x", "assistants"} (percent-decoded); nullopt on bad %.
std::optional<std::vector<std::string>> path_segments(std::string_view path, std::string_view prefix);
std::string query_value(const net::http_request& req, std::string_view name);

// A non-negative decimal integer (query parameters such as limit); nullopt otherwise.
std::optional<std::int64_t> parse_count(std::string_view text);

// Milliseconds since 1970 <-> "2026-11-23T10:00:00.123Z".
std::string iso_time(std::int64_t unix_ms);
// Accepts milliseconds since 1970 or an RFC 3339 UTC time ("...Z"); nullopt otherwise.
std::optional<std::int64_t> parse_time(std::string_view text);

}  // namespace vg::app::api
