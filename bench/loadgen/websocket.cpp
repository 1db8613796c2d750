// WebSocket (RFC 6455) for both roles: the client handshake (simulated callers, self-test) and
// the server handshake (fake model), framing, masking, fragments and control frames.
#include "loadgen.hpp"

#include <cstdio>

namespace loadgen {

void xor_mask(uint8_t* p, size_t n, const uint8_t mask[4]) {
  uint64_t m8;
  uint8_t mm[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  memcpy(&m8, mm, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    memcpy(&v, p + i, 8);
    v ^= m8;
    memcpy(p + i, &v, 8);
  }
  for (; i < n; ++i) p[i] ^= mask[i & 3];
}

// ---- WebSocket -----------------------------------------------------------------------------------
void Loadgen::protocol_error(uint32_t slot, const char* what) {
  ++protocol_errors_;
  Conn& c = conns_[slot];
  if (c.owner < calls_.size() && c.kind != Kind::Model) fail_detail(c.owner, "protocol error: %s", what);
  else if (protocol_errors_ <= 5) log("model connection: protocol error: %s", what);
  drop_conn(slot, kFailProtocol);
}

void Loadgen::process_input(uint32_t slot, bool eof) {
  Conn& c = conns_[slot];
  if (c.phase == Phase::Open) return process_frames(slot);
  switch (c.kind) {
    case Kind::Webhook: return webhook_progress(slot, eof);
    case Kind::Model: return server_handshake(slot);
    default: return client_handshake(slot);
  }
}

// Client side of the upgrade: expect 101 and the right Sec-WebSocket-Accept.
void Loadgen::client_handshake(uint32_t slot) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (data.size() > kMaxHttpHead) protocol_error(slot, "handshake response too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2);
  int status = http_status(head);
  uint32_t i = c.owner;
  if (status != 101) {
    fail_detail(i, "WebSocket upgrade got HTTP %d: %.*s", status, int(std::min<size_t>(he, 200)), data.data());
    drop_conn(slot, kFailHandshake);
    return;
  }
  if (http_header(head, "sec-websocket-accept") != ws_accept_key(c.ws_key)) {
    fail_detail(i, "bad Sec-WebSocket-Accept");
    drop_conn(slot, kFailHandshake);
    return;
  }
  c.in.consume(he + 4);
  c.phase = Phase::Open;
  uint32_t gen = c.gen;
  if (c.kind == Kind::Caller) caller_open(i);
  else { calls_[i].ws_up = true; calls_[i].st = CallState::Streaming; calls_[i].stream_start = rx_now_; }
  if (alive(slot, gen) && c.in.size()) process_frames(slot);  // frames that came with the 101
}

// Server side (fake OpenAI): accept GET /v1/realtime[?...] with any query string.
void Loadgen::server_handshake(uint32_t slot) {
  Conn& c = conns_[slot];
  std::string_view data(c.in.begin(), c.in.size());
  size_t he = data.find("\r\n\r\n");
  if (he == std::string_view::npos) {
    if (data.size() > kMaxHttpHead) protocol_error(slot, "handshake request too large");
    return;
  }
  std::string_view head = data.substr(0, he + 2);
  std::string_view key = http_header(head, "sec-websocket-key");
  bool path_ok = head.substr(0, 17) == "GET /v1/realtime " || head.substr(0, 17) == "GET /v1/realtime?" ||
                 head.substr(0, 17) == "GET /v1/realtime/";
  if (!path_ok || key.empty()) {
    ++model_bad_req_;
    if (model_bad_req_ <= 3) log("fake model: rejected request: %.*s", int(std::min<size_t>(he, 120)), data.data());
    static const char kResp[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    c.out.reserve(sizeof kResp, kMaxOut);
    c.out.append(kResp, sizeof kResp - 1);
    c.close_when_flushed = true;
    c.in.reset();
    return;
  }
  if (http_header(head, "authorization").substr(0, 7) != "Bearer ") ++model_no_auth_;
  std::string resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " + ws_accept_key(key) + "\r\n\r\n";
  c.out.reserve(resp.size(), kMaxOut);
  c.out.append(resp.data(), resp.size());
  c.in.consume(he + 4);
  c.phase = Phase::Open;
  model_send_json(slot, R"({"type":"session.created","event_id":"evt_1","session":{"type":"realtime","id":"sess_1"}})");
  if (c.in.size()) process_frames(slot);
}

void Loadgen::process_frames(uint32_t slot) {
  Conn& c = conns_[slot];
  uint32_t gen = c.gen;
  bool server_role = c.kind == Kind::Model;
  while (!c.close_when_flushed) {
    uint8_t* p = reinterpret_cast<uint8_t*>(c.in.begin());
    size_t avail = c.in.size();
    if (avail < 2) break;
    bool fin = p[0] & 0x80;
    uint8_t op = p[0] & 0x0F;
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7F;
    size_t hl = 2;
    if (p[0] & 0x70) return protocol_error(slot, "RSV bits set (no extension negotiated)");
    if (len == 126) {
      if (avail < 4) break;
      len = uint64_t(p[2]) << 8 | p[3];
      hl = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int k = 0; k < 8; ++k) len = len << 8 | p[2 + k];
      hl = 10;
    }
    uint8_t mask[4] = {0, 0, 0, 0};
    if (masked) {
      if (avail < hl + 4) break;
      memcpy(mask, p + hl, 4);
      hl += 4;
    }
    if (masked != server_role) ++mask_errors_;  // clients must mask, servers must not; stay lenient
    if (len > kMaxMsg) return protocol_error(slot, "frame too large");
    if (avail < hl + len) {
      if (!c.in.reserve(hl + len - avail, kMaxIn)) protocol_error(slot, "frame exceeds buffer");
      break;
    }
    uint8_t* payload = p + hl;
    if (masked) xor_mask(payload, len, mask);
    c.in.consume(hl + len);  // payload stays valid until the next recv into this buffer
    handle_frame(slot, fin, op, payload, len);
    if (!alive(slot, gen)) return;
  }
  if (c.close_when_flushed) c.in.reset();  // ignore anything after a close
}

void Loadgen::handle_frame(uint32_t slot, bool fin, uint8_t op, uint8_t* p, size_t n) {
  Conn& c = conns_[slot];
  if (op >= 0x8) {  // control frames may arrive between fragments of a message
    if (!fin || n > 125) return protocol_error(slot, "bad control frame");
    if (op == kOpClose) {
      if (!c.close_sent) {
        ws_send(slot, kOpClose, p, n >= 2 ? 2 : 0);  // echo the status code
        c.close_sent = true;
      }
      c.close_when_flushed = true;
    } else if (op == kOpPing) {
      ws_send(slot, kOpPong, p, n);
    } else if (op == kOpPong) {
      if (c.owner < calls_.size() && c.kind == Kind::SelfTest) ++calls_[c.owner].st_pongs;
    } else {
      protocol_error(slot, "unknown control opcode");
    }
    return;
  }
  if (op == kOpCont) {
    if (!c.in_frag) return protocol_error(slot, "continuation without start");
    if (!c.msg.reserve(n, kMaxMsg)) return protocol_error(slot, "message too large");
    c.msg.append(p, n);
    if (fin) {
      c.in_frag = false;
      uint32_t gen = c.gen;
      on_message(slot, c.msg.begin(), c.msg.size());
      if (alive(slot, gen)) c.msg.reset();
    }
    return;
  }
  if (op != kOpText && op != kOpBin) return protocol_error(slot, "unknown data opcode");
  if (c.in_frag) return protocol_error(slot, "new message inside fragmented message");
  if (fin) return on_message(slot, reinterpret_cast<char*>(p), n);
  c.in_frag = true;
  c.msg.reset();
  if (!c.msg.reserve(n, kMaxMsg)) return protocol_error(slot, "message too large");
  c.msg.append(p, n);
}

void Loadgen::on_message(uint32_t slot, const char* p, size_t n) {
  max_msg_rx_ = std::max<uint64_t>(max_msg_rx_, n);
  Conn& c = conns_[slot];
  std::string_view m(p, n);
  switch (c.kind) {
    case Kind::Caller: return caller_on_message(c.owner, m);
    case Kind::Model: return model_on_message(slot, m);
    case Kind::SelfTest: return st_on_message(c.owner, m);
    default: return;
  }
}

// Queues one frame (client frames masked with a fresh key, server frames unmasked).
bool Loadgen::ws_send(uint32_t slot, uint8_t op, const void* data, size_t n, bool fin) {
  Conn& c = conns_[slot];
  bool client = c.kind != Kind::Model;
  size_t hl = 2 + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + (client ? 4 : 0);
  if (!c.out.reserve(hl + n, kMaxOut)) {  // peer stopped reading
    protocol_error(slot, "output buffer overflow (peer not reading)");
    return false;
  }
  uint8_t* h = reinterpret_cast<uint8_t*>(c.out.d + c.out.len);
  h[0] = uint8_t((fin ? 0x80 : 0) | op);
  size_t k = 2;
  if (n < 126) {
    h[1] = uint8_t(n);
  } else if (n <= 0xFFFF) {
    h[1] = 126; h[2] = uint8_t(n >> 8); h[3] = uint8_t(n);
    k = 4;
  } else {
    h[1] = 127;
    for (int b = 0; b < 8; ++b) h[2 + b] = uint8_t(uint64_t(n) >> (56 - 8 * b));
    k = 10;
  }
  uint8_t* body = h + hl;
  if (n) memcpy(body, data, n);
  if (client) {
    h[1] |= 0x80;
    uint32_t key = uint32_t(rnd());
    memcpy(h + k, &key, 4);
    xor_mask(body, n, h + k);
  }
  c.out.len += hl + n;
  return true;
}

void Loadgen::ws_close(uint32_t slot, uint16_t code) {
  Conn& c = conns_[slot];
  if (c.close_sent || c.phase != Phase::Open) return;
  uint8_t b[2] = {uint8_t(code >> 8), uint8_t(code)};
  ws_send(slot, kOpClose, b, 2);
  c.close_sent = true;
}

}  // namespace loadgen
