#include "app/twilio/twilio_routes.hpp"
#include "app/wall_clock.hpp"

#include <algorithm>

#include <boost/asio/experimental/awaitable_operators.hpp>


#include "core/crypto.hpp"
#include "core/agent/tool_support.hpp"
#include "core/json_scan.hpp"
#include "core/http/percent_encoding.hpp"
#include "core/twilio/gate.hpp"
#include "core/twilio/failover.hpp"
#include "core/twilio/media_stream.hpp"
#include "core/twilio/stream_token.hpp"
#include "core/twilio/twiml.hpp"
#include "core/twilio/webhook.hpp"
#include "net/log.hpp"
#include "net/ws_move.hpp"

namespace vg::app {
namespace {

net::http_response text(int status, std::string body) {
  return net::http_response{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

net::http_response twiml(std::string xml) {
  return net::http_response{200, "text/xml", std::move(xml), {}};
}

bool one_of(std::string_view path, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (path == o) return true;
  }
  return false;
}

// Seed paths stay valid (with or without a trailing slash) so users of the public samples
// can switch without touching their Twilio console.
bool is_voice_path(std::string_view p) {
  return one_of(p, {"/twilio/voice", "/incoming-call", "/incoming-call/", "/assistant/incoming-call",
                    "/assistant/incoming-call/", "/api/phone/incoming"});
}
// Seed 001 asks for a key and starts the demo at /demo-start.
bool is_gate_path(std::string_view p) { return one_of(p, {"/twilio/gate", "/demo-start", "/demo-start/"}); }
bool is_status_path(std::string_view p) {
  return one_of(p, {"/twilio/status", "/call-status", "/call-status/", "/api/phone/status", "/call_events"});
}
// Seed 001's frontend reads its call's status with GET /call-status?callSid= and an API token: the
// REST API answers that. Twilio's status callback there is a POST, or a GET it signed.
bool is_status_query(const net::http_request& req) {
  return req.method == "GET" && one_of(req.path(), {"/call-status", "/call-status/"}) &&
         req.header("x-twilio-signature").empty();
}

std::string secret_from(const config& cfg) {
  if (!cfg.stream_secret.empty()) return cfg.stream_secret;
  if (!cfg.twilio_auth_token.empty()) {
    // Derived, so every node sharing the Twilio account accepts the others' tokens.
    const auto k = crypto::hmac_sha256(cfg.twilio_auth_token, "voxgate stream token v1");
    return std::string(reinterpret_cast<const char*>(k.data()), k.size());
  }
  std::string random(32, '\0');
  crypto::random_bytes(reinterpret_cast<std::uint8_t*>(random.data()), random.size());
  return random;
}

// Reads the first messages of a stream until `start` (Twilio sends `connected`, then `start`).
awaitable<void> read_until_start(net::ws_connection* conn, std::vector<std::string>* early,
                                 std::optional<twilio::stream_start>* start) {
  std::string_view message;
  // One co_await per statement: GCC 12 mis-compiles co_await inside a short-circuit condition
  // (it read one message too many here, losing the caller's first frame).
  while (!*start && early->size() < 8) {
    const bool got = co_await conn->read(message);
    if (!got) break;
    early->emplace_back(message);
    auto e = twilio::parse_stream_event(message);
    if (e && e->kind == twilio::stream_event_kind::start) *start = std::move(e->start);
  }
}

}  // namespace

twilio_routes::twilio_routes(call_services& services, gather_flow& gather)
    : services_(services), gather_(gather), stream_secret_(secret_from(services.cfg)) {}

std::string twilio_routes::public_base(const net::http_request& req) const {
  if (!services_.cfg.public_url.empty()) return services_.cfg.public_url;
  // Behind a tunnel or proxy without PUBLIC_URL: rebuild what Twilio requested.
  std::string_view proto = req.header("x-forwarded-proto");
  if (proto.empty()) proto = "http";
  std::string_view host = req.header("x-forwarded-host");
  if (host.empty()) host = req.header("host");
  return std::string(proto) + "://" + std::string(host);
}

std::optional<net::http_response> twilio_routes::handle(const net::http_request& req, asio::any_io_executor ex) {
  const std::string_view path = req.path();
  if (is_voice_path(path)) return voice(req, ex);
  if (is_gate_path(path)) return gate(req, ex);
  if (path == "/twilio/stream-ended") return stream_ended(req);
  if (is_status_path(path) && !is_status_query(req)) return status_callback(req);
  if (one_of(path, {"/twilio/recording", "/recording-status", "/recording-status/"})) {
    twilio::form params;
    if (auto refused = check_webhook(req, params)) return *refused;
    services_.recs.on_twilio_callback(ex, params);
    return net::http_response{204, "text/plain", {}, {}};
  }
  if (path == "/twilio/sms-status" || path == "/sms-status") return sms_status(req);
  return std::nullopt;
}

bool twilio_routes::is_gather(std::string_view path) {
  return one_of(path, {"/twilio/gather", "/twilio/gather/", "/api/phone/process-speech", "/api/phone/process-speech/"});
}

awaitable<net::http_response> twilio_routes::gather_turn(net::http_request req) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) co_return std::move(*refused);
  auto turn = gather_.turn(std::move(params), std::string(req.query()), public_base(req));
  co_return co_await std::move(turn);
}

