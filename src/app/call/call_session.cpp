#include "app/call/call_session.hpp"

#include <cmath>

#include "app/call/after_call.hpp"
#include "app/recordings/recording_file.hpp"
#include "core/audio/dtmf.hpp"
#include "core/billing/cost.hpp"
#include "core/twilio/twiml.hpp"

#include <boost/json/serialize.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::app {
namespace {

using namespace asio::experimental::awaitable_operators;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// Whether the surrounding `||` group is cancelling this coroutine.
awaitable<bool> cancelled() {
  const auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}



constexpr auto stream_wait_limit = std::chrono::seconds(30);
constexpr auto tick_interval = milliseconds(500);
constexpr auto close_grace = milliseconds(3000);
constexpr int max_reconnects_per_call = 5;

call::micros seconds_to_micros(double seconds) {
  return call::micros{static_cast<std::int64_t>(std::llround(seconds * 1e6))};
}

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
  // The assistant's own limits (settings.max_call_seconds, idle_timeout_s) win over the server's.
  if (const agent::assistant* a = info.setup.assistant) {
    if (a->settings.max_call_seconds) s.max_duration = seconds_to_micros(*a->settings.max_call_seconds);
    if (a->settings.idle_timeout_s) s.idle_timeout = seconds_to_micros(*a->settings.idle_timeout_s);
  }
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
        stream_ready_(ex, asio::steady_timer::time_point::max()), started_(svc.clock.now()) {
    bridge_.set_call_sid(info_.call_sid);
  }

  // bridge_output -----------------------------------------------------------------------------
  void send_twilio(std::string_view json) override {
    if (twilio_) twilio_->send_text(json);
  }
  void send_model(std::string_view json) override {
    if (model_) model_->send(json);
  }
  void record(const call::note& n) override;
  void end_call(call::end_reason why) override {
    if (!end_reason_) end_reason_ = why;
    end_requested_at_ = svc_.clock.now();
    if (twilio_) twilio_->close();
  }
  void call_tool(std::string_view call_id, std::string_view name, std::string_view arguments) override;
  void after_reply(const call::follow_up& action) override { carry_out(action, true, {}); }
  void heard(bool caller, std::string_view mulaw, call::micros now) override;
  ~call_state() override { *self_ = nullptr; }

  // The inbox: every command from outside the call lands here, on the call's thread.
  void on_command(call_command command, call_inbox::done_fn done);
  void publish(call_event e) {
    e.call_sid = info_.call_sid;
    e.call = &info_;
    if (e.at_ms == 0) e.at_ms = svc_.clock.unix_ms();
    svc_.events.publish(e);
  }
  void publish_action(std::string_view name, std::string_view detail, std::int64_t value = 0) {
    call_event e{call_event_type::action};
    e.name = name;
    e.detail = detail;
    e.value = value;
    publish(e);
  }

  // Loops ---------------------------------------------------------------------------------------
  awaitable<void> model_loop();
  awaitable<void> twilio_loop();
  awaitable<void> ticker();
  awaitable<void> finish();

  const call_info& info() const { return info_; }
  // The call's time, for the bridge: the clock port's, so tests can drive it.
  call::micros now() const { return std::chrono::duration_cast<call::micros>(svc_.clock.now().time_since_epoch()); }
  std::shared_ptr<call_inbox> inbox;

