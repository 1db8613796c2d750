#include "tests/fakes/simulated_caller.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <deque>
#include <mutex>
#include <random>

#include "core/base64.hpp"
#include "core/twilio/webhook.hpp"
#include "net/http_client.hpp"
#include "net/log_failure.hpp"
#include "net/ws_client.hpp"

namespace vg::fakes {
namespace js = boost::json;
using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

std::string random_sid(const char* prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(prefix);
  for (int i = 0; i < 32; ++i) out += hex[rng() & 15];
  return out;
}

namespace {

std::string xml_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    const std::string_view entity = s.substr(i, semi - i + 1);
    if (entity == "&amp;") out += '&';
    else if (entity == "&lt;") out += '<';
    else if (entity == "&gt;") out += '>';
    else if (entity == "&quot;") out += '"';
    else if (entity == "&apos;") out += '\'';
    else out += entity;
    i = semi;
  }
  return out;
}

// The value of attribute `name` in the first element `<tag ...` at or after `from`.
std::string attribute(std::string_view xml, std::string_view tag, std::string_view name, std::size_t from = 0) {
  const auto at = xml.find("<" + std::string(tag) + " ", from);
  if (at == std::string_view::npos) return {};
  const auto end = xml.find('>', at);
  const std::string_view element = xml.substr(at, end - at);
  const auto a = element.find(" " + std::string(name) + "=\"");
  if (a == std::string_view::npos) return {};
  const auto v = a + name.size() + 3;
  return xml_unescape(element.substr(v, element.find('"', v) - v));
}

// The text inside every `<tag ...>text</tag>` from `from` on (not nested).
std::vector<std::string> texts_of(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  const std::string open = "<" + std::string(tag), close = "</" + std::string(tag) + ">";
  for (auto at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const char next = at + open.size() < xml.size() ? xml[at + open.size()] : '\0';
    if (next != '>' && next != ' ') continue;
    const auto start = xml.find('>', at);
    if (start == std::string_view::npos || xml[start - 1] == '/') continue;
    const auto end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml_unescape(xml.substr(start + 1, end - start - 1)));
  }
  return out;
}

std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

}  // namespace

struct simulated_caller::impl : std::enable_shared_from_this<impl> {
  event_loop& loop;
  caller_options opts;
  mutable std::mutex mutex;
  std::string twiml;
  std::string twiml_url;  // the public URL the latest TwiML was fetched from
  std::vector<std::string> said;
  std::string stream_url;
  std::string action_url;
  std::vector<std::pair<std::string, std::string>> params;
  std::string account_sid = random_sid("AC");
  std::string stream_sid = random_sid("MZ");

  std::unique_ptr<net::ws_connection> ws;
  std::uint64_t sequence = 0;
  std::uint64_t chunk = 0;
  clock::time_point stream_start{};
  std::size_t audio_offset = 0;
  std::string sent;
  std::size_t frames = 0;

  std::string heard;
  std::size_t media = 0, marks = 0, echoed = 0, clears = 0;
  clock::time_point play_end{};
  double received_ms = 0;
  std::deque<std::pair<std::string, clock::time_point>> pending_marks;
  bool closed = false;

  impl(event_loop& l, caller_options o) : loop(l), opts(std::move(o)) {
    if (opts.call_sid.empty()) opts.call_sid = random_sid("CA");
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(opts.server_port); }

  std::string sign(const std::string& url, const twilio::form& params_, bool corrupt) const {
    std::string sig = twilio::compute_signature(opts.auth_token, url, params_);
    if (corrupt) sig[0] = sig[0] == 'A' ? 'B' : 'A';
    return sig;
  }

