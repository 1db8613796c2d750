// Twilio REST adapter: request building, Twilio error JSON -> error values, retry policy.
// Stateless per request; see twilio_rest.hpp for the threading contract.
#include "adapters/twilio_rest.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>

#include "core/base64.hpp"

namespace vg::adapters {
namespace js = boost::json;

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;  // count lead bytes only
  }
  return n;
}

namespace {

constexpr auto retry_backoff = std::chrono::milliseconds(250);

std::optional<js::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string string_field(const js::object& o, std::string_view name) {
  const js::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Twilio sends most numbers as JSON strings ("num_segments": "2"); accept either form.
std::optional<std::int64_t> int_field(const js::object& o, std::string_view name) {
  const js::value* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_string()) {
    const std::string_view s = v->get_string();
    std::int64_t out = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

// Twilio's error "code" (21211, 20404...), or 0 when the body carries none.
std::int64_t twilio_code(const net::client_response& res) {
  const auto o = parse_object(res.body);
  return o ? int_field(*o, "code").value_or(0) : 0;
}

// "Twilio 21211: The 'To' number ..." so a tool can repeat Twilio's own words; a proxy's HTML
// error page (no JSON) still says which HTTP status came back.
std::string describe_failure(const net::client_response& res) {
  if (const auto o = parse_object(res.body)) {
    const std::string message = string_field(*o, "message");
    const auto code = int_field(*o, "code");
    if (!message.empty()) {
      return code ? "Twilio " + std::to_string(*code) + ": " + message
                  : "Twilio HTTP " + std::to_string(res.status) + ": " + message;
    }
  }
  std::string out = "Twilio HTTP " + std::to_string(res.status);
  std::string_view excerpt = std::string_view(res.body).substr(0, 200);
  while (!excerpt.empty() && std::isspace(static_cast<unsigned char>(excerpt.back()))) excerpt.remove_suffix(1);
  if (!excerpt.empty()) out += ": " + std::string(excerpt);
  return out;
}

// A CallSid goes into the URL path, so only plain SID characters are allowed (no '/', '?', '..').
bool valid_sid(std::string_view sid) {
  if (sid.size() < 3 || sid.size() > 64) return false;
  for (const char c : sid) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

}  // namespace

twilio_rest::twilio_rest(asio::ssl::context& tls, std::string api_base_url, std::string account_sid,
                         std::string auth_token, std::chrono::milliseconds timeout)
    : tls_(tls),
      base_url_(std::move(api_base_url)),
      account_sid_(std::move(account_sid)),
      authorization_("Basic " + base64::encode(account_sid_ + ":" + auth_token)),
      timeout_(timeout) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::string twilio_rest::account_path() const {
  return "/2010-04-01/Accounts/" + twilio::url_encode(account_sid_);
}

awaitable<result<net::client_response>> twilio_rest::post(std::string path, twilio::form params) const {
  net::client_request req;
  req.method = "POST";
  req.url = base_url_ + path;
  req.headers.emplace_back("Authorization", authorization_);
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  req.body = twilio::encode_form(params);
  net::client_options options;
  options.timeout = timeout_;
  options.tls = &tls_;
  auto ex = co_await asio::this_coro::executor;
  auto res = co_await net::http_fetch(ex, std::move(req), std::move(options));
  if (!res) co_return make_error("Twilio unreachable: " + res.error_message());
  co_return std::move(res);
}

awaitable<result<ports::sms_sent>> twilio_rest::send_sms(ports::sms_request request) {
  // Checked here so an over-long text fails fast and the model can shorten it; Twilio would
  // answer 21617 anyway.
  const std::size_t chars = utf8_length(request.body);
  if (chars > max_sms_chars) {
    co_return make_error("SMS body is " + std::to_string(chars) + " characters; Twilio allows at most " +
                         std::to_string(max_sms_chars));
  }
  twilio::form params{{"To", request.to}, {"From", request.from}, {"Body", request.body}};
  if (!request.status_callback.empty()) params.emplace_back("StatusCallback", request.status_callback);
  std::string path = account_path() + "/Messages.json";
  auto res = co_await post(std::move(path), std::move(params));
  if (!res) co_return make_error(res.error_message());
  if (res->status != 200 && res->status != 201) co_return make_error(describe_failure(*res));

  const auto body = parse_object(res->body);
  ports::sms_sent sent;
  if (body) {
    sent.sid = string_field(*body, "sid");
    sent.status = string_field(*body, "status");
    sent.segments = static_cast<int>(int_field(*body, "num_segments").value_or(1));
  }
  // A 2xx without a SID is not a sent message we can track; say so rather than guess.
  if (sent.sid.empty()) co_return make_error("Twilio returned an unexpected response (HTTP " + std::to_string(res->status) + ")");
  co_return sent;
}

awaitable<result<bool>> twilio_rest::update_call(std::string call_sid, ports::call_update update) {
  if (!valid_sid(call_sid)) co_return make_error("invalid CallSid '" + call_sid + "'");
  if (update.twiml.empty() && !update.hang_up) co_return make_error("call update has nothing to change");
  twilio::form params;
  if (!update.twiml.empty()) params.emplace_back("Twiml", update.twiml);
  if (update.hang_up) params.emplace_back("Status", "completed");
  const std::string path = account_path() + "/Calls/" + call_sid + ".json";
  const int attempts = update.hang_up ? 2 : 1;

  for (int attempt = 1;; ++attempt) {
    const bool may_retry = attempt < attempts;
    std::string attempt_path = path;
    twilio::form attempt_params = params;
    auto res = co_await post(std::move(attempt_path), std::move(attempt_params));
    bool retry = false;
    if (!res) {
      if (!may_retry) co_return make_error(res.error_message());
      retry = true;
    } else if (res->status == 200 || res->status == 201) {
      co_return true;
    } else if (update.hang_up && (res->status == 404 || twilio_code(*res) == 20404)) {
      // Already ended (the caller hung up first, or our first attempt did land): the goal holds.
      co_return false;
    } else if (res->status >= 500 && may_retry) {
      retry = true;
    } else {
      co_return make_error(describe_failure(*res));
    }
    if (retry) {
      auto ex = co_await asio::this_coro::executor;
      asio::steady_timer pause(ex);
      pause.expires_after(retry_backoff);
      co_await pause.async_wait(nothrow);
    }
  }
}

}  // namespace vg::adapters