 private:
  // A follow-up, from a tool after its spoken reply (by_tool) or from a command (done).
  void carry_out(const call::follow_up& action, bool by_tool, call_inbox::done_fn done);
  void update_twilio(ports::call_update update, std::string done_name, std::string failed_name, std::string detail,
                     bool by_tool, call_inbox::done_fn done);
  awaitable<void> twilio_reader();
  awaitable<void> stream_arrival();
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
  std::unique_ptr<ports::model_session> model_;
  std::vector<std::string> early_;
  asio::steady_timer stream_ready_;  // a signal: cancelled when the stream is attached
  std::optional<call::end_reason> end_reason_;
  std::optional<ports::clock::time_point> end_requested_at_;
  ports::clock::time_point started_;
  std::int64_t first_audio_ms_ = -1;
  int barge_ins_ = 0;
  int model_connects_ = 0;
  // Tool results and hand-offs finish after a suspension: they reach the call through this
  // pointer, which is null once the call is gone.
  std::shared_ptr<call_state*> self_ = std::make_shared<call_state*>(this);
  billing::token_usage usage_;  // summed over the model's responses
  std::vector<std::shared_ptr<audio_listener>> listeners_;  // listen-in (attach_listener)
  std::optional<ports::clock::time_point> taken_over_at_;

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
  const bool outbound = info_.outbound();
  tool_context ctx{info_.call_sid, outbound ? info_.to : info_.from, outbound ? info_.from : info_.to,
                   info_.setup.snap, info_.setup.org, info_.setup.assistant};
  log::info(info_.call_sid, "tool " + std::string(name) + " called with " + std::string(arguments));
  asio::co_spawn(ex_, svc_.tools.run(std::move(ctx), std::string(call_id), std::string(name), std::string(arguments)),
                 net::log_failure(info_.call_sid, "tool " + std::string(name) + " failed",
                                  [self = self_, id = std::string(call_id)](std::exception_ptr e, tool_outcome out) {
                   call_state* st = *self;
                   if (st == nullptr) return;  // the call ended meanwhile
                   if (e) out = {R"({"error":"The action failed unexpectedly. Apologise and offer to take a message."})", "error",
                                 std::nullopt};
                   st->bridge_.on_tool_result(id, out.output, std::move(out.then), st->now());
                 }));
}

// Every follow-up is carried out here, whoever asked (docs/architecture.md#after-the-reply).
// Transfers, conferences and hang-ups go through Twilio's REST API (Twilio then runs the new
// TwiML and stops the stream); without it, a hang-up closes the stream (Twilio then asks the
// <Connect action> URL, which hangs up). Digits are played in-band into the stream.
void call_state::carry_out(const call::follow_up& action, bool by_tool, call_inbox::done_fn done) {
  struct visitor {
    call_state& st;
    bool by_tool;
    call_inbox::done_fn& done;
    void operator()(const call::transfer_to& t) {
      ports::call_update update{twiml::document({twiml::dial(t.number)}), false};
      st.update_twilio(std::move(update), "transferred", "transfer_failed", t.number, by_tool, std::move(done));
    }
    void operator()(const call::join_conference& c) {
      ports::call_update update{twiml::document({twiml::dial_conference(c.room)}), false};
      st.update_twilio(std::move(update), "joined_conference", "conference_failed", c.room, by_tool, std::move(done));
    }
    void operator()(const call::hang_up&) {
      st.update_twilio(ports::call_update{{}, true}, "hung_up", "hangup_failed", {}, by_tool, std::move(done));
    }
    void operator()(const call::send_digits& d) {
      auto tones = audio::dtmf_audio(d.digits);
      if (!tones) {
        if (done) done({"digits: " + tones.error_message(), "invalid"});
        return;
      }
      st.bridge_.play_audio(*tones, st.now());
      st.publish_action("digits_sent", d.digits);
      if (done) done({});
    }
  };
  std::visit(visitor{*this, by_tool, done}, action);
}

void call_state::update_twilio(ports::call_update update, std::string done_name, std::string failed_name,
                               std::string detail, bool by_tool, call_inbox::done_fn done) {
  const bool hang_up = update.hang_up;
  auto* phone = svc_.tools.telephony();
  if (phone == nullptr) {
    if (hang_up) {
      end_call(call::end_reason::stream_stopped);
      publish_action(done_name, detail);
      if (done) done({});
      return;
    }
    if (by_tool) bridge_.ask_model("The transfer is not possible right now. Apologise and offer to take a message.", now());
    if (done) done({"Twilio credentials are not configured", "unavailable"});
    return;
  }
  log::info(info_.call_sid, hang_up ? std::string("hanging up") : done_name + " " + detail + ": asking Twilio");
  const std::string what = failed_name;
  asio::co_spawn(ex_, update_call(phone, info_.call_sid, std::move(update)),
                 net::log_failure(info_.call_sid, what,
                 [self = self_, hang_up, by_tool, done_name = std::move(done_name), failed_name = std::move(failed_name),
                  detail = std::move(detail), done = std::move(done)](std::exception_ptr e, std::string why) {
                   if (e) why = "unexpected error";
                   call_state* st = *self;
                   if (st == nullptr) {  // the call ended meanwhile (Twilio stopped the stream)
                     if (done) done(why.empty() ? command_result{} : command_result{why, "failed"});
                     return;
                   }
                   if (why.empty()) {
                     st->publish_action(done_name, detail);
                     if (done) done({});
                     return;
                   }
                   st->publish_action(failed_name, why);
                   if (hang_up) st->end_call(call::end_reason::stream_stopped);
                   else if (by_tool) st->bridge_.ask_model("The transfer did not go through. Apologise briefly and offer to take a message.", st->now());
                   if (done) done({why, "failed"});
                 }));
}