  awaitable<net::client_response> post_signed(std::string public_url, std::string local_url, twilio::form form) {
    net::client_request req;
    req.method = "POST";
    req.url = std::move(local_url);
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    if (!opts.auth_token.empty()) req.headers.emplace_back("X-Twilio-Signature", sign(public_url, form, opts.corrupt_signature));
    req.body = twilio::encode_form(form);
    auto r = co_await net::http_fetch(loop.executor(), std::move(req));
    co_return r ? std::move(*r) : net::client_response{0, {}, r.error_message()};
  }

  twilio::form call_form(std::string status = "ringing") const {
    return {{"AccountSid", account_sid}, {"ApiVersion", "2010-04-01"}, {"CallSid", opts.call_sid},
            {"CallStatus", std::move(status)}, {"Called", opts.to}, {"Caller", opts.from},
            {"Direction", "inbound"},    {"From", opts.from},          {"To", opts.to}};
  }

  std::string public_base() const { return opts.public_url.empty() ? base() : opts.public_url; }
  // A TwiML URL as Twilio resolves it: absolute, or relative to the server's public base.
  std::string resolve(const std::string& url) const {
    if (url.starts_with("http://") || url.starts_with("https://")) return url;
    return public_base() + (url.starts_with("/") ? "" : "/") + url;
  }
  // The local address a public URL reaches (the test server listens on 127.0.0.1).
  std::string local_of(const std::string& public_url) const { return base() + path_of(public_url); }

  // POSTs `url` signed with `form` and makes the answer the latest TwiML. Blocks the caller's
  // thread (not the loop's).
  int fetch_twiml(const std::string& url, twilio::form form) {
    auto self = shared_from_this();
    auto res = loop.run_sync([](std::shared_ptr<impl> s, std::string public_url, twilio::form f) -> awaitable<net::client_response> {
      std::string local = s->local_of(public_url);
      co_return co_await s->post_signed(std::move(public_url), std::move(local), std::move(f));
    }(self, url, std::move(form)));
    std::lock_guard lock(mutex);
    twiml = res.body;
    twiml_url = url;
    // What is said before the first <Gather> ends or the stream starts is heard now.
    const auto gather_end = res.body.find("</Gather>");
    for (auto& text : texts_of(std::string_view(res.body).substr(0, gather_end), "Say")) said.push_back(std::move(text));
    stream_url = attribute(res.body, "Stream", "url");
    action_url = attribute(res.body, "Connect", "action");
    params.clear();
    for (std::size_t at = res.body.find("<Parameter "); at != std::string::npos; at = res.body.find("<Parameter ", at + 1)) {
      params.emplace_back(attribute(res.body, "Parameter", "name", at), attribute(res.body, "Parameter", "value", at));
    }
    return res.status;
  }

  void send_json(const js::object& o) {
    if (ws) ws->send_text(js::serialize(o));
  }
  std::string next_seq() { return std::to_string(++sequence); }

