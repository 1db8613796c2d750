// voxgate-loadgen: load generator for voxgate.
//
// One process plays both ends of the bridge under test:
//   * N simulated Twilio callers: the incoming-call webhook (HTTP POST, signed), then the Media
//     Streams WebSocket (client, masked frames) sending 20 ms mu-law frames and echoing marks;
//   * the fake OpenAI Realtime server (WebSocket server on 127.0.0.1:--model-port) that streams
//     20 ms audio deltas back once asked with response.create.
// Every audio frame carries a 16-byte header (sender id, sequence, CLOCK_MONOTONIC send time), so
// the receiving end of the same process measures one-way latency and loss in both directions.
//
// Everything runs in ONE single-threaded epoll loop with a timerfd tick: on a 2-core machine
// the loadgen shares the CPU with the server, so its own cost must be small and predictable.
// Buffers are per connection and grow only on rare large messages; messages are built from
// fixed templates with only numbers and the payload spliced in. What remains (~85% of its CPU) is
// kernel loopback TCP: about 5 socket operations per call every 20 ms. The report flags runs in
// which the loadgen could not keep its own schedule.
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -Werror bench/loadgen/*.cpp -lcrypto -o voxgate-loadgen
// Run:   voxgate-loadgen --server http://127.0.0.1:5050 --auth-token T --model-port 9100 --calls 100
//        voxgate-loadgen --self-test       (unit vectors + its own WebSocket client vs fake model)
//
// Files: loadgen.hpp (this: the state and the Loadgen class), event_loop.cpp (setup, epoll and
// connection plumbing), schedule.cpp (stages: ramp, window, drain; the timer), websocket.cpp
// (framing and handshakes, both roles), caller.cpp (the simulated Twilio caller), fake_model.cpp
// (the fake OpenAI Realtime server), report.cpp (results), self_test.cpp (--self-test), and the
// helpers: common.hpp, wire_formats, audio_frame, buffer.hpp, stats, options, main.cpp.
#pragma once
#include <netinet/in.h>
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audio_frame.hpp"
#include "buffer.hpp"
#include "common.hpp"
#include "options.hpp"
#include "stats.hpp"
#include "wire_formats.hpp"

namespace loadgen {

// ---- state -------------------------------------------------------------------------------------
enum class Kind : uint8_t { Free, Webhook, Caller, Model, SelfTest };
enum class Phase : uint8_t { Connecting, Handshake, Open };
enum class CallState : uint8_t { Pending, Webhook, WsConnect, Streaming, Stopping, Done, Failed };
enum Fail : uint8_t {
  kFailNone, kFailConnect, kFailWebhookStatus, kFailTwiml, kFailHandshake, kFailProtocol,
  kFailClosedEarly, kFailNoModel, kFailTimeout, kFailCount
};
inline const char* const kFailNames[kFailCount] = {"none", "connect", "webhook_status", "twiml", "ws_handshake",
                                                   "ws_protocol", "closed_early", "no_model_audio", "setup_timeout"};

struct Conn {
  int fd = -1;
  uint32_t gen = 0;
  Kind kind = Kind::Free;
  Phase phase = Phase::Connecting;
  bool out_armed = false;          // EPOLLOUT currently requested
  bool close_sent = false;         // we sent a WebSocket close frame
  bool close_when_flushed = false; // close the socket once the output buffer drains
  bool in_frag = false;            // inside a fragmented message
  uint32_t owner = kNone;          // call index (Webhook, Caller, SelfTest); first call seen (Model)
  Buf in, out, msg;                // msg reassembles fragmented messages
  char ws_key[25] = {};            // client role: Sec-WebSocket-Key we sent
  // fake-model state (Kind::Model)
  uint32_t model_id = 0, evt = 1, down_seq = 0;
  bool streaming = false;
  FrameStream up;
};

struct Mark {
  uint64_t due;
  uint32_t len;
  char name[kMarkName];
};

struct Call {
  CallState st = CallState::Pending;
  Fail fail = kFailNone;
  bool ws_up = false, model_seen = false, established = false, resolved = false, selftest = false;
  uint32_t conn = kNone;                  // current connection slot (webhook, then WebSocket)
  int webhook_status = 0;
  uint64_t t_start = 0, stream_start = 0;
  uint64_t msg_seq = 0, chunk = 0;        // Twilio sequenceNumber / media.chunk
  uint32_t up_last_seq = 0;               // fake model: last caller->model seq seen for this call
  uint32_t down_model = 0, down_last_seq = 0;
  uint64_t play_end = 0;                  // playback clock for marks
  uint32_t mark_head = 0, mark_count = 0;
  Mark marks[kMaxMarks];
  FrameStream down;
  char call_sid[35], stream_sid[35];
  std::string start_msg;                  // prebuilt "start" event (customParameters from TwiML)
  uint32_t st_pings = 0, st_pongs = 0, st_created = 0, st_updated = 0, st_resp_created = 0;
};

enum class Stage { Ramp, Setup, Settle, Window, Tail, Drain, Done };

inline volatile sig_atomic_t g_interrupted = 0;
inline void on_signal(int) { g_interrupted = 1; }

extern char g_tx[kMaxMsg + 4096];  // scratch for building one outgoing message
extern uint8_t g_dec[kMaxMsg];     // scratch for decoded audio

// XORs a WebSocket payload with its 4-byte masking key.
void xor_mask(uint8_t* p, size_t n, const uint8_t mask[4]);

// =================================================================================================
class Loadgen {
 public:
  explicit Loadgen(const Options& o) : o_(o) {}
  int run();

 private:
  // setup
  bool init();
  bool listen_model();
  // event loop plumbing
  void dispatch(uint64_t tag, uint32_t events);
  uint32_t add_conn(int fd, Kind kind, uint32_t owner, Phase phase);
  uint32_t open_client(const sockaddr_in& sa, Kind kind, uint32_t owner, std::string_view request);
  void close_fd(uint32_t slot);
  void drop_conn(uint32_t slot, Fail reason);
  bool flush(uint32_t slot);
  void set_out(uint32_t slot, bool want);
  void on_writable(uint32_t slot);
  void on_readable(uint32_t slot);
  void accept_all();
  bool alive(uint32_t slot, uint32_t gen) const { return conns_[slot].fd >= 0 && conns_[slot].gen == gen; }
  // WebSocket
  void process_input(uint32_t slot, bool eof);
  void client_handshake(uint32_t slot);
  void server_handshake(uint32_t slot);
  void process_frames(uint32_t slot);
  void handle_frame(uint32_t slot, bool fin, uint8_t op, uint8_t* p, size_t n);
  void on_message(uint32_t slot, const char* p, size_t n);
  bool ws_send(uint32_t slot, uint8_t op, const void* p, size_t n, bool fin = true);
  void ws_close(uint32_t slot, uint16_t code);
  void protocol_error(uint32_t slot, const char* what);
  // calls
  void start_call(uint32_t i, uint64_t now);
  void webhook_progress(uint32_t slot, bool eof);
  void webhook_done(uint32_t slot, int status, std::string_view body);
  void caller_open(uint32_t i);
  bool caller_send_media(uint32_t i, uint64_t sched);
  void caller_send_mark(uint32_t i, std::string_view name);
  void caller_on_message(uint32_t i, std::string_view m);
  void on_down_frame(uint32_t i, const uint8_t* h);
  void echo_due_marks(uint32_t i, uint64_t now);
  void send_due_frames(uint32_t i, uint64_t now);
  void fail_call(uint32_t i, Fail reason);
  void check_established(uint32_t i);
  void resolve(uint32_t i);
  void fail_detail(uint32_t i, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  // fake model
  void model_on_message(uint32_t slot, std::string_view m);
  void model_send_delta(uint32_t slot);
  void model_send_json(uint32_t slot, std::string_view json) { ws_send(slot, kOpText, json.data(), json.size()); }
  void on_up_frame(uint32_t slot, const uint8_t* h);
  // self-test client (plays voxgate towards the fake model)
  void st_on_message(uint32_t i, std::string_view m);
  bool st_send_append(uint32_t i, uint64_t sched);
  // schedule and results
  void tick(uint64_t now);
  void arm_timer(uint64_t at);
  void schedule(uint64_t at) { if (at < timer_at_) arm_timer(at); }  // a handler set an earlier deadline
  void advance(uint64_t now);
  void begin_window(uint64_t now);
  void end_window(uint64_t now);
  void stop_all();
  void finish();
  void count_sent(Dir& d, uint64_t t) { ++d.sent_total; if (in_window(t)) ++d.sent_win; }
  // A loadgen that cannot keep its own schedule measures itself, not the server: track it.
  void note_lag(uint64_t sched, uint64_t now) {
    if (!in_window(now) || now < sched) return;
    max_lag_ = std::max(max_lag_, now - sched);
    if (now - sched > 5 * kMs) ++late_sends_;
  }
  bool in_window(uint64_t t) const { return t >= win_start_ && t < win_end_; }
  void report();
  bool self_test_verdict();
  void log(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  Options o_;
  int ep_ = -1, tfd_ = -1, lfd_ = -1;
  bool listen_paused_ = false;
  sockaddr_in server_addr_{}, model_addr_{};
  Url server_url_;
  std::vector<Conn> conns_;
  std::vector<uint32_t> free_;
  uint32_t slots_hwm_ = 0;
  std::vector<Call> calls_;
  std::vector<uint64_t> next_send_;   // per call: next scheduled media frame (kNever = none)
  std::vector<uint64_t> mark_due_;    // per call: due time of the oldest pending mark
  std::vector<uint64_t> model_next_;  // per slot: next scheduled model audio delta
  std::vector<uint32_t> model_owner_; // per model id: call index seen in its audio
  Stage stage_ = Stage::Ramp;
  uint64_t timer_at_ = kNever;  // when the one-shot tick timer fires next
  uint64_t t0_ = 0, rx_now_ = 0, hard_deadline_ = 0, stage_end_ = 0, next_slow_tick_ = 0;
  uint64_t win_start_ = kNever, win_end_ = kNever, win_planned_end_ = 0;
  uint32_t started_ = 0, resolved_ = 0, established_ = 0, dropped_ = 0, fail_logged_ = 0;
  uint32_t open_conns_ = 0, open_models_ = 0, model_conns_total_ = 0;
  uint32_t models_open_at_exit_ = 0, callers_open_at_exit_ = 0;
  uint32_t fails_[kFailCount] = {}, drops_[kFailCount] = {};
  std::string account_sid_, run_hex_;
  Dir up_, down_;  // up = caller->model, down = model->caller
  uint64_t marks_rx_ = 0, marks_echoed_ = 0, marks_overflow_ = 0, clears_rx_ = 0, wrong_sid_ = 0;
  uint64_t other_events_ = 0, bad_json_ = 0, bad_b64_ = 0, mask_errors_ = 0, protocol_errors_ = 0;
  uint64_t up_crosstalk_ = 0, down_crosstalk_ = 0, slips_ = 0, model_no_auth_ = 0, model_bad_req_ = 0;
  uint64_t accept_overflow_ = 0, max_msg_rx_ = 0, model_session_updates_ = 0, model_response_creates_ = 0;
  uint64_t max_lag_ = 0, late_sends_ = 0;  // pacing: how late frames left vs their schedule (window only)
  bool aborted_ = false;
  int interrupts_ = 0;
  // measurement snapshots
  double lg_cpu0_ = 0, lg_cpu1_ = 0, srv_cpu0_ = -1, srv_cpu1_ = -1;
  long rss_idle_ = -1, rss_end_ = -1;
};

// Unit vectors (run by --self-test before the socket test).
bool unit_tests();

}  // namespace loadgen
