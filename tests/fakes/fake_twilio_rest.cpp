// The fake Twilio REST API: routing, Twilio-shaped validation and JSON, and signed callbacks.
// All state sits behind one mutex; request handling runs on the fake's own loop thread.
#include "tests/fakes/fake_twilio_rest.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {
namespace js = boost::json;

namespace {

constexpr std::string_view api_prefix = "/2010-04-01/Accounts/";

std::string rfc2822_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string new_sid(std::string_view prefix) {
  std::uint8_t bytes[16];
  crypto::random_bytes(bytes, sizeof bytes);
  return std::string(prefix) + crypto::hex(bytes, sizeof bytes);
}

bool is_e164(std::string_view n) {
  if (n.size() < 3 || n.size() > 16 || n[0] != '+' || n[1] < '1' || n[1] > '9') return false;
  for (const char c : n.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::size_t char_count(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// GSM-7 (approximated as ASCII) fits 160 per message / 153 per part; anything else is UCS-2
// with 70 / 67 (docs/protocols/pricing.md#sms-segments).
int segments_of(std::string_view body) {
  bool gsm = true;
  for (const char c : body) gsm = gsm && static_cast<unsigned char>(c) < 0x80;
  const std::size_t chars = char_count(body);
  const std::size_t single = gsm ? 160 : 70;
  const std::size_t part = gsm ? 153 : 67;
  return chars <= single ? 1 : static_cast<int>((chars + part - 1) / part);
}

net::http_response json_response(int status, const js::object& body) {
  return net::http_response{status, "application/json; charset=utf-8", js::serialize(body), {}};
}

// Twilio's error body (docs/protocols/twilio-rest.md#errors).
net::http_response twilio_error(int status, int code, const std::string& message) {
  return json_response(status, {{"code", code},
                                {"message", message},
                                {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                                {"status", status}});
}

js::value or_null(const std::string& s) { return s.empty() ? js::value(nullptr) : js::value(s); }

awaitable<int> post_form(asio::any_io_executor ex, net::client_request req) {
  auto res = co_await net::http_fetch(ex, std::move(req));
  co_return res ? res->status : 0;
}

}  // namespace

struct fake_twilio_rest::impl {
  struct live_call {
    std::string from, to;
  };

  std::string account_sid;
  std::string auth_token;
  event_loop loop;
  mutable std::mutex mutex;
  std::vector<twilio_request> requests;
  std::vector<twilio_message> messages;
  std::vector<twilio_call_update> updates;
  std::vector<twilio_callback> callbacks;
  std::map<std::string, live_call> live_calls;
  struct recording {
    std::string call_sid;
    std::string channels = "2";  // metadata "channels"
    std::string date_created;
    std::string wav;
    bool has_media = false;  // false: started, media not there yet
    int not_ready = 0;       // media GETs still to answer 404
    int fetches = 0;
    bool deleted = false;
  };
  std::map<std::string, recording> recordings;
  std::vector<twilio_recording_start> recording_starts;
  int fail_count = 0, fail_status = 500, fail_code = 20500;
  std::string fail_message;
  std::chrono::milliseconds pending_delay{0};
  std::set<asio::steady_timer*> delays;  // stalled requests, cancelled on shutdown
  int in_flight = 0;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;

  std::string account_path() const { return std::string(api_prefix) + account_sid; }

  awaitable<net::http_response> handle(net::http_request req) {
    std::size_t index = 0;
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mutex);
      // Recorded on arrival, so a test can count requests even when the client gave up waiting.
      twilio_request rec{req.method, std::string(req.path()), twilio::parse_form(req.body).value_or(twilio::form{}),
                         req.headers, 0};
      requests.push_back(std::move(rec));
      index = requests.size() - 1;
      delay = std::exchange(pending_delay, std::chrono::milliseconds(0));
      ++in_flight;
    }
    if (delay.count() > 0) {
      asio::steady_timer timer(loop.executor());
      timer.expires_after(delay);
      {
        std::lock_guard lock(mutex);
        delays.insert(&timer);
      }
      co_await timer.async_wait(nothrow);
      std::lock_guard lock(mutex);
      delays.erase(&timer);
    }
    std::lock_guard lock(mutex);
    net::http_response res = respond(req);
    requests[index].status = res.status;
    --in_flight;
    co_return res;
  }

  // Synchronous and under the mutex: the whole decision is one step, as Twilio's would be.
  net::http_response respond(const net::http_request& req) {
    if (fail_count > 0) {
      --fail_count;
      return twilio_error(fail_status, fail_code, fail_message);
    }
    if (!authorized(req.header("authorization"))) {
      net::http_response res = twilio_error(401, 20003, "Authenticate");
      res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
      return res;
    }
    const std::string_view path = req.path();
    if (path.substr(0, api_prefix.size()) != api_prefix) return not_found(path);
    std::string_view rest = path.substr(api_prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return not_found(path);
    // Valid credentials for another account's resources: Twilio refuses them (exact status
    // and code UNVERIFIED; 401/20003 like bad credentials).
    if (rest.substr(0, slash) != account_sid) return twilio_error(401, 20003, "Authenticate");
    rest = rest.substr(slash + 1);
    if (rest.substr(0, 11) == "Recordings/") return recording_resource(req.method, rest.substr(11), path);
    const bool messages_route = rest == "Messages.json";
    const bool calls_route = rest.substr(0, 6) == "Calls/" && rest.size() > 11 &&
                             rest.substr(rest.size() - 5) == ".json" && rest.find('/', 6) == std::string_view::npos;
    // Calls/{CallSid}/Recordings.json
    constexpr std::string_view recordings_suffix = "/Recordings.json";
    const bool start_recording_route = rest.substr(0, 6) == "Calls/" && rest.size() > 6 + recordings_suffix.size() &&
                                       rest.substr(rest.size() - recordings_suffix.size()) == recordings_suffix &&
                                       rest.find('/', 6) == rest.size() - recordings_suffix.size();
    if (!messages_route && !calls_route && !start_recording_route) return not_found(path);
    if (req.method != "POST") return twilio_error(405, 20004, "Method not allowed");
    const auto form = twilio::parse_form(req.body);
    if (!form) return twilio_error(400, 20001, "Malformed form body");
    if (messages_route) return create_message(*form);
    if (start_recording_route) {
      return start_recording(std::string(rest.substr(6, rest.size() - 6 - recordings_suffix.size())), *form, path);
    }
    return update_call(std::string(rest.substr(6, rest.size() - 11)), *form, path);
  }

  bool authorized(std::string_view header) const {
    if (header.size() < 6 || net::lower_case(header.substr(0, 6)) != "basic ") return false;
    const auto decoded = base64::decode(header.substr(6));
    return decoded && *decoded == account_sid + ":" + auth_token;
  }

  static net::http_response not_found(std::string_view path) {
    return twilio_error(404, 20404, "The requested resource " + std::string(path) + " was not found");
  }

  net::http_response create_message(const twilio::form& form) {
    twilio_message m;
    m.to = std::string(twilio::form_value(form, "To"));
    m.from = std::string(twilio::form_value(form, "From"));
    m.messaging_service_sid = std::string(twilio::form_value(form, "MessagingServiceSid"));
    m.body = std::string(twilio::form_value(form, "Body"));
    m.status_callback = std::string(twilio::form_value(form, "StatusCallback"));
    const bool has_media = !twilio::form_value(form, "MediaUrl").empty();
    if (m.to.empty()) return twilio_error(400, 21604, "A 'To' phone number is required.");
    if (m.from.empty() && m.messaging_service_sid.empty()) {
      return twilio_error(400, 21603, "A 'From' phone number is required.");
    }
    if (m.body.empty() && !has_media) return twilio_error(400, 21602, "Message body is required.");
    if (char_count(m.body) > 1600) {
      return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    }
    if (!is_e164(m.to)) return twilio_error(400, 21211, "The 'To' number " + m.to + " is not a valid phone number.");
    const std::string_view cb = m.status_callback;
    if (!cb.empty() && cb.substr(0, 7) != "http://" && cb.substr(0, 8) != "https://") {
      return twilio_error(400, 21609, "The StatusCallback URL " + m.status_callback + " is not a valid URL.");
    }
    m.sid = new_sid("SM");
    // With only a messaging service, Twilio first "accepts" the message and picks a sender later.
    m.status = m.from.empty() ? "accepted" : "queued";
    m.segments = segments_of(m.body);
    const std::string now = rfc2822_now();
    const std::string uri = account_path() + "/Messages/" + m.sid;
    js::object body{{"account_sid", account_sid},
                    {"api_version", "2010-04-01"},
                    {"body", m.body},
                    {"date_created", now},
                    {"date_sent", nullptr},
                    {"date_updated", now},
                    {"direction", "outbound-api"},
                    {"error_code", nullptr},
                    {"error_message", nullptr},
                    {"from", or_null(m.from)},
                    {"messaging_service_sid", or_null(m.messaging_service_sid)},
                    {"num_media", has_media ? "1" : "0"},
                    {"num_segments", std::to_string(m.segments)},
                    {"price", nullptr},
                    {"price_unit", "USD"},
                    {"sid", m.sid},
                    {"status", m.status},
                    {"subresource_uris", {{"media", uri + "/Media.json"}}},
                    {"to", m.to},
                    {"uri", uri + ".json"}};
    messages.push_back(std::move(m));
    return json_response(201, body);
  }

  net::http_response update_call(const std::string& call_sid, const twilio::form& form, std::string_view path) {
    const auto call = live_calls.find(call_sid);
    if (call == live_calls.end()) return not_found(path);  // never existed, or already ended
    twilio_call_update u{call_sid, std::string(twilio::form_value(form, "Twiml")),
                         std::string(twilio::form_value(form, "Url")), std::string(twilio::form_value(form, "Status")),
                         form};
    if (u.twiml.empty() && u.url.empty() && u.status.empty()) {
      return twilio_error(400, 20001, "Either Url, Twiml or Status must be provided");  // wording UNVERIFIED
    }
    if (!u.status.empty() && u.status != "completed" && u.status != "canceled") {
      return twilio_error(400, 20001, "Status must be completed or canceled");
    }
    if (!u.twiml.empty()) {
      // An XML declaration may come first; then the root must be <Response>.
      std::string_view t = u.twiml;
      t.remove_prefix(std::min(t.size(), t.find_first_not_of(" \t\r\n")));
      if (t.substr(0, 5) == "<?xml") t.remove_prefix(std::min(t.size(), t.find("?>")));
      if (t.substr(0, 2) == "?>") t.remove_prefix(2);
      t.remove_prefix(std::min(t.size(), t.find_first_not_of(" \t\r\n")));
      if (t.substr(0, 10) != "<Response>" && t.substr(0, 10) != "<Response ") {
        // Twilio's code for unparseable TwiML (12100; the REST status and code are UNVERIFIED).
        return twilio_error(400, 12100, "Document parse failure: Twiml must be a <Response> document");
      }
      if (u.twiml.size() > 4000) return twilio_error(400, 20001, "Twiml exceeds 4000 characters");
    }
    // "canceled" only applies to queued/ringing calls; the fake's calls are in progress, so no-op.
    const bool ends = u.status == "completed";
    const std::string now = rfc2822_now();
    js::object body{{"account_sid", account_sid},
                    {"api_version", "2010-04-01"},
                    {"date_created", now},
                    {"date_updated", now},
                    {"direction", "inbound"},
                    {"end_time", ends ? js::value(now) : js::value(nullptr)},
                    {"from", call->second.from},
                    {"price", nullptr},
                    {"sid", call_sid},
                    {"status", ends ? "completed" : "in-progress"},
                    {"to", call->second.to},
                    {"uri", account_path() + "/Calls/" + call_sid + ".json"}};
    if (ends) live_calls.erase(call);
    updates.push_back(std::move(u));
    return json_response(200, body);
  }

  // POST Calls/{CallSid}/Recordings.json (twilio-rest.md#start-recording). Status codes and wording for bad values are
  // UNVERIFIED (400/20001 like the other parameter errors here).
  net::http_response start_recording(const std::string& call_sid, const twilio::form& form, std::string_view path) {
    if (live_calls.find(call_sid) == live_calls.end()) return not_found(path);  // never existed, or ended
    twilio_recording_start s;
    s.call_sid = call_sid;
    s.channels = std::string(twilio::form_value(form, "RecordingChannels"));
    s.status_callback = std::string(twilio::form_value(form, "RecordingStatusCallback"));
    s.status_callback_method = std::string(twilio::form_value(form, "RecordingStatusCallbackMethod"));
    for (const auto& [name, value] : form) {
      if (name != "RecordingStatusCallbackEvent") continue;
      // Arrays repeat the key (twilio-rest.md#conventions); tolerate the TwiML habit of space-separated values too.
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto space = rest.find(' ');
        const std::string_view event = rest.substr(0, space);
        if (!event.empty()) s.status_callback_events.emplace_back(event);
        rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
      }
    }
    const std::string_view track = twilio::form_value(form, "RecordingTrack");
    if (!s.channels.empty() && s.channels != "mono" && s.channels != "dual") {
      return twilio_error(400, 20001, "RecordingChannels must be mono or dual");
    }
    const std::string_view cb = s.status_callback;
    if (!cb.empty() && cb.substr(0, 7) != "http://" && cb.substr(0, 8) != "https://") {
      return twilio_error(400, 20001, "RecordingStatusCallback " + s.status_callback + " is not a valid URL");
    }
    if (!s.status_callback_method.empty() && s.status_callback_method != "GET" && s.status_callback_method != "POST") {
      return twilio_error(400, 20001, "RecordingStatusCallbackMethod must be GET or POST");
    }
    for (const std::string& e : s.status_callback_events) {
      if (e != "in-progress" && e != "completed" && e != "absent") {
        return twilio_error(400, 20001, "RecordingStatusCallbackEvent " + e + " is not one of in-progress, completed, absent");
      }
    }
    if (!track.empty() && track != "inbound" && track != "outbound" && track != "both") {
      return twilio_error(400, 20001, "RecordingTrack must be inbound, outbound or both");
    }
    s.recording_sid = new_sid("RE");
    const std::string now = rfc2822_now();
    recording& r = recordings[s.recording_sid];
    r.call_sid = call_sid;
    r.channels = s.channels == "dual" ? "2" : "1";
    r.date_created = now;
    js::object body{{"account_sid", account_sid},
                    {"api_version", "2010-04-01"},
                    {"call_sid", call_sid},
                    {"conference_sid", nullptr},
                    {"date_created", now},
                    {"date_updated", now},
                    {"start_time", now},
                    {"duration", "-1"},
                    {"sid", s.recording_sid},
                    {"price", nullptr},
                    {"price_unit", "USD"},
                    {"status", "in-progress"},
                    {"channels", s.channels == "dual" ? 2 : 1},
                    {"source", "StartCallRecordingAPI"},
                    {"error_code", nullptr},
                    {"track", track.empty() ? std::string("both") : std::string(track)},
                    {"encryption_details", nullptr},
                    {"uri", account_path() + "/Calls/" + call_sid + "/Recordings/" + s.recording_sid + ".json"}};
    s.form = form;
    recording_starts.push_back(std::move(s));
    return json_response(201, body);
  }

  // Recordings/{Sid}[.wav|.mp3|.json]: GET media or metadata, DELETE.
  net::http_response recording_resource(const std::string& method, std::string_view name, std::string_view path) {
    if (name.find('/') != std::string_view::npos) return not_found(path);
    std::string_view ext;
    if (const auto dot = name.find('.'); dot != std::string_view::npos) {
      ext = name.substr(dot);
      name = name.substr(0, dot);
    }
    if (ext != "" && ext != ".wav" && ext != ".mp3" && ext != ".json") return not_found(path);
    const auto found = recordings.find(std::string(name));
    if (found == recordings.end() || found->second.deleted) return not_found(path);
    recording& r = found->second;
    if (method == "DELETE") {
      if (ext != "" && ext != ".json") return twilio_error(405, 20004, "Method not allowed");
      r.deleted = true;
      return net::http_response{204, "", "", {}};
    }
    if (method != "GET") return twilio_error(405, 20004, "Method not allowed");
    if (ext == ".json") {
      const std::string uri = account_path() + "/Recordings/" + std::string(name);
      js::object body{{"account_sid", account_sid},
                      {"call_sid", r.call_sid},
                      {"channels", r.channels == "2" ? 2 : 1},
                      {"date_created", r.date_created},
                      {"duration", r.has_media ? "1" : "-1"},
                      {"media_url", "http://127.0.0.1:" + std::to_string(port) + uri},
                      {"sid", std::string(name)},
                      {"source", "StartCallRecordingAPI"},
                      {"status", r.has_media && r.not_ready == 0 ? "completed" : "processing"},
                      {"uri", uri + ".json"}};
      return json_response(200, body);
    }
    ++r.fetches;
    if (!r.has_media || r.not_ready > 0) {
      if (r.not_ready > 0) --r.not_ready;
      return not_found(path);  // the media is not there yet (docs/protocols/twilio-rest.md#recording-media)
    }
    // Only WAV bytes are kept; an MP3 cannot be made from them here.
    if (ext == ".mp3") return twilio_error(415, 20001, "The fake serves recordings as WAV only");
    return net::http_response{200, "audio/x-wav", r.wav, {}};
  }
};

fake_twilio_rest::fake_twilio_rest(std::string account_sid, std::string auth_token) : impl_(std::make_unique<impl>()) {
  impl_->account_sid = std::move(account_sid);
  impl_->auth_token = std::move(auth_token);
  impl_->server = std::make_unique<net::http_server>(
      std::vector<asio::io_context*>{&impl_->loop.context()},
      net::http_handlers{[i = impl_.get()](net::http_request req) { return i->handle(std::move(req)); }, {}});
  impl_->port = impl_->server->listen("127.0.0.1", 0);
}

fake_twilio_rest::~fake_twilio_rest() {
  // Wake stalled requests so no handler is left suspended on a timer when the loop stops.
  impl_->loop.run_sync([](impl* i) -> awaitable<void> {
    i->server->stop();
    std::lock_guard lock(i->mutex);
    for (asio::steady_timer* t : i->delays) t->cancel();
    co_return;
  }(impl_.get()));
  wait_until([this] {
    std::lock_guard lock(impl_->mutex);
    return impl_->in_flight == 0;
  });
  impl_->loop.stop();
  impl_->server.reset();
}

std::string fake_twilio_rest::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::uint16_t fake_twilio_rest::port() const { return impl_->port; }
const std::string& fake_twilio_rest::account_sid() const { return impl_->account_sid; }
const std::string& fake_twilio_rest::auth_token() const { return impl_->auth_token; }

void fake_twilio_rest::fail_next(int count, int http_status, int code, std::string message) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_count = count;
  impl_->fail_status = http_status;
  impl_->fail_code = code;
  impl_->fail_message = std::move(message);
}

void fake_twilio_rest::delay_next(std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->pending_delay = delay;
}

void fake_twilio_rest::add_live_call(std::string call_sid, std::string from, std::string to) {
  std::lock_guard lock(impl_->mutex);
  impl_->live_calls[std::move(call_sid)] = impl::live_call{std::move(from), std::move(to)};
}

bool fake_twilio_rest::call_live(const std::string& call_sid) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->live_calls.count(call_sid) != 0;
}