void call_state::on_command(call_command command, call_inbox::done_fn done) {
  struct visitor {
    call_state& st;
    call_inbox::done_fn& done;
    void ok() {
      if (done) done({});
    }
    void operator()(call::transfer_to& f) { st.carry_out(std::move(f), false, std::move(done)); }
    void operator()(call::hang_up& f) { st.carry_out(f, false, std::move(done)); }
    void operator()(call::send_digits& f) { st.carry_out(std::move(f), false, std::move(done)); }
    void operator()(call::join_conference& f) { st.carry_out(std::move(f), false, std::move(done)); }
    void operator()(command::take_over& c) {
      if (st.taken_over_at_) {
        if (done) done({"the call is already taken over", "refused"});
        return;
      }
      st.taken_over_at_ = st.svc_.clock.now();
      st.bridge_.take_over(st.now());
      st.publish_action("taken_over", c.who);
      ok();
    }
    void operator()(command::hand_back& c) {
      if (!st.taken_over_at_) {
        if (done) done({"the call is not taken over", "refused"});
        return;
      }
      const auto held = std::chrono::duration_cast<milliseconds>(st.svc_.clock.now() - *st.taken_over_at_).count();
      st.taken_over_at_.reset();
      st.bridge_.hand_back(st.now());
      st.publish_action("handed_back", c.who, held);
      ok();
    }
    void operator()(command::inject_message& c) {
      st.bridge_.inject(c.text, c.respond, st.now());
      ok();
    }
    void operator()(command::attach_listener& c) {
      st.listeners_.push_back(std::move(c.listener));
      st.bridge_.set_audio_tap(true);
      ok();
    }
    void operator()(command::attach_stream& c) {
      if (st.twilio_ || st.bridge_.ended()) {  // a second stream for one call is refused
        if (done) done({"the call already has its stream", "refused"});
        return;
      }
      st.twilio_ = std::move(c.stream.connection);
      st.early_ = std::move(c.stream.early_messages);
      st.stream_ready_.cancel();
      ok();
    }
  };
  std::visit(visitor{*this, done}, command);
}

void call_state::heard(bool caller, std::string_view mulaw, call::micros at) {
  std::erase_if(listeners_, [](const auto& l) { return l->closed(); });
  if (listeners_.empty()) {
    bridge_.set_audio_tap(false);
    return;
  }
  for (const auto& l : listeners_) l->push(caller, mulaw, at.count());
}

void call_state::record(const call::note& n) {
  using k = call::note_kind;
  if (n.kind == k::usage) {
    auto u = billing::parse_realtime_usage(n.text);
    if (!u) return;
    usage_.add(*u);
    const std::string total = boost::json::serialize(billing::to_json(usage_));
    call_event e{call_event_type::usage};
    e.name = svc_.cfg.openai_model;
    e.detail = total;
    publish(e);
    return;
  }
  call_event e{call_event_type::note};
  e.note = n;
  publish(e);
  if (n.kind == k::first_audio) first_audio_ms_ = n.value;
  if (n.kind == k::barge_in) ++barge_ins_;
  if (n.kind == k::stream_started && recordings::wanted(info_.setup.assistant, "twilio")) {
    svc_.recs.start_twilio_recording(ex_, info_.call_sid);
  }
  if (n.kind == k::stream_started && recordings::wanted(info_.setup.assistant, "own")) {
    auto file = recording_file::create(svc_.cfg.recording_spool, info_.call_sid);
    if (file) own_recording_ = std::move(*file);
    else log::error(info_.call_sid, "own recording not started: " + file.error_message());
  }
}

