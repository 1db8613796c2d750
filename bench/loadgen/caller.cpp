// The simulated Twilio caller: the signed incoming-call webhook, the TwiML answer, then the
// Media Streams WebSocket sending 20 ms frames on an absolute schedule and echoing marks.
#include "loadgen.hpp"

#include <cstdarg>
#include <cstdio>

namespace loadgen {

// Failure details are printed for the first few calls only, so a broken server cannot flood stderr.
void Loadgen::fail_detail(uint32_t i, const char* fmt, ...) {
  if (fail_logged_ >= 10) return;
  ++fail_logged_;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log("call %u: %s", i, buf);
}

// ---- simulated caller ----------------------------------------------------------------------------
void Loadgen::start_call(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  c.t_start = now;
  c.st = CallState::Webhook;
  snprintf(c.call_sid, sizeof c.call_sid, "CA%s%016x", run_hex_.c_str(), i);
  snprintf(c.stream_sid, sizeof c.stream_sid, "MZ%s%016x", run_hex_.c_str(), i);
  char from[16];
  snprintf(from, sizeof from, "+1555%07u", i % 10000000u);
  Params params = {{"AccountSid", account_sid_}, {"ApiVersion", "2010-04-01"}, {"CallSid", c.call_sid},
                   {"CallStatus", "ringing"},    {"Direction", "inbound"},     {"From", from},
                   {"To", "+15550009999"}};
  std::string body;
  for (auto& [k, v] : params) {
    if (!body.empty()) body += '&';
    body += k + "=" + url_encode(v);
  }
  std::string sig = twilio_signature(o_.auth_token, o_.public_url + "/twilio/voice", params);
  std::string req = "POST /twilio/voice HTTP/1.1\r\nHost: " + server_url_.authority +
                    "\r\nUser-Agent: TwilioProxy/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "X-Twilio-Signature: " + sig + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  c.conn = open_client(server_addr_, Kind::Webhook, i, req);
  if (c.conn == kNone) {
    fail_detail(i, "webhook connect: %s", strerror(errno));
    fail_call(i, kFailConnect);
  }
}

// Collects the webhook response: Content-Length, chunked, or delimited by connection close.
void Loadgen::webhook_progress(uint32_t slot, bool eof) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (eof) { fail_detail(c.owner, "webhook: connection closed before response head"); drop_conn(slot, kFailClosedEarly); }
    else if (data.size() > kMaxHttpHead) protocol_error(slot, "webhook response head too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2), body = data.substr(he + 4);
  int status = http_status(head);
  std::string dechunked;
  std::string_view te = http_header(head, "transfer-encoding"), cl = http_header(head, "content-length");
  if (te.find("chunked") != std::string_view::npos) {
    if (!dechunk(body, dechunked)) {
      if (eof) { fail_detail(c.owner, "webhook: truncated chunked body"); drop_conn(slot, kFailClosedEarly); }
      return;
    }
    body = dechunked;
  } else if (!cl.empty()) {
    size_t n = strtoul(std::string(cl).c_str(), nullptr, 10);
    if (body.size() < n) {
      if (eof) { fail_detail(c.owner, "webhook: truncated body"); drop_conn(slot, kFailClosedEarly); }
      return;
    }
    body = body.substr(0, n);
  } else if (!eof) {
    return;  // body runs until the server closes
  }
  webhook_done(slot, status, body);
}

void Loadgen::webhook_done(uint32_t slot, int status, std::string_view body) {
  uint32_t i = conns_[slot].owner;
  Call& c = calls_[i];
  c.webhook_status = status;
  TwiML tw;
  bool ok = status == 200 && parse_twiml(body, tw);  // parse before the slot (and its buffer) is reused
  c.conn = kNone;
  if (status != 200) {
    fail_detail(i, "webhook HTTP %d: %.*s", status, int(std::min<size_t>(body.size(), 200)), body.data());
    close_fd(slot);
    return fail_call(i, kFailWebhookStatus);
  }
  if (!ok) {
    fail_detail(i, "no <Stream url> in TwiML: %.*s", int(std::min<size_t>(body.size(), 300)), body.data());
    close_fd(slot);
    return fail_call(i, kFailTwiml);
  }
  close_fd(slot);

  Url u;
  if (!parse_url(tw.stream_url, u)) {
    fail_detail(i, "bad stream url '%s'", tw.stream_url.c_str());
    return fail_call(i, kFailTwiml);
  }
  // Connect to the stream URL if it is loopback, else (a public wss:// PUBLIC_URL) to --server:
  // the loadgen never leaves the machine and never speaks TLS.
  sockaddr_in target;
  if (u.scheme != "ws" || !loopback_addr(u.host, u.port, target)) target = server_addr_;

  std::string cp;
  for (auto& [k, v] : tw.params) {
    if (!cp.empty()) cp += ',';
    cp += "\"" + json_escape(k) + "\":\"" + json_escape(v) + "\"";
  }
  c.start_msg = std::string(R"({"event":"start","sequenceNumber":"1","start":{"accountSid":")") + account_sid_ +
                R"(","streamSid":")" + c.stream_sid + R"(","callSid":")" + c.call_sid +
                R"(","tracks":["inbound"],"customParameters":{)" + cp +
                R"(},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":")" +
                c.stream_sid + R"("})";

  std::string key = ws_client_key();
  // Twilio signs the stream URL exactly as written in <Stream url>, with no params.
  std::string req = "GET " + u.path + " HTTP/1.1\r\nHost: " + u.authority +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
                    "\r\nSec-WebSocket-Version: 13\r\nX-Twilio-Signature: " +
                    hmac_sha1_b64(o_.auth_token, tw.stream_url) + "\r\nUser-Agent: Twilio.TmeWs/1.0\r\n\r\n";
  c.st = CallState::WsConnect;
  c.conn = open_client(target, Kind::Caller, i, req);
  if (c.conn == kNone) {
    fail_detail(i, "stream connect: %s", strerror(errno));
    return fail_call(i, kFailConnect);
  }
  memcpy(conns_[c.conn].ws_key, key.data(), 24);
}

