#include "app/call/call_session.hpp"
#include "app/wall_clock.hpp"

#include "app/call/after_call.hpp"
#include "app/recordings/recording_file.hpp"
#include "core/billing/cost.hpp"
#include "core/twilio/twiml.hpp"

#include <boost/json/serialize.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "net/log.hpp"
#include "net/log_failure.hpp"
#include "net/ws_client.hpp"

namespace vg::app {
namespace {

using namespace asio::experimental::awaitable_operators;
using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

// Whether the surrounding `||` group is cancelling this coroutine.
awaitable<bool> cancelled() {
  const auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}


call::micros now() {
  return std::chrono::duration_cast<call::micros>(clock::now().time_since_epoch());
}

constexpr auto stream_wait_limit = std::chrono::seconds(30);
constexpr auto tick_interval = milliseconds(500);
constexpr auto close_grace = milliseconds(3000);
constexpr int max_reconnects_per_call = 5;

call::bridge_settings bridge_settings_for(const config& cfg, const call_info& info) {
  call::bridge_settings s;
  s.dialect = cfg.realtime_beta ? openai::dialect::beta : openai::dialect::ga;
  s.session.model = cfg.openai_model;
  s.session.voice = info.setup.voice.empty() ? cfg.voice : info.setup.voice;
  s.session.instructions = info.setup.instructions.empty() ? cfg.instructions : info.setup.instructions;
  if (!info.from.empty()) s.session.instructions += "\n\nThe caller's phone number is " + info.from + ".";
  s.greeting_prompt = info.setup.greeting_prompt.empty() ? cfg.greeting_prompt : info.setup.greeting_prompt;
  s.session.tools_json = info.setup.tools_json;
  s.tools_bound = !info.setup.tools_json.empty();
  s.record_audio = recordings::wanted(info.setup.assistant, "own");
  s.frame_bytes = cfg.frame_ms * 8;
  s.max_duration = std::chrono::duration_cast<call::micros>(cfg.max_call_duration);
  return s;
}

// A live-call update through the telephony port; the error, or empty on success. (A string,
// not result<bool>: co_spawn's completion needs a default-constructible value.)
awaitable<std::string> update_call(ports::telephony* phone, std::string call_sid, ports::call_update update) {
  auto done = co_await phone->update_call(std::move(call_sid), std::move(update));
  co_return done ? std::string() : done.error_message();
}

// Everything a call owns. Lives in the session coroutine's frame.
class call_state final : public call::bridge_output {
 public:
  call_state(call_services& svc, asio::any_io_executor ex, call_info info)
      : svc_(svc), ex_(ex), info_(std::move(info)), bridge_(bridge_settings_for(svc.cfg, info_), *this),
        stream_ready_(ex) {
    bridge_.set_call_sid(info_.call_sid);
  }

  // bridge_output -----------------------------------------------------------------------------
  void send_twilio(std::string_view json) override {
    if (twilio_) twilio_->send_text(json);
  }
  void send_model(std::string_view json) override {
    if (model_) model_->send_text(json);
  }
  void record(const call::note& n) override;
  void persist(const call::note& n);
  void end_call(call::end_reason why) override {
    if (!end_reason_) end_reason_ = why;
    end_requested_at_ = clock::now();
    if (twilio_) twilio_->close();
  }
  void call_tool(std::string_view call_id, std::string_view name, std::string_view arguments) override;
  void hand_off() override;
  ~call_state() override { *self_ = nullptr; }

  // Loops ---------------------------------------------------------------------------------------
  awaitable<void> model_loop();
  awaitable<void> twilio_loop();
  awaitable<void> ticker();
  awaitable<void> finish();

  void attach(twilio_stream stream) {
    if (twilio_ || bridge_.ended()) return;  // a second stream for one call is refused
    twilio_ = std::move(stream.connection);
    early_ = std::move(stream.early_messages);
    stream_ready_.cancel();
  }

  const call_info& info() const { return info_; }
  std::shared_ptr<call_handle> handle;