awaitable<void> call_state::model_loop() {
  const config& cfg = svc_.cfg;
  int failures = 0;
  for (;;) {
    auto connection = co_await svc_.model.open();
    if (const bool stop = co_await cancelled(); stop) co_return;
    if (!connection) {
      log::warn(info_.call_sid, "model connection failed: " + connection.error_message());
      if (++failures > cfg.model_reconnect_attempts) {
        log::error(info_.call_sid, "model unavailable; ending the call with an apology");
        give_up(call::end_reason::model_unavailable);
        co_return;
      }
      co_await svc_.clock.sleep_for(milliseconds(250) * (1 << std::min(failures, 4)));
      if (const bool stop = co_await cancelled(); stop) co_return;
      continue;
    }
    failures = 0;
    model_ = std::move(*connection);
    ++model_connects_;
    bridge_.on_model_connected(now());
    // Started outside the co_await: no temporaries in a co_await expression (docs/decisions/0002).
    auto reading = model_->run([this](std::string_view message) { bridge_.on_model_message(message, now()); });
    co_await std::move(reading);
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

awaitable<void> call_state::stream_arrival() {
  co_await stream_ready_.async_wait(nothrow);
}

awaitable<void> call_state::twilio_loop() {
  if (!twilio_) {
    co_await (stream_arrival() || svc_.clock.sleep_for(stream_wait_limit));
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
  for (;;) {
    co_await svc_.clock.sleep_for(tick_interval);
    if (const bool stop = co_await cancelled(); stop) co_return;
    bridge_.on_tick(now());
    write_recording(false);
    const auto t = steady::now();  // socket health is about the network: real time
    if (twilio_ && twilio_->write_stalled(t, svc_.cfg.send_timeout)) {
      log::warn(info_.call_sid, "Twilio socket stalled on a send; closing it");
      twilio_->abort();
    }
    if (model_ && model_->send_stalled(t, svc_.cfg.send_timeout)) {
      log::warn(info_.call_sid, "model socket stalled on a send; reconnecting");
      model_->abort();
    }
    if (end_requested_at_ && svc_.clock.now() - *end_requested_at_ > close_grace) co_return;  // Twilio never closed
  }
}

awaitable<void> call_state::finish() {
  if (twilio_) co_await twilio_->close_gracefully(milliseconds(1000));
  if (model_) co_await model_->close(milliseconds(500));
  const call::end_reason why = end_reason_.value_or(call::end_reason::bridge_error);
  const auto seconds = std::chrono::duration_cast<milliseconds>(svc_.clock.now() - started_).count() / 1000.0;
  char summary[160];
  std::snprintf(summary, sizeof summary, "call ended: %s after %.1f s, first audio %lld ms, %d barge-ins, %d model connections",
                std::string(call::to_string(why)).c_str(), seconds, static_cast<long long>(first_audio_ms_),
                barge_ins_, model_connects_);
  if (own_recording_) {
    write_recording(true);  // even when the call ended badly, what was heard is kept
    auto closed = own_recording_->close();
    if (closed) svc_.recs.store_own(ex_, info_.call_sid, own_recording_->path());
    else log::error(info_.call_sid, "own recording: " + closed.error_message());
    own_recording_.reset();
  }
  for (const auto& l : listeners_) l->close();
  call_event ended{call_event_type::ended};
  ended.name = call::to_string(why);
  ended.value = first_audio_ms_;
  ended.detail = summary;
  publish(ended);
  svc_.registry.remove(info_.call_sid, why);
  after_call(ex_, svc_.cfg, svc_.tls, svc_.chat, svc_.store, info_.setup, info_.call_sid, svc_.background.begin());
}

awaitable<void> run_call(std::unique_ptr<call_state> state) {
  call_state& st = *state;
  co_await (st.model_loop() || st.twilio_loop() || st.ticker());
  st.inbox->close();
  co_await st.finish();
}

}  // namespace

void start_call(call_services& services, asio::any_io_executor ex, call_info info, std::optional<twilio_stream> stream) {
  auto state = std::make_unique<call_state>(services, ex, std::move(info));
  auto inbox = std::make_shared<call_inbox>(ex);
  call_state* raw = state.get();
  inbox->open([raw](call_command c, call_inbox::done_fn done) { raw->on_command(std::move(c), std::move(done)); });
  state->inbox = inbox;
  if (stream) raw->on_command(command::attach_stream{std::move(*stream)}, {});
  const std::string sid = state->info().call_sid;
  services.registry.add(sid, inbox);
  state->publish(call_event{call_event_type::started});
  auto ended = [&registry = services.registry, sid, inbox](std::exception_ptr e) {
    inbox->close();  // the state its handler points to is gone
    if (e) registry.remove(sid, call::end_reason::bridge_error);
  };
  asio::co_spawn(ex, run_call(std::move(state)), net::log_failure(sid, "call ended by an unexpected error", std::move(ended)));
}

}  // namespace vg::app