void twilio_routes::add_stream_routes(net::ws_router& router) {
  router.add({"/twilio/stream", "/media-stream", "/media-stream/", "/assistant/media-stream", "/assistant/media-stream/"},
             [this](net::http_request req, net::ws_upgrade up) { return handle_stream(std::move(req), std::move(up)); });
}

std::optional<net::http_response> twilio_routes::check_webhook(const net::http_request& req, twilio::form& params) {
  if (req.method != "POST" && req.method != "GET") return text(405, "use POST or GET");
  const bool is_post = req.method == "POST";
  auto parsed = twilio::parse_form(is_post ? std::string_view(req.body) : req.query());
  if (!parsed) return text(400, "malformed form body");
  params = std::move(*parsed);
  if (services_.cfg.insecure_skip_signature) return std::nullopt;
  const std::string_view signature = req.header("x-twilio-signature");
  if (services_.cfg.twilio_auth_token.empty()) {
    log::warn("refused " + std::string(req.path()) + ": TWILIO_AUTH_TOKEN is not set, so Twilio's signature cannot be checked");
    return text(403, "TWILIO_AUTH_TOKEN is not configured");
  }
  const std::string url = public_base(req) + req.target;
  const twilio::form empty;
  if (!twilio::validate_signature(services_.cfg.twilio_auth_token, url, is_post ? params : empty, signature)) {
    log::warn(twilio::form_value(params, "CallSid"),
              "refused " + std::string(req.path()) + " from " + req.peer + ": " +
                  (signature.empty() ? "no X-Twilio-Signature" : "X-Twilio-Signature does not match " + url));
    return text(403, "invalid Twilio signature");
  }
  return std::nullopt;
}

// Who is calling and which assistant answers; the answer itself when the call cannot go on
// (no CallSid, no OpenAI key: an apology, an unknown organisation: "not set up").
std::optional<net::http_response> twilio_routes::identify(const net::http_request& req, const twilio::form& params,
                                                          call_info& info) {
  const config& cfg = services_.cfg;
  info.call_sid = twilio::form_value(params, "CallSid");
  if (info.call_sid.empty()) return text(400, "missing CallSid");
  const twiml::say_options say_opts{cfg.say_voice, {}};
  if (cfg.openai_api_key.empty()) {
    log::warn(info.call_sid, "OPENAI_API_KEY is not set: answering with an apology");
    return twiml(twiml::document({twiml::say(cfg.apology, say_opts), twiml::hangup()}));
  }
  info.account_sid = twilio::form_value(params, "AccountSid");
  info.from = twilio::form_value(params, "From");
  info.to = twilio::form_value(params, "To");
  info.direction = twilio::form_value(params, "Direction");
  // Seed 000 names the organisation in the webhook URL (?org_id=1); otherwise the number decides.
  std::string org_param, assistant_param;
  if (auto query = twilio::parse_form(req.query())) {
    org_param = twilio::form_value(*query, "org");
    if (org_param.empty()) org_param = twilio::form_value(*query, "org_id");
    assistant_param = twilio::form_value(*query, "assistant");
  }
  auto setup = setup_for(info.call_sid, org_param, assistant_param, info.outbound() ? info.from : info.to);
  if (!setup) return twiml(twiml::document({twiml::say(cfg.not_configured, say_opts), twiml::hangup()}));
  info.setup = std::move(*setup);
  return std::nullopt;
}

net::http_response twilio_routes::voice(const net::http_request& req, asio::any_io_executor ex) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) return *refused;
  call_info info;
  if (auto answered = identify(req, params, info)) return *answered;
  // A gated line asks for a key first; the model session opens only when it comes (gate()).
  // (A repeated webhook of a call already past its gate gets its stream again.)
  const agent::assistant* a = info.setup.assistant;
  if (a != nullptr && gate::active(a->settings.gate) && !services_.registry.find(info.call_sid)) {
    log::info(info.call_sid, "asking for a key before the assistant answers");
    return twiml(gate_document(req, info, 1));
  }
  return connect(req, ex, std::move(info));
}

