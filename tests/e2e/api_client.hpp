// A small REST client for the end-to-end tests: one request, JSON parsed when it is JSON.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace vg::e2e {

// (A pair, not vg::result: co_spawn's future needs a default-constructible value.)
inline awaitable<std::pair<std::string, std::optional<net::client_response>>> fetch(net::client_request req) {
  auto ex = co_await asio::this_coro::executor;
  auto r = co_await net::http_fetch(ex, std::move(req));
  if (!r) co_return std::make_pair(r.error_message(), std::optional<net::client_response>());
  co_return std::make_pair(std::string(), std::optional<net::client_response>(std::move(*r)));
}

struct api_reply {
  int status = 0;
  std::string body;
  js::value json;
  std::string header(std::string_view name) const { return headers.count(std::string(name)) ? headers.at(std::string(name)) : ""; }
  std::map<std::string, std::string> headers;
};

inline api_reply call_api(fakes::event_loop& loop, std::uint16_t port, const std::string& method, const std::string& path,
                          const std::string& body, const std::string& token) {
  net::client_request req;
  req.method = method;
  req.url = "http://127.0.0.1:" + std::to_string(port) + path;
  if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.body = body;
  auto [error, res] = loop.run_sync(fetch(std::move(req)));
  api_reply out;
  if (!res) {
    ADD_FAILURE() << "HTTP failed: " << error;
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  for (const auto& [k, v] : res->headers) out.headers[k] = v;
  boost::system::error_code ec;
  out.json = js::parse(out.body, ec);
  return out;
}

// Twilio's form POST to `path` (a status, recording or SMS callback), signed over PUBLIC_URL +
// path as Twilio signs it. The answer's status; 0 when there was none.
inline int post_twilio_form(fakes::event_loop& loop, std::uint16_t port, const std::string& path, const twilio::form& form) {
  net::client_request req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + path;
  req.body = twilio::encode_form(form);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"X-Twilio-Signature", twilio::compute_signature(auth_token, std::string(public_url) + path, form)}};
  auto [error, res] = loop.run_sync(fetch(std::move(req)));
  return res ? res->status : 0;
}

}  // namespace vg::e2e
