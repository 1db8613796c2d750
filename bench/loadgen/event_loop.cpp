// The epoll loop: setup (sockets, timer, fake model listener), connection slots, non-blocking
// reads and writes, and run().
#include "loadgen.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>

namespace loadgen {

char g_tx[kMaxMsg + 4096];        // scratch for building one outgoing message
uint8_t g_dec[kMaxMsg];           // scratch for decoded audio

void Loadgen::log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[loadgen %7.3fs] ", double(now_ns() - t0_) / 1e9);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

// ---- setup -------------------------------------------------------------------------------------
bool Loadgen::init() {
  t0_ = now_ns();
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = t0_;
  g_rng ^= seed | 1;

  // Hundreds of calls need ~3 descriptors each.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  if (!o_.self_test) {
    if (!parse_url(o_.server, server_url_) || server_url_.scheme != "http" ||
        !loopback_addr(server_url_.host, server_url_.port, server_addr_)) {
      fprintf(stderr, "--server must be http://<loopback IPv4 or localhost>:port (got %s)\n", o_.server.c_str());
      return false;
    }
    if (o_.auth_token.empty()) log("warning: --auth-token is empty; signatures will not validate");
  }
  char hex[33];
  snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)rnd(), (unsigned long long)rnd());
  account_sid_ = std::string("AC") + hex;
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)rnd());
  run_hex_ = hex;

  ep_ = epoll_create1(EPOLL_CLOEXEC);
  tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep_ < 0 || tfd_ < 0) { perror("epoll/timerfd"); return false; }
  arm_timer(t0_ + kMs);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0xFFFFFFFFull;  // timer tag
  epoll_ctl(ep_, EPOLL_CTL_ADD, tfd_, &ev);
  if (!listen_model()) return false;

  uint32_t n = o_.calls;
  calls_.resize(n);
  next_send_.assign(n, kNever);
  mark_due_.assign(n, kNever);
  size_t slots = size_t(n) * 3 + 256;
  conns_.resize(slots);
  model_next_.assign(slots, kNever);
  free_.reserve(slots);
  for (size_t s = slots; s-- > 0;) free_.push_back(uint32_t(s));
  model_owner_.reserve(size_t(n) * 2 + 16);
  model_owner_.push_back(kNone);  // model ids start at 1

  if (o_.server_pid > 0) {
    rss_idle_ = proc_rss_kib(o_.server_pid);
    if (rss_idle_ < 0) log("warning: cannot read /proc/%d/status", o_.server_pid);
  }
  double ramp_s = double(n) / o_.ramp;
  hard_deadline_ = t0_ + uint64_t((ramp_s + o_.setup_timeout + o_.settle + o_.duration + 1 + 3 + 15) * 1e9);
  return true;
}

bool Loadgen::listen_model() {
  lfd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  loopback_addr("127.0.0.1", uint16_t(o_.model_port), model_addr_);
  if (bind(lfd_, reinterpret_cast<sockaddr*>(&model_addr_), sizeof model_addr_) < 0 || listen(lfd_, 4096) < 0) {
    fprintf(stderr, "cannot listen on 127.0.0.1:%d: %s\n", o_.model_port, strerror(errno));
    return false;
  }
  socklen_t sl = sizeof model_addr_;
  getsockname(lfd_, reinterpret_cast<sockaddr*>(&model_addr_), &sl);  // port 0 -> actual port
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0xFFFFFFFEull;  // listener tag
  epoll_ctl(ep_, EPOLL_CTL_ADD, lfd_, &ev);
  return true;
}

// ---- connection plumbing -------------------------------------------------------------------------
uint32_t Loadgen::add_conn(int fd, Kind kind, uint32_t owner, Phase phase) {
  if (free_.empty()) return kNone;
  uint32_t slot = free_.back();
  free_.pop_back();
  slots_hwm_ = std::max(slots_hwm_, slot + 1);
  Conn& c = conns_[slot];
  c.fd = fd;
  c.kind = kind;
  c.phase = phase;
  c.owner = owner;
  c.out_armed = phase == Phase::Connecting;
  c.close_sent = c.close_when_flushed = c.in_frag = c.streaming = false;
  c.in.reset(); c.out.reset(); c.msg.reset();
  c.in.reserve(4096, kMaxIn);
  c.out.reserve(4096, kMaxOut);
  c.model_id = 0; c.evt = 1; c.down_seq = 0;
  c.up = FrameStream{};
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // frames are tiny; latency matters
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (c.out_armed ? EPOLLOUT : 0u);
  ev.data.u64 = uint64_t(c.gen) << 32 | slot;
  epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  ++open_conns_;
  return slot;
}

uint32_t Loadgen::open_client(const sockaddr_in& sa, Kind kind, uint32_t owner, std::string_view request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return kNone;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0 && errno != EINPROGRESS) {
    close(fd);
    return kNone;
  }
  uint32_t slot = add_conn(fd, kind, owner, Phase::Connecting);
  if (slot == kNone) { close(fd); return kNone; }
  // The request is queued now and written once the connect completes (EPOLLOUT).
  Conn& c = conns_[slot];
  c.out.reserve(request.size(), kMaxOut);
  c.out.append(request.data(), request.size());
  return slot;
}

void Loadgen::close_fd(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.fd < 0) return;
  close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  ++c.gen;      // events already fetched for this slot are ignored
  if (c.kind == Kind::Model) {
    --open_models_;
    model_next_[slot] = kNever;
  }
  c.kind = Kind::Free;
  --open_conns_;
  free_.push_back(slot);
}