// The key-press gate's callback (docs/protocols/twiml.md#gate): <Gather action> with Digits,
// or the <Redirect> after a <Gather> that got none.
net::http_response twilio_routes::gate(const net::http_request& req, asio::any_io_executor ex) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) return *refused;
  call_info info;
  if (auto answered = identify(req, params, info)) return *answered;
  const agent::assistant* a = info.setup.assistant;
  if (a == nullptr || !gate::active(a->settings.gate)) return connect(req, ex, std::move(info));  // no gate (any more)
  std::int64_t attempt = 1;  // of our own URL, but only the signature vouches for it: kept in range
  if (auto query = twilio::parse_form(req.query())) attempt = json::to_integer(twilio::form_value(*query, "attempt")).value_or(1);
  attempt = std::clamp<std::int64_t>(attempt, 1, 100);
  std::optional<std::string_view> pressed;
  for (const auto& [name, value] : params) {
    if (name == "Digits") pressed = value;
  }
  const auto plan = gate::plan_of(*a->settings.gate);
  const auto step = gate::next(plan, static_cast<int>(attempt), pressed);
  if (step.open) {
    log::info(info.call_sid, "key pressed: connecting the assistant");
    return connect(req, ex, std::move(info));
  }
  const std::string why = pressed ? "wrong key" : "no key";
  if (step.attempt > plan.attempts) log::info(info.call_sid, why + ": saying goodbye");
  else log::info(info.call_sid, why + ": asking again (attempt " + std::to_string(step.attempt) + ")");
  return twiml(gate_document(req, info, step.attempt));
}

std::string twilio_routes::gate_document(const net::http_request& req, const call_info& info, int attempt) const {
  const agent::assistant& a = *info.setup.assistant;
  std::string prefix = public_base(req) + "/twilio/gate?org=" + http::percent_encode(info.setup.org_id) +
                       "&assistant=" + http::percent_encode(info.setup.assistant_id) + "&attempt=";
  // <Say> takes Twilio's voices, not the model's: the assistant's Gather voice, else SAY_VOICE.
  const twiml::say_options voice{a.settings.gather && !a.settings.gather->voice.empty() ? a.settings.gather->voice
                                                                                        : services_.cfg.say_voice,
                                 {}};
  return gate::document(gate::plan_of(*a.settings.gate), attempt, prefix, voice);
}

// Starts the call's session (once per CallSid: Twilio may retry a webhook) and answers with
// its stream; an assistant in gather mode answers its first turn instead. The model session
// opens now, while Twilio dials the stream, so the greeting is ready when the stream starts.
net::http_response twilio_routes::connect(const net::http_request& req, asio::any_io_executor ex, call_info info) {
  if (info.setup.assistant != nullptr && info.setup.assistant->settings.conversation() == agent::conversation_mode::gather) {
    return twiml(gather_.first_turn(info, public_base(req)));  // no stream: turns over webhooks (app/gather)
  }
  std::string xml = stream_document(req, info);
  if (!services_.registry.find(info.call_sid)) start_call(services_, ex, std::move(info), std::nullopt);
  return twiml(std::move(xml));
}

// The one <Connect><Stream> document (docs/protocols/twiml.md#connect-stream).
std::string twilio_routes::stream_document(const net::http_request& req, const call_info& info) const {
  const config& cfg = services_.cfg;
  const std::string base = public_base(req);
  std::string stream_url = cfg.stream_url();
  if (stream_url.empty()) {
    stream_url = base.starts_with("https://") ? "wss://" + base.substr(8) : "ws://" + base.substr(7);
    stream_url += "/twilio/stream";
  }
  twiml::stream_options stream;
  stream.url = stream_url;
  // The assistant is named again, so the answer to a failed stream can follow its fallback.
  stream.action_url = base + "/twilio/stream-ended";
  if (!info.setup.org_id.empty()) {
    stream.action_url += "?org=" + http::percent_encode(info.setup.org_id) + "&assistant=" + http::percent_encode(info.setup.assistant_id);
  }
  stream.parameters = {{"callSid", info.call_sid},
                       {"from", info.from},
                       {"to", info.to},
                       {"org", info.setup.org_id},
                       {"assistant", info.setup.assistant_id},
                       {"token", twilio::make_stream_token(stream_secret_, info.call_sid, unix_now() + cfg.stream_token_ttl.count())}};
  return twiml::document({twiml::connect_stream(stream)});
}