std::vector<twilio_request> fake_twilio_rest::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::vector<twilio_message> fake_twilio_rest::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::vector<twilio_call_update> fake_twilio_rest::call_updates() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->updates;
}

std::vector<twilio_callback> fake_twilio_rest::callbacks() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->callbacks;
}

void fake_twilio_rest::add_recording(std::string recording_sid, std::string call_sid, std::string wav_bytes,
                                     int not_ready_times) {
  std::lock_guard lock(impl_->mutex);
  impl::recording& r = impl_->recordings[std::move(recording_sid)];
  r.call_sid = std::move(call_sid);
  if (r.date_created.empty()) r.date_created = rfc2822_now();
  r.wav = std::move(wav_bytes);
  r.has_media = true;
  r.not_ready = not_ready_times;
  r.deleted = false;
}

std::string fake_twilio_rest::recording_url(const std::string& recording_sid) const {
  return url() + impl_->account_path() + "/Recordings/" + recording_sid;
}

int fake_twilio_rest::recording_fetches(const std::string& recording_sid) const {
  std::lock_guard lock(impl_->mutex);
  const auto r = impl_->recordings.find(recording_sid);
  return r == impl_->recordings.end() ? 0 : r->second.fetches;
}

bool fake_twilio_rest::recording_deleted(const std::string& recording_sid) const {
  std::lock_guard lock(impl_->mutex);
  const auto r = impl_->recordings.find(recording_sid);
  return r != impl_->recordings.end() && r->second.deleted;
}