  void send_frame() {
    std::string frame(160, static_cast<char>(0xFF));
    if (audio_offset < opts.caller_audio.size()) {
      const std::size_t n = std::min<std::size_t>(160, opts.caller_audio.size() - audio_offset);
      frame.replace(0, n, opts.caller_audio.substr(audio_offset, n));
      audio_offset += n;
    }
    const auto ts = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - stream_start).count();
    std::lock_guard lock(mutex);
    sent += frame;
    ++frames;
    send_json({{"event", "media"},
               {"sequenceNumber", next_seq()},
               {"media", {{"track", "inbound"}, {"chunk", std::to_string(++chunk)}, {"timestamp", std::to_string(ts)},
                          {"payload", base64::encode(frame)}}},
               {"streamSid", stream_sid}});
  }

  void echo_mark(const std::string& name) {
    ++echoed;
    send_json({{"event", "mark"}, {"sequenceNumber", next_seq()}, {"streamSid", stream_sid}, {"mark", {{"name", name}}}});
  }

  void on_message(std::string_view text) {
    const auto now = clock::now();
    js::value v = js::parse(text);
    const js::object& o = v.as_object();
    const std::string event = js::value_to<std::string>(o.at("event"));
    std::lock_guard lock(mutex);
    if (event == "media") {
      const auto bytes = base64::decode(js::value_to<std::string>(o.at("media").at("payload"))).value();
      heard += bytes;
      ++media;
      const auto dur = std::chrono::microseconds(static_cast<std::int64_t>(bytes.size()) * 125);
      play_end = std::max(now, play_end) + dur;
      received_ms += static_cast<double>(bytes.size()) / 8.0;
    } else if (event == "mark") {
      ++marks;
      pending_marks.emplace_back(js::value_to<std::string>(o.at("mark").at("name")), std::max(now, play_end));
    } else if (event == "clear") {
      ++clears;
      // Twilio drops what was not played and echoes every outstanding mark at once.
      if (play_end > now) {
        received_ms -= std::chrono::duration<double, std::milli>(play_end - now).count();
        play_end = now;
      }
      while (!pending_marks.empty()) {
        echo_mark(pending_marks.front().first);
        pending_marks.pop_front();
      }
    }
  }

  static awaitable<void> reader(std::shared_ptr<impl> self) {
    std::string_view message;
    for (;;) {
      const bool got = co_await self->ws->read(message);
      if (!got) break;
      self->on_message(message);
    }
  }

  static awaitable<void> sender(std::shared_ptr<impl> self) {
    asio::steady_timer timer(self->loop.executor());
    auto next = clock::now();
    for (;;) {
      self->send_frame();
      next += std::chrono::milliseconds(20);
      timer.expires_at(next);
      auto [ec] = co_await timer.async_wait(nothrow);
      if (ec) co_return;
    }
  }

  static awaitable<void> mark_clock(std::shared_ptr<impl> self) {
    asio::steady_timer timer(self->loop.executor());
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(2));
      auto [ec] = co_await timer.async_wait(nothrow);
      if (ec) co_return;
      const auto now = clock::now();
      std::lock_guard lock(self->mutex);
      while (!self->pending_marks.empty() && self->pending_marks.front().second <= now) {
        self->echo_mark(self->pending_marks.front().first);
        self->pending_marks.pop_front();
      }
    }
  }

  static awaitable<void> idle_until_closed(std::shared_ptr<impl> self) {
    asio::steady_timer timer(self->loop.executor());
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(20));
      auto [ec] = co_await timer.async_wait(nothrow);
      if (ec) co_return;
    }
  }

  static awaitable<void> run(std::shared_ptr<impl> self) {
    if (!self->opts.read_stream) {
      co_await (idle_until_closed(self) || self->ws->run_writer() || sender(self));
      std::lock_guard lock(self->mutex);
      self->closed = true;
      co_return;
    }
    co_await (reader(self) || self->ws->run_writer() || sender(self) || mark_clock(self));
    std::lock_guard lock(self->mutex);
    self->closed = true;
    self->ws->abort();
  }
};

simulated_caller::simulated_caller(event_loop& loop, caller_options options)
    : impl_(std::make_shared<impl>(loop, std::move(options))) {}

simulated_caller::~simulated_caller() { hang_up(); }

int simulated_caller::place_call() {
  const std::string url = impl_->public_base() + impl_->opts.voice_path;
  return impl_->fetch_twiml(url, impl_->call_form());
}

int simulated_caller::press(const std::string& digits) {
  twilio::form form = impl_->call_form("in-progress");
  form.emplace_back("Digits", digits);
  form.emplace_back("FinishedOnKey", "");
  return impl_->fetch_twiml(gather_action(), std::move(form));
}

int simulated_caller::speak(const std::string& speech, double confidence) {
  twilio::form form = impl_->call_form("in-progress");
  form.emplace_back("SpeechResult", speech);
  form.emplace_back("Confidence", std::to_string(confidence));
  form.emplace_back("Language", "en-US");
  return impl_->fetch_twiml(gather_action(), std::move(form));
}