// WebSocket is up: send connected + start, then media on an absolute 20 ms schedule.
void Loadgen::caller_open(uint32_t i) {
  Call& c = calls_[i];
  uint32_t slot = c.conn;
  c.ws_up = true;
  c.st = CallState::Streaming;
  static const char kConnected[] = R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
  ws_send(slot, kOpText, kConnected, sizeof kConnected - 1);
  ws_send(slot, kOpText, c.start_msg.data(), c.start_msg.size());
  c.msg_seq = 1;
  c.stream_start = rx_now_;
  c.play_end = rx_now_;
  next_send_[i] = rx_now_ + kFrameNs;
  schedule(next_send_[i]);
  check_established(i);
}

bool Loadgen::caller_send_media(uint32_t i, uint64_t sched) {
  Call& c = calls_[i];
  char* p = g_tx;
  p = put(p, R"({"event":"media","sequenceNumber":")");
  p = put_u64(p, ++c.msg_seq);
  p = put(p, R"(","media":{"track":"inbound","chunk":")");
  p = put_u64(p, ++c.chunk);
  p = put(p, R"(","timestamp":")");
  p = put_u64(p, (sched - c.stream_start) / kMs);
  p = put(p, R"(","payload":")");
  uint64_t t = now_ns();
  p = put_payload(p, i, uint32_t(c.chunk), t);
  p = put(p, R"("},"streamSid":")");
  p = put_sv(p, std::string_view(c.stream_sid, 34));
  p = put(p, R"("})");
  if (!ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx))) return false;
  count_sent(up_, t);
  return flush(c.conn);  // written now, so the stamped time is the real send time
}

void Loadgen::caller_send_mark(uint32_t i, std::string_view name) {
  Call& c = calls_[i];
  char* p = g_tx;
  p = put(p, R"({"event":"mark","sequenceNumber":")");
  p = put_u64(p, ++c.msg_seq);
  p = put(p, R"(","streamSid":")");
  p = put_sv(p, std::string_view(c.stream_sid, 34));
  p = put(p, R"(","mark":{"name":")");
  p = put_sv(p, name);
  p = put(p, R"("}})");
  ws_send(c.conn, kOpText, g_tx, size_t(p - g_tx));
  ++marks_echoed_;
}