std::vector<twilio_recording_start> fake_twilio_rest::recordings_started() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recording_starts;
}

int fake_twilio_rest::deliver(const std::string& sid, const std::string& status) {
  twilio_callback cb;
  {
    std::lock_guard lock(impl_->mutex);
    auto m = std::find_if(impl_->messages.begin(), impl_->messages.end(),
                          [&](const twilio_message& x) { return x.sid == sid; });
    if (m == impl_->messages.end() || m->status_callback.empty()) return 0;
    m->status = status;
    cb.url = m->status_callback;
    cb.form = {{"AccountSid", impl_->account_sid}, {"ApiVersion", "2010-04-01"}, {"From", m->from},
               {"MessageSid", sid},                {"MessageStatus", status},    {"SmsSid", sid},
               {"SmsStatus", status},              {"To", m->to}};
    if (!m->messaging_service_sid.empty()) cb.form.emplace_back("MessagingServiceSid", m->messaging_service_sid);
    // ErrorCode only on failure (twilio-webhooks.md; 30008 "Unknown error" stands in for the carrier's reason).
    if (status == "failed" || status == "undelivered") cb.form.emplace_back("ErrorCode", "30008");
  }
  cb.signature = twilio::compute_signature(impl_->auth_token, cb.url, cb.form);
  net::client_request req;
  req.method = "POST";
  req.url = cb.url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"X-Twilio-Signature", cb.signature},
                 {"User-Agent", "TwilioProxy/1.1"},
                 {"I-Twilio-Idempotency-Token", new_sid("")}};
  req.body = twilio::encode_form(cb.form);
  cb.status = impl_->loop.run_sync(post_form(impl_->loop.executor(), std::move(req)));
  const int got = cb.status;
  std::lock_guard lock(impl_->mutex);
  impl_->callbacks.push_back(std::move(cb));
  return got;
}

}  // namespace vg::fakes