int simulated_caller::stay_silent() {
  std::string xml, redirect;
  {
    std::lock_guard lock(impl_->mutex);
    xml = impl_->twiml;
  }
  // The verbs after the gather run; the first <Redirect> leaves the document.
  const auto after = xml.find("</Gather>");
  const std::string_view rest = std::string_view(xml).substr(after == std::string::npos ? 0 : after);
  const auto redirects = texts_of(rest, "Redirect");
  const auto hangup = rest.find("<Hangup");
  if (redirects.empty() || (hangup != std::string_view::npos && hangup < rest.find("<Redirect"))) {
    std::lock_guard lock(impl_->mutex);
    for (auto& text : texts_of(rest, "Say")) impl_->said.push_back(std::move(text));
    return 0;
  }
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& text : texts_of(rest.substr(0, rest.find("<Redirect")), "Say")) impl_->said.push_back(std::move(text));
  }
  return impl_->fetch_twiml(impl_->resolve(redirects.front()), impl_->call_form("in-progress"));
}

std::string simulated_caller::gather_action() const {
  std::lock_guard lock(impl_->mutex);
  // No action: Twilio posts to the document's own URL.
  const std::string action = attribute(impl_->twiml, "Gather", "action");
  return action.empty() ? impl_->twiml_url : impl_->resolve(action);
}

std::string simulated_caller::gather_attribute(const std::string& name) const {
  std::lock_guard lock(impl_->mutex);
  return attribute(impl_->twiml, "Gather", name);
}

bool simulated_caller::twiml_hangs_up() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->twiml.find("<Hangup") != std::string::npos;
}

std::vector<std::string> simulated_caller::said() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->said;
}

const std::string& simulated_caller::twiml() const { return impl_->twiml; }
std::string simulated_caller::stream_url() const { return impl_->stream_url; }
std::string simulated_caller::action_url() const { return impl_->action_url; }
std::vector<std::pair<std::string, std::string>>& simulated_caller::parameters() { return impl_->params; }
std::string simulated_caller::call_sid() const { return impl_->opts.call_sid; }

void simulated_caller::use_twiml_of(const simulated_caller& other) {
  std::scoped_lock lock(impl_->mutex, other.impl_->mutex);
  impl_->twiml = other.impl_->twiml;
  impl_->stream_url = other.impl_->stream_url;
  impl_->action_url = other.impl_->action_url;
  impl_->params = other.impl_->params;
}

