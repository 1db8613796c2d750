// The run's stages (ramp, setup, settle, window, tail, drain) and the one-shot timer that
// drives frame sending, mark echoes and the fake model's deltas.
#include "loadgen.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>

namespace loadgen {

// ---- schedule ------------------------------------------------------------------------------------
// The timer is one-shot, re-armed after each tick at the earliest pending deadline but never less
// than 1 ms ahead: a fixed 1 ms tick costs ~2.5% of a core in wakeups alone, and under load many
// due frames share one wakeup anyway. Pacing error stays below 1 ms either way.
void Loadgen::arm_timer(uint64_t at) {
  itimerspec its{};
  its.it_value.tv_sec = time_t(at / kSec);
  its.it_value.tv_nsec = long(at % kSec);
  timerfd_settime(tfd_, TFD_TIMER_ABSTIME, &its, nullptr);
  timer_at_ = at;
}

void Loadgen::tick(uint64_t now) {
  timer_at_ = kNever;  // fired
  advance(now);
  uint64_t next = kNever;  // earliest deadline seen below
  if (stage_ == Stage::Ramp) {
    // Calls start on an absolute ramp schedule: call k at t0 + k/ramp.
    while (started_ < calls_.size() && now >= t0_ + uint64_t(double(started_) * 1e9 / o_.ramp)) {
      uint32_t i = started_++;
      if (o_.self_test) {
        Call& c = calls_[i];
        c.selftest = true;
        c.t_start = now;
        c.st = CallState::WsConnect;
        std::string key = ws_client_key();
        std::string req = "GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
                          "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer sk-selftest\r\n\r\n";
        c.conn = open_client(model_addr_, Kind::SelfTest, i, req);
        if (c.conn == kNone) fail_call(i, kFailConnect);
        else memcpy(conns_[c.conn].ws_key, key.data(), 24);
      } else {
        start_call(i, now);
      }
    }
    if (started_ < calls_.size()) next = std::min(next, t0_ + uint64_t(double(started_) * 1e9 / o_.ramp));
  }
  for (uint32_t i = 0; i < calls_.size(); ++i) {
    if (next_send_[i] <= now) send_due_frames(i, now);
    if (mark_due_[i] <= now) {
      echo_due_marks(i, now);
      if (calls_[i].conn != kNone) flush(calls_[i].conn);
    }
    next = std::min({next, next_send_[i], mark_due_[i]});
  }
  for (uint32_t s = 0; s < slots_hwm_; ++s) {
    if (model_next_[s] > now) continue;
    Conn& c = conns_[s];
    uint32_t gen = c.gen;
    for (int burst = 0; model_next_[s] <= now && alive(s, gen); ++burst) {
      if (burst == 25) { model_next_[s] = now + kFrameNs; ++slips_; break; }
      uint64_t sched = model_next_[s];
      note_lag(sched, now);
      model_send_delta(s);
      if (alive(s, gen)) model_next_[s] = sched + kFrameNs;
    }
    next = std::min(next, model_next_[s]);
  }
  if (now >= next_slow_tick_) {  // 10 Hz housekeeping: setup timeouts, paused listener
    next_slow_tick_ = now + 100 * kMs;
    uint64_t limit = uint64_t(o_.setup_timeout * 1e9);
    for (uint32_t i = 0; i < calls_.size(); ++i) {
      Call& c = calls_[i];
      bool setting_up = c.st == CallState::Webhook || c.st == CallState::WsConnect ||
                        (c.st == CallState::Streaming && !c.established);
      if (setting_up && now - c.t_start > limit) {
        Fail why = c.st == CallState::Streaming ? kFailNoModel : kFailTimeout;
        fail_detail(i, "setup timed out (%s)", c.st == CallState::Streaming
                                                   ? "WebSocket up but the fake model never saw this call's audio"
                                                   : "webhook/WebSocket did not complete");
        fail_call(i, why);
      }
    }
    if (listen_paused_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = 0xFFFFFFFEull;
      epoll_ctl(ep_, EPOLL_CTL_MOD, lfd_, &ev);
      listen_paused_ = false;
    }
  }
  next = std::min(next, next_slow_tick_);
  if (stage_ == Stage::Window) next = std::min(next, win_planned_end_);
  if (stage_ == Stage::Settle || stage_ == Stage::Tail || stage_ == Stage::Drain) next = std::min(next, stage_end_);
  arm_timer(std::max(next, now + kMs));
}

void Loadgen::advance(uint64_t now) {
  // First Ctrl-C: end the window early (results stay valid) or abort the setup, then hang up as
  // usual. A second one quits at once.
  if (g_interrupted) {
    g_interrupted = 0;
    log("interrupted");
    if (interrupts_++ > 0 || stage_ >= Stage::Tail) {
      aborted_ = true;
      return finish();
    }
    if (stage_ == Stage::Window) {
      end_window(now);
    } else {
      aborted_ = true;
      stop_all();
      stage_ = Stage::Drain;
      stage_end_ = now + 3 * kSec;
    }
  }
  if (now >= hard_deadline_ && stage_ != Stage::Done) {
    log("hard deadline reached");
    aborted_ = true;
    if (stage_ == Stage::Window) end_window(now);
    finish();
    return;
  }
  switch (stage_) {
    case Stage::Ramp:
      if (started_ == calls_.size()) stage_ = Stage::Setup;
      break;
    case Stage::Setup:
      if (resolved_ == calls_.size()) {
        log("setup done: %u established, %u failed; settling %.1f s", established_, resolved_ - established_,
            o_.settle);
        stage_ = Stage::Settle;
        stage_end_ = now + uint64_t(o_.settle * 1e9);
      }
      break;
    case Stage::Settle:
      if (now >= stage_end_) begin_window(now);
      break;
    case Stage::Window:
      if (now >= win_planned_end_) end_window(now);
      break;
    case Stage::Tail:
      if (now >= stage_end_) {
        stop_all();
        stage_ = Stage::Drain;
        stage_end_ = now + 3 * kSec;
      }
      break;
    case Stage::Drain:
      if (open_conns_ == 0 || now >= stage_end_) finish();
      break;
    case Stage::Done:
      break;
  }
}

void Loadgen::begin_window(uint64_t now) {
  lg_cpu0_ = self_cpu_ms();
  if (o_.server_pid > 0) srv_cpu0_ = proc_cpu_ms(o_.server_pid);
  win_start_ = now;
  win_planned_end_ = now + uint64_t(o_.duration * 1e9);
  stage_ = Stage::Window;
  log("measurement window started (%.1f s, %u calls)", o_.duration, established_);
}

void Loadgen::end_window(uint64_t now) {
  win_end_ = now;
  lg_cpu1_ = self_cpu_ms();
  if (o_.server_pid > 0) {
    srv_cpu1_ = proc_cpu_ms(o_.server_pid);
    rss_end_ = proc_rss_kib(o_.server_pid);
  }
  // Keep streaming 1 s more so frames sent at the end of the window can arrive before hang-up.
  stage_ = Stage::Tail;
  stage_end_ = now + kSec;
  log("measurement window ended");
}

// Hang up every call: Twilio sends "stop" and then closes the stream.
void Loadgen::stop_all() {
  for (uint32_t i = 0; i < calls_.size(); ++i) {
    Call& c = calls_[i];
    next_send_[i] = kNever;
    mark_due_[i] = kNever;
    if (c.st == CallState::Streaming && c.conn != kNone && conns_[c.conn].phase == Phase::Open) {
      if (!c.selftest) {
        char* p = g_tx;
        p = put(p, R"({"event":"stop","sequenceNumber":")");
        p = put_u64(p, ++c.msg_seq);
        p = put(p, R"(","stop":{"accountSid":")");
        p = put_sv(p, account_sid_);
        p = put(p, R"(","callSid":")");
        p = put_sv(p, std::string_view(c.call_sid, 34));
        p = put(p, R"("},"streamSid":")");
        p = put_sv(p, std::string_view(c.stream_sid, 34));
        p = put(p, R"("})");
        ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx));
      }
      c.st = CallState::Stopping;
      ws_close(c.conn, 1000);
      flush(c.conn);
    } else if (c.st == CallState::Pending || c.st == CallState::Webhook || c.st == CallState::WsConnect ||
               c.st == CallState::Streaming) {
      fail_call(i, kFailTimeout);  // only when interrupted before setup finished
    }
  }
}

void Loadgen::finish() {
  models_open_at_exit_ = open_models_;
  for (uint32_t s = 0; s < slots_hwm_; ++s)
    if (conns_[s].fd >= 0 && conns_[s].kind != Kind::Model) ++callers_open_at_exit_;
  for (uint32_t i = 0; i < calls_.size(); ++i)
    if (calls_[i].st == CallState::Stopping) { calls_[i].st = CallState::Done; }
  for (uint32_t s = 0; s < slots_hwm_; ++s) close_fd(s);
  stage_ = Stage::Done;
}

}  // namespace loadgen