 private:
  awaitable<void> twilio_reader();
  awaitable<void> model_reader();
  void give_up(call::end_reason why) {
    if (!end_reason_) end_reason_ = why;
    svc_.registry.ending(info_.call_sid, *end_reason_);  // before the close makes Twilio ask what next
    if (twilio_) twilio_->close();
  }

  call_services& svc_;
  asio::any_io_executor ex_;
  call_info info_;
  call::call_bridge bridge_;
  std::unique_ptr<net::ws_connection> twilio_;
  std::unique_ptr<net::ws_connection> model_;
  std::vector<std::string> early_;
  asio::steady_timer stream_ready_;
  std::optional<call::end_reason> end_reason_;
  std::optional<clock::time_point> end_requested_at_;
  clock::time_point started_ = clock::now();
  std::int64_t first_audio_ms_ = -1;
  int barge_ins_ = 0;
  int model_connects_ = 0;
  // Tool results and hand-offs finish after a suspension: they reach the call through this
  // pointer, which is null once the call is gone.
  std::shared_ptr<call_state*> self_ = std::make_shared<call_state*>(this);
  std::string transfer_to_;  // the pending hand-off: a number to dial, or empty to hang up
  billing::token_usage usage_;  // summed over the model's responses

  std::unique_ptr<recording_file> own_recording_;  // settings.recording.own
  std::string recording_chunk_;
  void write_recording(bool final) {
    if (!own_recording_) return;
    recording_chunk_.clear();
    if (final) bridge_.finish_recording(now(), recording_chunk_);
    else bridge_.drain_recording(now(), recording_chunk_);
    if (!own_recording_->append(recording_chunk_) && !recording_failed_) {
      recording_failed_ = true;  // logged once; the call itself goes on
      log::error(info_.call_sid, "own recording: " + own_recording_->error());
    }
  }
  bool recording_failed_ = false;
};

void call_state::call_tool(std::string_view call_id, std::string_view name, std::string_view arguments) {
  const bool outbound = info_.direction.starts_with("outbound");
  tool_context ctx{info_.call_sid, outbound ? info_.to : info_.from, outbound ? info_.from : info_.to,
                   info_.setup.snap, info_.setup.org, info_.setup.assistant};
  log::info(info_.call_sid, "tool " + std::string(name) + " called with " + std::string(arguments));
  asio::co_spawn(ex_, svc_.tools.run(std::move(ctx), std::string(call_id), std::string(name), std::string(arguments)),
                 net::log_failure(info_.call_sid, "tool " + std::string(name) + " failed",
                                  [self = self_, id = std::string(call_id)](std::exception_ptr e, tool_outcome out) {
                   call_state* st = *self;
                   if (st == nullptr) return;  // the call ended meanwhile
                   if (e) out = {R"({"error":"The action failed unexpectedly. Apologise and offer to take a message."})", "error",
                                 call::after_reply::nothing, {}};
                   if (out.then == call::after_reply::hand_off) st->transfer_to_ = out.transfer_to;
                   st->bridge_.on_tool_result(id, out.output, out.then, now());
                 }));
}

// The transfer or hang-up a tool asked for, now that its spoken reply has played: through
// Twilio's REST API; when that is not possible, a hang-up closes the stream (Twilio then asks
// the <Connect action> URL, which hangs up) and a failed transfer is told to the caller.
void call_state::hand_off() {
  const std::string to = transfer_to_;
  ports::call_update update;
  if (to.empty()) update.hang_up = true;
  else update.twiml = twiml::document({twiml::dial(to)});
  log::info(info_.call_sid, to.empty() ? std::string("hanging up as the assistant decided") : "transferring to " + to);
  auto* phone = svc_.tools.telephony();
  if (phone == nullptr) {
    if (to.empty()) end_call(call::end_reason::stream_stopped);
    else bridge_.ask_model("The transfer is not possible right now. Apologise and offer to take a message.", now());
    return;
  }
  asio::co_spawn(ex_, update_call(phone, info_.call_sid, std::move(update)),
                 net::log_failure(info_.call_sid, to.empty() ? "hang-up failed" : "transfer failed",
                                  [self = self_, to](std::exception_ptr e, std::string why) {
                   call_state* st = *self;
                   if (st == nullptr) return;
                   if (e) why = "unexpected error";
                   if (why.empty()) return;  // Twilio now runs the new TwiML and stops the stream
                   log::warn(st->info_.call_sid, (to.empty() ? "hang-up failed: " : "transfer failed: ") + why);
                   const ports::call_event event{st->info_.call_sid, to.empty() ? "hangup_failed" : "transfer_failed", why, 0, unix_ms()};
                   st->svc_.store.post(event.call_sid, [event](ports::store& s) { s.add_event(event); });
                   if (to.empty()) st->end_call(call::end_reason::stream_stopped);
                   else st->bridge_.ask_model("The transfer did not go through. Apologise briefly and offer to take a message.", now());
                 }));
}

void call_state::record(const call::note& n) {
  using k = call::note_kind;
  const std::string_view sid = info_.call_sid;
  persist(n);
  if (n.kind == k::stream_started && recordings::wanted(info_.setup.assistant, "twilio")) {
    svc_.recs.start_twilio_recording(ex_, info_.call_sid);
  }
  if (n.kind == k::stream_started && recordings::wanted(info_.setup.assistant, "own")) {
    auto file = recording_file::create(svc_.cfg.recording_spool, info_.call_sid);
    if (file) own_recording_ = std::move(*file);
    else log::error(info_.call_sid, "own recording not started: " + file.error_message());
  }
  switch (n.kind) {
    case k::stream_started: log::info(sid, "stream started " + std::string(n.text)); break;
    case k::first_audio:
      first_audio_ms_ = n.value;
      log::info(sid, "first assistant audio " + std::to_string(n.value) + " ms after stream start");
      break;
    case k::caller_said: log::info(sid, "caller: " + std::string(n.text)); break;
    case k::assistant_said: log::info(sid, "assistant: " + std::string(n.text)); break;
    case k::barge_in:
      ++barge_ins_;
      log::info(sid, "barge-in: caller heard " + std::to_string(n.value) + " ms of " + std::string(n.text));
      break;
    case k::dtmf: log::info(sid, "dtmf " + std::string(n.text)); break;
    case k::tool_call: log::info(sid, "model called " + std::string(n.text)); break;
    case k::model_error: log::warn(sid, "model error: " + std::string(n.text)); break;
    case k::bad_message: log::warn(sid, "refused message: " + std::string(n.text)); break;
    case k::unknown_event: log::warn(sid, "ignored unknown event " + std::string(n.text)); break;
    case k::model_restored: log::info(sid, "model session restored with " + std::to_string(n.value) + " turns"); break;
    case k::usage: break;  // persisted, not logged: one per response
  }
}

void call_state::persist(const call::note& n) {
  using k = call::note_kind;
  const std::int64_t at = unix_ms();
  if (n.kind == k::usage) {
    // The running total is rewritten after every response, so a crash loses at most one.
    auto u = billing::parse_realtime_usage(n.text);
    if (!u) return;
    usage_.add(*u);
    const std::string total = boost::json::serialize(billing::to_json(usage_));
    svc_.store.post(info_.call_sid, [sid = info_.call_sid, model = svc_.cfg.openai_model, total](ports::store& s) {
      s.set_call_usage(sid, model, total);
    });
    return;
  }
  if (n.kind == k::caller_said || n.kind == k::assistant_said) {
    ports::transcript_turn turn{info_.call_sid, n.kind == k::caller_said ? "caller" : "assistant", std::string(n.text), at};
    svc_.store.post(info_.call_sid, [turn = std::move(turn)](ports::store& s) { s.add_turn(turn); });
    return;
  }
  const char* kind = nullptr;
  switch (n.kind) {
    case k::stream_started: kind = "stream_started"; break;
    case k::first_audio: kind = "first_audio"; break;
    case k::barge_in: kind = "barge_in"; break;
    case k::dtmf: kind = "dtmf"; break;
    case k::tool_call: kind = "tool_call"; break;
    case k::model_error: kind = "model_error"; break;
    case k::bad_message: kind = "bad_message"; break;
    case k::unknown_event: kind = "unknown_event"; break;
    case k::model_restored: kind = "model_restored"; break;
    default: return;
  }
  ports::call_event event{info_.call_sid, kind, std::string(n.text), n.value, at};
  svc_.store.post(info_.call_sid, [event = std::move(event)](ports::store& s) { s.add_event(event); });
}

awaitable<void> call_state::model_reader() {
  model_->start_reading([this](std::string_view message) { bridge_.on_model_message(message, now()); });
  co_await model_->run_reader();
}

awaitable<void> call_state::model_loop() {
  const config& cfg = svc_.cfg;
  net::ws_client_options options;
  options.tls = &svc_.tls;
  options.timeout = cfg.model_connect_timeout;
  options.limits.max_queued = cfg.max_send_queue;
  options.headers.emplace_back("Authorization", "Bearer " + cfg.openai_api_key);
  if (cfg.realtime_beta) options.headers.emplace_back("OpenAI-Beta", "realtime=v1");
  std::string url = cfg.openai_realtime_url;
  if (url.find("model=") == std::string::npos) {
    url += url.find('?') == std::string::npos ? "?model=" : "&model=";
    url += cfg.openai_model;
  }

  int failures = 0;
  asio::steady_timer backoff(ex_);
  for (;;) {
    auto connection = co_await net::ws_connect(ex_, url, options);
    if (const bool stop = co_await cancelled(); stop) co_return;
    if (!connection) {
      log::warn(info_.call_sid, "model connection failed: " + connection.error_message());
      if (++failures > cfg.model_reconnect_attempts) {
        log::error(info_.call_sid, "model unavailable; ending the call with an apology");
        give_up(call::end_reason::model_unavailable);
        co_return;
      }
      backoff.expires_after(milliseconds(250) * (1 << std::min(failures, 4)));
      co_await backoff.async_wait(nothrow);
      if (const bool stop = co_await cancelled(); stop) co_return;
      continue;
    }
    failures = 0;
    model_ = std::move(*connection);
    ++model_connects_;
    bridge_.on_model_connected(now());
    co_await (model_reader() || model_->run_writer());
    if (model_->overflowed()) log::warn(info_.call_sid, "the model is not reading (send queue full)");
    bridge_.on_model_lost(now());
    model_.reset();
    if (bridge_.ended() || end_reason_) co_return;
    if (model_connects_ > max_reconnects_per_call) {
      log::error(info_.call_sid, "model connection keeps dropping; ending the call with an apology");
      give_up(call::end_reason::model_unavailable);
      co_return;
    }
    log::warn(info_.call_sid, "model connection lost mid-call; reconnecting and restoring the conversation");
  }
}

awaitable<void> call_state::twilio_reader() {
  twilio_->start_reading([this](std::string_view message) { bridge_.on_twilio_message(message, now()); });
  co_await twilio_->run_reader();
  if (twilio_->overflowed()) log::warn(info_.call_sid, "Twilio is not reading the stream (send queue full); closing it");
  if (!end_reason_) end_reason_ = call::end_reason::stream_stopped;
}

awaitable<void> call_state::twilio_loop() {
  if (!twilio_) {
    stream_ready_.expires_after(stream_wait_limit);
    co_await stream_ready_.async_wait(nothrow);
    if (!twilio_) {
      const bool was_cancelled = co_await cancelled();
      if (!was_cancelled) {
        log::warn(info_.call_sid, "no media stream arrived within 30 s");
        if (!end_reason_) end_reason_ = call::end_reason::bridge_error;
      }
      co_return;
    }
  }
  for (const std::string& m : early_) bridge_.on_twilio_message(m, now());
  early_.clear();
  early_.shrink_to_fit();
  if (end_reason_ && twilio_) twilio_->close();  // the model gave up before the stream came
  co_await (twilio_reader() || twilio_->run_writer());
}

awaitable<void> call_state::ticker() {
  asio::steady_timer timer(ex_);
  for (;;) {
    timer.expires_after(tick_interval);
    co_await timer.async_wait(nothrow);
    if (const bool stop = co_await cancelled(); stop) co_return;
    bridge_.on_tick(now());
    write_recording(false);
    const auto t = clock::now();
    if (twilio_ && twilio_->write_stalled(t, svc_.cfg.send_timeout)) {
      log::warn(info_.call_sid, "Twilio socket stalled on a send; closing it");
      twilio_->abort();
    }
    if (model_ && model_->write_stalled(t, svc_.cfg.send_timeout)) {
      log::warn(info_.call_sid, "model socket stalled on a send; reconnecting");
      model_->abort();
    }
    if (end_requested_at_ && t - *end_requested_at_ > close_grace) co_return;  // Twilio never closed
  }
}

awaitable<void> call_state::finish() {
  if (twilio_) co_await twilio_->close_gracefully(milliseconds(1000));
  if (model_) co_await model_->close_gracefully(milliseconds(500));
  const call::end_reason why = end_reason_.value_or(call::end_reason::bridge_error);
  const auto seconds = std::chrono::duration_cast<milliseconds>(clock::now() - started_).count() / 1000.0;
  char summary[160];
  std::snprintf(summary, sizeof summary, "call ended: %s after %.1f s, first audio %lld ms, %d barge-ins, %d model connections",
                std::string(call::to_string(why)).c_str(), seconds, static_cast<long long>(first_audio_ms_),
                barge_ins_, model_connects_);
  log::info(info_.call_sid, summary);
  if (own_recording_) {
    write_recording(true);  // even when the call ended badly, what was heard is kept
    auto closed = own_recording_->close();
    if (closed) svc_.recs.store_own(ex_, info_.call_sid, own_recording_->path());
    else log::error(info_.call_sid, "own recording: " + closed.error_message());
    own_recording_.reset();
  }
  svc_.store.post(info_.call_sid, [sid = info_.call_sid, reason = std::string(call::to_string(why)), at = unix_ms(),
                                   first = first_audio_ms_](ports::store& s) { s.finish_call(sid, reason, at, first); });
  svc_.registry.remove(info_.call_sid, why);
  after_call(ex_, svc_.cfg, svc_.tls, svc_.store, info_.setup, info_.call_sid, svc_.background.begin());
}

awaitable<void> run_call(std::unique_ptr<call_state> state) {
  call_state& st = *state;
  co_await (st.model_loop() || st.twilio_loop() || st.ticker());
  st.handle->attach = nullptr;
  co_await st.finish();
}

}  // namespace

void start_call(call_services& services, asio::any_io_executor ex, call_info info, std::optional<twilio_stream> stream) {
  auto state = std::make_unique<call_state>(services, ex, std::move(info));
  auto handle = std::make_shared<call_handle>();
  handle->executor = ex;
  call_state* raw = state.get();
  handle->attach = [raw](twilio_stream s) { raw->attach(std::move(s)); };
  state->handle = handle;
  if (stream) state->attach(std::move(*stream));
  const std::string sid = state->info().call_sid;
  services.registry.add(sid, handle);
  ports::call_row row;
  row.call_sid = sid;
  row.account_sid = state->info().account_sid;
  row.from = state->info().from;
  row.to = state->info().to;
  row.direction = state->info().direction;
  row.started_at_ms = unix_ms();
  row.org_id = state->info().setup.org_id;
  row.assistant_id = state->info().setup.assistant_id;
  services.store.post(sid, [row = std::move(row)](ports::store& s) { s.upsert_call(row); });
  log::info(sid, "call started from " + state->info().from + " to " + state->info().to);
  auto ended = [&registry = services.registry, sid, handle](std::exception_ptr e) {
    handle->attach = nullptr;  // the state it points to is gone
    if (e) registry.remove(sid, call::end_reason::bridge_error);
  };
  asio::co_spawn(ex, run_call(std::move(state)), net::log_failure(sid, "call ended by an unexpected error", std::move(ended)));
}

}  // namespace vg::app