// Closes a connection and tells its call why (unless the call has already moved on).
void Loadgen::drop_conn(uint32_t slot, Fail reason) {
  Conn& c = conns_[slot];
  if (c.fd < 0) return;
  Kind k = c.kind;
  uint32_t owner = c.owner;
  close_fd(slot);
  if (k != Kind::Model && owner < calls_.size() && calls_[owner].conn == slot) {
    calls_[owner].conn = kNone;
    fail_call(owner, reason);
  }
}

void Loadgen::set_out(uint32_t slot, bool want) {
  Conn& c = conns_[slot];
  if (want == c.out_armed) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u);
  ev.data.u64 = uint64_t(c.gen) << 32 | slot;
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  c.out_armed = want;
}

// Writes as much as the socket takes; the rest waits for EPOLLOUT. False if the conn was closed.
bool Loadgen::flush(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.fd < 0 || c.phase == Phase::Connecting) return c.fd >= 0;
  while (c.out.size()) {
    ssize_t n = send(c.fd, c.out.begin(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) { c.out.consume(size_t(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    drop_conn(slot, kFailClosedEarly);
    return false;
  }
  if (c.out.size() == 0 && c.close_when_flushed) {
    drop_conn(slot, kFailClosedEarly);
    return false;
  }
  set_out(slot, c.out.size() > 0);
  return true;
}

void Loadgen::dispatch(uint64_t tag, uint32_t events) {
  uint32_t slot = uint32_t(tag);
  if (slot == 0xFFFFFFFFu) {
    uint64_t expirations;
    if (read(tfd_, &expirations, sizeof expirations) < 0) { /* spurious wakeup */ }
    tick(now_ns());
    return;
  }
  if (slot == 0xFFFFFFFEu) { accept_all(); return; }
  uint32_t gen = uint32_t(tag >> 32);
  if (slot >= conns_.size() || !alive(slot, gen)) return;  // closed earlier in this batch
  if (events & EPOLLOUT) on_writable(slot);
  if (alive(slot, gen) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))) on_readable(slot);
}

void Loadgen::on_writable(uint32_t slot) {
  Conn& c = conns_[slot];
  if (c.phase == Phase::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      if (c.owner < calls_.size()) fail_detail(c.owner, "connect failed: %s", strerror(err));
      drop_conn(slot, kFailConnect);
      return;
    }
    c.phase = Phase::Handshake;  // HTTP request / WebSocket upgrade is already queued
  }
  flush(slot);
}

void Loadgen::on_readable(uint32_t slot) {
  Conn& c = conns_[slot];
  uint32_t gen = c.gen;
  if (c.phase == Phase::Connecting) {  // error/hangup before connect completed
    on_writable(slot);
    if (!alive(slot, gen)) return;
  }
  for (int round = 0; round < 8; ++round) {
    if (!c.in.reserve(2048, kMaxIn)) { protocol_error(slot, "input buffer overflow"); return; }
    size_t room = c.in.cap - c.in.len;
    ssize_t n = recv(c.fd, c.in.d + c.in.len, room, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {  // EOF or reset: let a webhook finish a close-delimited body, else it is a hangup
      if (c.kind == Kind::Webhook && n == 0) webhook_progress(slot, true);
      if (alive(slot, gen)) drop_conn(slot, kFailClosedEarly);
      return;
    }
    c.in.len += size_t(n);
    rx_now_ = now_ns();
    process_input(slot, false);
    if (!alive(slot, gen)) return;
    if (size_t(n) < room) break;  // drained the socket (level-triggered epoll re-reports the rest)
  }
  flush(slot);  // replies (pong, mark echoes, session.updated, ...) go out in one write
}

void Loadgen::accept_all() {
  for (int k = 0; k < 64; ++k) {
    int fd = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {  // pause instead of spinning on a ready listener
        epoll_event ev{};
        ev.data.u64 = 0xFFFFFFFEull;
        epoll_ctl(ep_, EPOLL_CTL_MOD, lfd_, &ev);
        listen_paused_ = true;
        ++accept_overflow_;
      }
      return;
    }
    uint32_t slot = add_conn(fd, Kind::Model, kNone, Phase::Handshake);
    if (slot == kNone) { close(fd); ++accept_overflow_; continue; }
    Conn& c = conns_[slot];
    c.model_id = uint32_t(model_owner_.size());
    model_owner_.push_back(kNone);
    ++open_models_;
    ++model_conns_total_;
  }
}

int Loadgen::run() {
  if (!init()) return 2;
  if (o_.self_test) log("self-test: fake model on 127.0.0.1:%u", ntohs(model_addr_.sin_port));
  else log("%u calls at %.0f/s against %s, fake model on 127.0.0.1:%u", o_.calls, o_.ramp, o_.server.c_str(),
           ntohs(model_addr_.sin_port));
  epoll_event evs[256];
  while (stage_ != Stage::Done) {
    int n = epoll_wait(ep_, evs, 256, 100);
    if (n < 0) {
      if (errno == EINTR) { advance(now_ns()); continue; }
      perror("epoll_wait");
      return 2;
    }
    for (int k = 0; k < n && stage_ != Stage::Done; ++k) dispatch(evs[k].data.u64, evs[k].events);
  }
  report();
  if (o_.self_test) return self_test_verdict() ? 0 : 1;
  return established_ > 0 && !aborted_ ? 0 : 1;
}

}  // namespace loadgen