std::optional<call_setup> twilio_routes::setup_for(const std::string& call_sid, const std::string& org_param,
                                                   const std::string& assistant_param, const std::string& number) {
  const auto snap = services_.dir.current();
  const org_entry* entry = services_.dir.route(*snap, org_param, number);
  if (entry == nullptr) {
    if (!org_param.empty()) {
      log::warn(call_sid, "refused: no organisation '" + org_param + "'");
      return std::nullopt;
    }
    log::warn(call_sid, "no organisation has the number " + number + ": answering with the default assistant");
    return call_setup{};
  }
  const agent::assistant* a = agent::pick_assistant(entry->assistants, assistant_param);
  if (a == nullptr) {
    log::warn(call_sid, "refused: organisation '" + entry->org.id + "' has no assistant" +
                            (assistant_param.empty() ? std::string() : " '" + assistant_param + "'"));
    return std::nullopt;
  }
  call_setup setup;
  setup.org_id = entry->org.id;
  setup.assistant_id = a->id;
  setup.instructions = services_.dir.prompt(*entry, *a, unix_now());
  setup.greeting_prompt = agent::greeting_request(entry->org, *a);
  setup.voice = a->voice;
  if (!a->tools.empty()) setup.tools_json = agent::realtime_tools_json(*a);
  setup.snap = snap;
  setup.org = entry;
  setup.assistant = a;
  return setup;
}

net::http_response twilio_routes::stream_ended(const net::http_request& req) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) return *refused;
  const std::string call_sid(twilio::form_value(params, "CallSid"));
  const auto why = services_.registry.ended_reason(call_sid);
  const bool failed = why && (*why == call::end_reason::model_unavailable || *why == call::end_reason::bridge_error);
  log::info(call_sid, "stream ended (" + std::string(why ? call::to_string(*why) : "unknown") + ")");
  if (!failed) return twiml(twiml::document({twiml::hangup()}));
  return twiml(after_failure(req, params));
}

// A Realtime call that lost its model (or its bridge): never silence. The assistant's
// settings.fallback decides (docs/protocols/twiml.md#failover): the same assistant by Gather
// turns, the organisation's fallback number, or the apology.
std::string twilio_routes::after_failure(const net::http_request& req, const twilio::form& params) {
  const config& cfg = services_.cfg;
  call_info info;
  if (identify(req, params, info).has_value() || info.setup.assistant == nullptr) {
    return twiml::model_failed_document(false, {}, cfg.apology, cfg.say_voice);
  }
  const agent::assistant& a = *info.setup.assistant;
  const std::string voice = a.settings.gather && !a.settings.gather->voice.empty() ? a.settings.gather->voice : cfg.say_voice;
  switch (a.settings.on_model_failure()) {
    case agent::fallback_route::gather:
      return gather_.resume(info, public_base(req));
    case agent::fallback_route::transfer: {
      const std::string& number = info.setup.org->org.fallback_number;
      log::info(info.call_sid, number.empty() ? std::string("no fallback number to transfer to: the apology")
                                              : "transferring to the fallback number " + number);
      return twiml::model_failed_document(true, number, cfg.apology, voice);
    }
    case agent::fallback_route::apology:
      break;
  }
  return twiml::model_failed_document(false, {}, cfg.apology, voice);
}

net::http_response twilio_routes::status_callback(const net::http_request& req) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) return *refused;
  const std::string sid(twilio::form_value(params, "CallSid"));
  if (!sid.empty()) {
    const std::string status(twilio::form_value(params, "CallStatus"));
    const auto sequence = json::to_integer(twilio::form_value(params, "SequenceNumber")).value_or(0);
    const auto duration = json::to_integer(twilio::form_value(params, "CallDuration")).value_or(0);
    call_event e{call_event_type::status, sid};
    e.name = status;
    e.value = sequence;
    e.value2 = duration;
    e.at_ms = unix_ms();
    services_.events.publish(e);
  }
  return net::http_response{204, "text/plain", {}, {}};
}