void Loadgen::caller_on_message(uint32_t i, std::string_view m) {
  Call& c = calls_[i];
  std::string_view ev, sid;
  if (!json_get(m, "event", ev)) { ++bad_json_; return; }
  if (json_get(m, "streamSid", sid) && sid != std::string_view(c.stream_sid, 34)) ++wrong_sid_;
  if (ev == "media") {
    std::string_view media, payload;
    if (!json_get(m, "media", media) || !json_get(media, "payload", payload)) { ++bad_json_; return; }
    long n = b64_decode_json(payload, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    // Playback clock: audio queues behind what is still playing.
    c.play_end = std::max(c.play_end, rx_now_) + uint64_t(n) * kNsPerAudioByte;
    c.down.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_down_frame(i, h); });
  } else if (ev == "mark") {
    std::string_view mark, name;
    if (!json_get(m, "mark", mark) || !json_get(mark, "name", name)) { ++bad_json_; return; }
    ++marks_rx_;
    if (name.size() > kMarkName) name = name.substr(0, kMarkName);  // never expected; keeps memory bounded
    uint64_t due = std::max(c.play_end, rx_now_);
    if (due <= rx_now_ && c.mark_count == 0) return caller_send_mark(i, name);  // nothing playing
    if (c.mark_count == kMaxMarks) {  // ring full: release the oldest early
      ++marks_overflow_;
      Mark& old = c.marks[c.mark_head];
      caller_send_mark(i, std::string_view(old.name, old.len));
      c.mark_head = (c.mark_head + 1) % kMaxMarks;
      --c.mark_count;
    }
    Mark& mk = c.marks[(c.mark_head + c.mark_count) % kMaxMarks];
    mk.due = due;
    mk.len = uint32_t(name.size());
    memcpy(mk.name, name.data(), name.size());
    if (c.mark_count++ == 0) {
      mark_due_[i] = due;
      schedule(due);
    }
  } else if (ev == "clear") {
    // Twilio drops buffered audio and echoes every outstanding mark at once.
    ++clears_rx_;
    c.play_end = rx_now_;
    echo_due_marks(i, kNever);
  } else {
    ++other_events_;
  }
}

void Loadgen::echo_due_marks(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  while (c.mark_count && c.marks[c.mark_head].due <= now) {
    Mark& mk = c.marks[c.mark_head];
    caller_send_mark(i, std::string_view(mk.name, mk.len));
    c.mark_head = (c.mark_head + 1) % kMaxMarks;
    --c.mark_count;
  }
  mark_due_[i] = c.mark_count ? c.marks[c.mark_head].due : kNever;
}

void Loadgen::on_down_frame(uint32_t i, const uint8_t* h) {
  uint32_t model = ld32(h), seq = ld32(h + 4);
  uint64_t t = ld64(h + 8);
  if (t < t0_ || t > rx_now_ || model == 0 || model >= model_owner_.size()) { ++down_.bad; return; }
  Call& c = calls_[i];
  if (model_owner_[model] != kNone && model_owner_[model] != i) ++down_crosstalk_;  // audio of another call
  if (model == c.down_model && seq <= c.down_last_seq) ++down_.ooo;
  else { c.down_model = model; c.down_last_seq = seq; }
  ++down_.recv_total;
  if (in_window(t)) {
    ++down_.recv_win;
    down_.lat.add(rx_now_ - t);
  }
}

// Sends every frame that is due by the absolute schedule (start + k*20 ms), catching up after a
// stall; a very long stall re-anchors the schedule instead of bursting.
void Loadgen::send_due_frames(uint32_t i, uint64_t now) {
  Call& c = calls_[i];
  for (int burst = 0; next_send_[i] <= now; ++burst) {
    if (burst == 25) { next_send_[i] = now + kFrameNs; ++slips_; return; }
    uint64_t sched = next_send_[i];
    note_lag(sched, now);
    bool ok = c.selftest ? st_send_append(i, sched) : caller_send_media(i, sched);
    if (!ok || c.st != CallState::Streaming) return;
    next_send_[i] = sched + kFrameNs;
  }
}

void Loadgen::resolve(uint32_t i) {
  if (!calls_[i].resolved) { calls_[i].resolved = true; ++resolved_; }
}

void Loadgen::check_established(uint32_t i) {
  Call& c = calls_[i];
  if (!c.established && c.ws_up && c.model_seen && c.st == CallState::Streaming) {
    c.established = true;
    ++established_;
    resolve(i);
  }
}

// A call lost its connection or gave up. During setup that is a failure; after establishment a
// drop; after we sent stop, the normal end.
void Loadgen::fail_call(uint32_t i, Fail reason) {
  Call& c = calls_[i];
  next_send_[i] = kNever;
  mark_due_[i] = kNever;
  if (c.conn != kNone) {
    uint32_t s = c.conn;
    c.conn = kNone;
    close_fd(s);
  }
  if (c.st == CallState::Done || c.st == CallState::Failed) return;
  if (c.st == CallState::Stopping) { c.st = CallState::Done; return; }
  if (c.established) {
    ++dropped_;
    ++drops_[reason];
    fail_detail(i, "established call dropped (%s)", kFailNames[reason]);
    c.st = CallState::Done;
    return;
  }
  c.st = CallState::Failed;
  c.fail = reason;
  ++fails_[reason];
  resolve(i);
}

}  // namespace loadgen
