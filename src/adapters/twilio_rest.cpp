// Twilio REST adapter: request building, Twilio error JSON -> error values, retry policy.
// Stateless per request; see twilio_rest.hpp for the threading contract.
#include "adapters/twilio_rest.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <charconv>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "core/base64.hpp"
#include "core/json_fields.hpp"
#include "core/text.hpp"

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
// JSON answers: the HTTP client's usual limit (a named constant: no temporaries in a co_await, ADR 0002).
const std::size_t api_max_body = net::client_options{}.max_body;

std::optional<js::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

using json_fields::string_at;

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
    const std::string message = string_at(*o, "message");
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

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && text::lower(s.substr(s.size() - suffix.size())) == suffix;
}

// The port a URL connects to: the explicit one, or the scheme's default.
std::uint32_t effective_port(const boost::urls::url_view& u) {
  if (u.has_port() && !u.port().empty()) return u.port_number();
  return text::lower(u.scheme()) == "https" ? 443 : 80;
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

bool twilio_rest::under_api_base(std::string_view url) const {
  const auto base = boost::urls::parse_uri(base_url_);
  const auto u = boost::urls::parse_uri(url);
  if (!base || !u) return false;
  // user:pass@ or a fragment have no place in a recording URL; refusing them also avoids
  // parsers disagreeing on where the host starts.
  if (u->has_userinfo() || u->has_fragment()) return false;
  const std::string scheme = text::lower(u->scheme());
  if (scheme != "http" && scheme != "https") return false;
  if (scheme != text::lower(base->scheme())) return false;
  // Compared as written (case aside): a host spelled differently, even if equivalent, is refused.
  if (text::lower(u->encoded_host()) != text::lower(base->encoded_host())) return false;
  if (effective_port(*u) != effective_port(*base)) return false;
  // Under the base's path (a proxy prefix), with no "." or ".." segment to climb out of it.
  std::string_view prefix = base->encoded_path();
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  const std::string_view path = u->encoded_path();
  if (path.substr(0, prefix.size()) != prefix || path.substr(prefix.size(), 1) != "/") return false;
  for (const auto segment : u->segments()) {
    if (segment == "." || segment == "..") return false;
  }
  return true;
}

awaitable<result<net::client_response>> twilio_rest::send(net::client_request request, std::size_t max_body,
                                                          std::chrono::milliseconds timeout) const {
  net::client_options options;
  options.timeout = timeout;
  options.tls = &tls_;
  options.max_body = max_body;
  auto ex = co_await asio::this_coro::executor;
  auto res = co_await net::http_fetch(ex, std::move(request), std::move(options));
  if (!res) co_return make_error("Twilio unreachable: " + res.error_message(), res.error_kind());
  co_return std::move(res);
}

awaitable<result<net::client_response>> twilio_rest::post(std::string path, twilio::form params) const {
  net::client_request req;
  req.method = "POST";
  req.url = base_url_ + path;
  req.headers.emplace_back("Authorization", authorization_);
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  req.body = twilio::encode_form(params);
  co_return co_await send(std::move(req), api_max_body, timeout_);
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
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 201) co_return make_error(describe_failure(*res));

  const auto body = parse_object(res->body);
  ports::sms_sent sent;
  if (body) {
    sent.sid = string_at(*body, "sid");
    sent.status = string_at(*body, "status");
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
  net::client_request req;
  req.method = "POST";
  req.url = base_url_ + account_path() + "/Calls/" + call_sid + ".json";
  req.headers = {{"Authorization", authorization_},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = twilio::encode_form(params);
  // A hang-up may be repeated (ending a call twice is harmless, and "already gone" is the goal);
  // a transfer may not (it would restart the new TwiML).
  auto done = co_await change(std::move(req), update.hang_up ? 2 : 1, update.hang_up);
  co_return done;
}

awaitable<result<bool>> twilio_rest::change(net::client_request request, int attempts, bool gone_is_done) const {
  for (int attempt = 1;; ++attempt) {
    const bool may_retry = attempt < attempts;
    net::client_request this_try = request;
    auto res = co_await send(std::move(this_try), api_max_body, timeout_);
    bool retry = false;
    if (!res) {
      if (!may_retry) co_return res.failure();
      retry = true;
    } else if (res->status >= 200 && res->status < 300) {
      co_return true;
    } else if (gone_is_done && (res->status == 404 || twilio_code(*res) == 20404)) {
      // Already gone (the caller hung up first, or our first attempt did land): the goal holds.
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

awaitable<result<std::string>> twilio_rest::start_recording(std::string call_sid, ports::recording_request request) {
  if (!valid_sid(call_sid)) co_return make_error("invalid CallSid '" + call_sid + "'");
  twilio::form params{{"RecordingChannels", request.dual_channel ? "dual" : "mono"}};
  if (!request.status_callback.empty()) {
    params.emplace_back("RecordingStatusCallback", request.status_callback);
    params.emplace_back("RecordingStatusCallbackMethod", "POST");
    // Twilio's default, stated: voxgate acts on "completed" only (docs/protocols/twilio-webhooks.md#recording-status-callback).
    params.emplace_back("RecordingStatusCallbackEvent", "completed");
  }
  std::string path = account_path() + "/Calls/" + call_sid + "/Recordings.json";
  auto res = co_await post(std::move(path), std::move(params));
  if (!res) co_return res.failure();
  if (res->status != 200 && res->status != 201) co_return make_error(describe_failure(*res));
  const auto body = parse_object(res->body);
  std::string sid = body ? string_at(*body, "sid") : std::string();
  if (!valid_sid(sid)) {
    co_return make_error("Twilio returned an unexpected response (HTTP " + std::to_string(res->status) + ")");
  }
  co_return sid;
}

std::string twilio_rest::recording_media_url(const std::string& recording_sid) const {
  return base_url_ + account_path() + "/Recordings/" + twilio::url_encode(recording_sid);
}

awaitable<result<ports::recording_media>> twilio_rest::fetch_recording(std::string recording_url) {
  if (!under_api_base(recording_url)) {
    co_return make_error("refusing to fetch recording URL '" + recording_url + "': not under the Twilio API base " +
                         base_url_ + " (the account's credentials are sent only there)");
  }
  // RecordingUrl has no extension (docs/protocols/twilio-webhooks.md#recording-status-callback); it goes before any query.
  const auto query = recording_url.find('?');
  std::string url = recording_url.substr(0, query);
  const bool mp3 = ends_with_ci(url, ".mp3");
  if (!mp3 && !ends_with_ci(url, ".wav")) url += ".wav";
  if (query != std::string::npos) url += recording_url.substr(query);

  net::client_request req;
  req.method = "GET";
  req.url = std::move(url);
  req.headers.emplace_back("Authorization", authorization_);
  const auto timeout = std::max<std::chrono::milliseconds>(timeout_, min_media_timeout);
  auto res = co_await send(std::move(req), max_recording_bytes, timeout);
  if (!res) {
    // Retrying cannot make an over-large recording fit; say so instead of "unreachable".
    if (res.error_kind() == error_kind::too_large) {
      co_return make_error("recording " + recording_url + " is larger than " +
                           std::to_string(max_recording_bytes / (1024 * 1024)) + " MiB", error_kind::too_large);
    }
    co_return res.failure();
  }
  // Just after the callback Twilio may briefly answer 404 (docs/protocols/twilio-rest.md#recording-media).
  if (res->status == 404) co_return make_error("not ready: " + describe_failure(*res), error_kind::not_ready);
  if (res->status != 200) co_return make_error(describe_failure(*res));
  ports::recording_media media;
  media.content_type = res->header("content-type");
  if (media.content_type.empty()) media.content_type = mp3 ? "audio/mpeg" : "audio/x-wav";
  media.bytes = std::move(res->body);
  co_return media;
}

awaitable<result<bool>> twilio_rest::delete_recording(std::string recording_sid) {
  if (!valid_sid(recording_sid)) co_return make_error("invalid RecordingSid '" + recording_sid + "'");
  net::client_request req;
  req.method = "DELETE";
  req.url = base_url_ + account_path() + "/Recordings/" + recording_sid + ".json";
  req.headers = {{"Authorization", authorization_}, {"Accept", "application/json"}};
  auto done = co_await change(std::move(req), 2, true);  // deleting twice is harmless
  co_return done;
}

}  // namespace vg::adapters