// An SMS status callback (docs/protocols/twilio-webhooks.md#sms-status-callback): the row follows the latest status.
net::http_response twilio_routes::sms_status(const net::http_request& req) {
  twilio::form params;
  if (auto refused = check_webhook(req, params)) return *refused;
  std::string sid(twilio::form_value(params, "MessageSid"));
  if (sid.empty()) sid = twilio::form_value(params, "SmsSid");
  std::string status(twilio::form_value(params, "MessageStatus"));
  if (status.empty()) status = twilio::form_value(params, "SmsStatus");
  if (sid.empty() || status.empty()) return text(400, "missing MessageSid or MessageStatus");
  const std::string code(twilio::form_value(params, "ErrorCode"));
  const auto at = unix_ms();
  services_.store.post({}, [sid, status, code, at](ports::store& s) { s.update_message_status(sid, status, code, at); });
  log::info("sms " + sid + " " + status + (code.empty() ? std::string() : " (error " + code + ")"));
  return net::http_response{204, "text/plain", {}, {}};
}

awaitable<void> twilio_routes::handle_stream(net::http_request req, net::ws_upgrade upgrade) {
  using namespace asio::experimental::awaitable_operators;
  const config& cfg = services_.cfg;
  if (!cfg.insecure_skip_signature) {
    // Twilio signs the upgrade like a webhook, over the stream URL with no parameters. Which
    // scheme it signs is not documented: accept the wss:// form and the https:// form.
    const std::string base = public_base(req);
    const std::string https_url = base + req.target;
    const std::string wss_url = (base.starts_with("https://") ? "wss://" + base.substr(8) : "ws://" + base.substr(7)) + req.target;
    const std::string_view signature = req.header("x-twilio-signature");
    const bool ok = !cfg.twilio_auth_token.empty() &&
                    (twilio::validate_signature(cfg.twilio_auth_token, wss_url, {}, signature) ||
                     twilio::validate_signature(cfg.twilio_auth_token, https_url, {}, signature));
    if (!ok) {
      log::warn("refused media stream from " + req.peer + ": " +
                (signature.empty() ? "no X-Twilio-Signature" : "X-Twilio-Signature does not match " + wss_url));
      net::http_response refusal = text(403, "invalid Twilio signature");
      co_await upgrade.reject(std::move(refusal));
      co_return;
    }
  }
  auto ex = upgrade.executor();
  net::ws_connection::limits limits;
  limits.max_queued = cfg.max_send_queue;
  std::unique_ptr<net::ws_connection> conn = co_await upgrade.accept(limits);
  if (!conn) co_return;

  // Read up to `start`, which names the call and carries the token (10 s at most).
  std::vector<std::string> early;
  std::optional<twilio::stream_start> start;
  asio::steady_timer deadline(ex);
  deadline.expires_after(std::chrono::seconds(10));
  co_await (read_until_start(conn.get(), &early, &start) || deadline.async_wait(use_awaitable));
  if (!start) {
    log::warn("media stream from " + req.peer + " closed: no start message");
    co_await conn->close_gracefully(std::chrono::milliseconds(500), 1008);
    co_return;
  }
  std::string call_sid(start->parameter("callSid"));
  if (call_sid.empty()) call_sid = start->call_sid;
  const auto verdict = twilio::check_stream_token(stream_secret_, call_sid, start->parameter("token"), unix_now());
  if (verdict != twilio::token_check::valid || call_sid != start->call_sid) {
    log::warn(start->call_sid, "refused media stream from " + req.peer + ": token " +
                                   std::string(call_sid != start->call_sid ? "is for another call" : twilio::to_string(verdict)));
    co_await conn->close_gracefully(std::chrono::milliseconds(500), 1008);
    co_return;
  }

  auto inbox = services_.registry.find(call_sid);
  if (!inbox) {
    // No session waiting (another node answered the webhook, or it timed out): start one here.
    call_info info{call_sid, start->account_sid, std::string(start->parameter("from")),
                   std::string(start->parameter("to")), "inbound", {}};
    auto setup = setup_for(call_sid, std::string(start->parameter("org")), std::string(start->parameter("assistant")), info.to);
    if (setup) info.setup = std::move(*setup);
    start_call(services_, ex, std::move(info), twilio_stream{std::move(conn), std::move(early)});
    co_return;
  }
  // The session may live on another thread: the connection moves there, then into its inbox.
  net::ws_connection::limits moved_limits;
  moved_limits.max_queued = cfg.max_send_queue;
  net::move_connection(std::move(conn), inbox->executor(), moved_limits,
                       [inbox, early = std::move(early), call_sid](std::unique_ptr<net::ws_connection> moved) mutable {
                         if (!moved) {
                           log::warn(call_sid, "the media stream could not be moved to its call's thread");
                           return;
                         }
                         inbox->post(command::attach_stream{twilio_stream{std::move(moved), std::move(early)}});
                       });
}

}  // namespace vg::app