int simulated_caller::open_stream() {
  auto self = impl_;
  return self->loop.run_sync([](std::shared_ptr<impl> s) -> awaitable<int> {
    net::ws_client_options options;
    if (!s->opts.auth_token.empty()) options.headers.emplace_back("X-Twilio-Signature", s->sign(s->stream_url, {}, s->opts.corrupt_stream_signature));
    auto conn = co_await net::ws_connect(s->loop.executor(), s->base() + path_of(s->stream_url), options);
    if (!conn) {
      const std::string& e = conn.error_message();
      const auto at = e.find("HTTP ");
      co_return at == std::string::npos ? -1 : std::stoi(e.substr(at + 5, 3));
    }
    s->ws = std::move(*conn);
    s->stream_start = clock::now();
    js::object custom;
    for (const auto& [n, v] : s->params) custom[n] = v;
    s->send_json({{"event", "connected"}, {"protocol", "Call"}, {"version", "1.0.0"}});
    s->send_json({{"event", "start"},
                  {"sequenceNumber", s->next_seq()},
                  {"start",
                   {{"accountSid", s->account_sid},
                    {"streamSid", s->stream_sid},
                    {"callSid", s->opts.call_sid},
                    {"tracks", js::array{"inbound"}},
                    {"customParameters", custom},
                    {"mediaFormat", {{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}}}},
                  {"streamSid", s->stream_sid}});
    asio::co_spawn(s->loop.executor(), impl::run(s), net::log_failure("simulated_caller: the call failed"));
    co_return 101;
  }(self));
}

void simulated_caller::send_dtmf(char digit) {
  asio::post(impl_->loop.executor(), [s = impl_, digit] {
    std::lock_guard lock(s->mutex);
    s->send_json({{"event", "dtmf"}, {"streamSid", s->stream_sid}, {"sequenceNumber", s->next_seq()},
                  {"dtmf", {{"track", "inbound_track"}, {"digit", std::string(1, digit)}}}});
  });
}

void simulated_caller::send_raw(std::string text) {
  asio::post(impl_->loop.executor(), [s = impl_, text = std::move(text)] {
    std::lock_guard lock(s->mutex);
    if (s->ws) s->ws->send_text(text);
  });
}

void simulated_caller::send_stop() {
  asio::post(impl_->loop.executor(), [s = impl_] {
    std::lock_guard lock(s->mutex);
    s->send_json({{"event", "stop"}, {"sequenceNumber", s->next_seq()},
                  {"stop", {{"accountSid", s->account_sid}, {"callSid", s->opts.call_sid}}}, {"streamSid", s->stream_sid}});
  });
}

void simulated_caller::hang_up() {
  auto s = impl_;
  s->loop.run_sync([](std::shared_ptr<impl> self) -> awaitable<void> {
    if (self->ws) self->ws->abort();
    co_return;
  }(s));
}

std::string simulated_caller::heard_audio() const { std::lock_guard l(impl_->mutex); return impl_->heard; }
std::size_t simulated_caller::media_received() const { std::lock_guard l(impl_->mutex); return impl_->media; }
std::size_t simulated_caller::marks_received() const { std::lock_guard l(impl_->mutex); return impl_->marks; }
std::size_t simulated_caller::marks_echoed() const { std::lock_guard l(impl_->mutex); return impl_->echoed; }
std::size_t simulated_caller::clears_received() const { std::lock_guard l(impl_->mutex); return impl_->clears; }
bool simulated_caller::stream_closed() const { std::lock_guard l(impl_->mutex); return impl_->closed; }
std::size_t simulated_caller::frames_sent() const { std::lock_guard l(impl_->mutex); return impl_->frames; }
std::string simulated_caller::sent_audio() const { std::lock_guard l(impl_->mutex); return impl_->sent; }

double simulated_caller::played_ms() const {
  std::lock_guard l(impl_->mutex);
  const auto now = clock::now();
  const double unplayed = impl_->play_end > now ? std::chrono::duration<double, std::milli>(impl_->play_end - now).count() : 0;
  return impl_->received_ms - unplayed;
}

int simulated_caller::send_status(const std::string& call_status, int sequence, int duration_s) {
  auto self = impl_;
  auto res = self->loop.run_sync([](std::shared_ptr<impl> s, std::string st, int seq, int dur) -> awaitable<net::client_response> {
    twilio::form form = s->call_form();
    for (auto& [n, v] : form) {
      if (n == "CallStatus") v = st;
    }
    form.emplace_back("SequenceNumber", std::to_string(seq));
    form.emplace_back("CallbackSource", "call-progress-events");
    if (dur > 0) form.emplace_back("CallDuration", std::to_string(dur));
    const std::string public_url = (s->opts.public_url.empty() ? s->base() : s->opts.public_url) + "/twilio/status";
    std::string local = s->base() + "/twilio/status";
    co_return co_await s->post_signed(public_url, std::move(local), std::move(form));
  }(self, call_status, sequence, duration_s));
  return res.status;
}

std::string simulated_caller::request_action() {
  std::string url;
  {
    std::lock_guard lock(impl_->mutex);
    url = impl_->action_url;
  }
  impl_->fetch_twiml(url, impl_->call_form("in-progress"));
  std::lock_guard lock(impl_->mutex);
  return impl_->twiml;
}

}  // namespace vg::fakes
