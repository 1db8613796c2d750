// --self-test: the client that plays voxgate's side towards the fake model, its verdict, and
// the unit vectors.
#include "loadgen.hpp"

#include <cstdio>

namespace loadgen {

// ---- self-test client: plays voxgate's side towards the fake model -------------------------------
void Loadgen::st_on_message(uint32_t i, std::string_view m) {
  Call& c = calls_[i];
  std::string_view type;
  if (!json_get(m, "type", type)) { ++bad_json_; return; }
  if (type == "session.created") {
    ++c.st_created;
    // Keys deliberately out of order (nested "type" first) to exercise the JSON walker.
    static const char kUpdate[] =
        R"({"session":{"type":"realtime","instructions":"self test","audio":{"input":{"format":{"type":"audio/pcmu"}},)"
        R"("output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}},"type":"session.update"})";
    ws_send(c.conn, kOpText, kUpdate, sizeof kUpdate - 1);
  } else if (type == "session.updated") {
    ++c.st_updated;
    static const char kCreate[] = R"({"type":"response.create"})";
    ws_send(c.conn, kOpText, kCreate, sizeof kCreate - 1);
    if (next_send_[i] == kNever) schedule(next_send_[i] = rx_now_ + kFrameNs);
    c.model_seen = false;  // set again by the fake model on the first append
  } else if (type == "response.created") {
    ++c.st_resp_created;
  } else if (type == "response.output_audio.delta") {
    std::string_view delta;
    if (!json_get(m, "delta", delta)) { ++bad_json_; return; }
    long n = b64_decode_json(delta, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    c.down.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_down_frame(i, h); });
  } else {
    ++other_events_;
  }
}

// Appends; every 5th is fragmented (text + 2 continuations) with a ping in the middle, and one
// early message is a 100 KB item (64-bit length form, buffer growth on the server side).
bool Loadgen::st_send_append(uint32_t i, uint64_t) {
  Call& c = calls_[i];
  uint32_t slot = c.conn;
  uint32_t seq = uint32_t(++c.chunk);
  char* p = g_tx;
  p = put(p, R"({"type":"input_audio_buffer.append","audio":")");
  uint64_t t = now_ns();
  p = put_payload(p, i, seq, t);
  p = put(p, R"("})");
  size_t n = size_t(p - g_tx);
  if (seq % 5 == 0) {
    ws_send(slot, kOpText, g_tx, 100, false);
    ws_send(slot, kOpPing, "st", 2);
    ++c.st_pings;
    ws_send(slot, kOpCont, g_tx + 100, 100, false);
    ws_send(slot, kOpCont, g_tx + 200, n - 200, true);
  } else {
    ws_send(slot, kOpText, g_tx, n);
  }
  count_sent(up_, t);
  if (seq == 10) {
    std::string big = R"({"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":")" +
                      std::string(100000, 'x') + R"("}]}})";
    ws_send(slot, kOpText, big.data(), big.size());
  }
  return flush(slot);
}

bool Loadgen::self_test_verdict() {
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    printf("  [%s] %s\n", cond ? " ok " : "FAIL", what);
    ok &= cond;
  };
  printf("\nself-test (WebSocket client <-> fake model):\n");
  uint32_t pings = 0, pongs = 0, created = 0, updated = 0, resp = 0, done = 0;
  for (auto& c : calls_) {
    pings += c.st_pings; pongs += c.st_pongs; created += c.st_created; updated += c.st_updated;
    resp += c.st_resp_created; done += c.st == CallState::Done;
  }
  uint32_t n = o_.calls;
  check(established_ == n, "all clients established (101 + audio seen by the fake model)");
  check(created == n && updated == n && resp == n, "session.created / session.updated / response.created");
  check(up_.sent_win > 0 && up_.recv_win == up_.sent_win && up_.bad == 0 && up_.ooo == 0,
        "client->model appends: all frames received in order (incl. fragmented + 64-bit length frames)");
  check(down_.sent_win > 0 && down_.recv_win == down_.sent_win && down_.bad == 0 && down_.ooo == 0,
        "model->client deltas: all frames received in order");
  check(pings > 0 && pongs == pings, "pings between fragments answered with pongs");
  check(max_msg_rx_ >= 100000, "100 KB message reassembled by the fake model");
  check(done == n && models_open_at_exit_ == 0 && callers_open_at_exit_ == 0, "close handshake completed both ways");
  check(protocol_errors_ == 0 && mask_errors_ == 0 && bad_json_ == 0 && bad_b64_ == 0, "no protocol/mask/JSON errors");
  check(up_crosstalk_ == 0 && down_crosstalk_ == 0, "no cross-talk between connections");
  printf("self-test %s\n", ok ? "PASSED" : "FAILED");
  return ok;
}

// ---- unit vectors (run by --self-test before the socket test) ------------------------------------
bool unit_tests() {
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    printf("  [%s] %s\n", cond ? " ok " : "FAIL", what);
    ok &= cond;
  };
  printf("unit vectors:\n");
  Params p = {{"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
              {"From", "+14158675309"}, {"To", "+18005551212"}};
  check(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", p) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "X-Twilio-Signature basic vector (docs/protocols/twilio-webhooks.md#signature)");
  check(twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", p) == "kvajT1Ptam85bY51eRf/AJRuM3w=",
        "X-Twilio-Signature :443 vector");
  Params rep = {{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}, {"Digits", "1234"}};
  check(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", rep) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        "X-Twilio-Signature repeated-keys vector");
  check(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "Sec-WebSocket-Accept (RFC 6455)");

  bool b64ok = true;
  uint8_t raw[64], dec[64];
  char enc[96];
  for (size_t n = 0; n < sizeof raw; ++n) {
    for (size_t k = 0; k < n; ++k) raw[k] = uint8_t(rnd());
    size_t e = b64_encode(raw, n, enc);
    b64ok &= b64_decode_plain(enc, e, dec) == long(n) && memcmp(raw, dec, n) == 0;
  }
  b64ok &= b64_decode_json("\\/w==", dec) == 1 && dec[0] == 0xFF;  // "\/" escaped slash
  b64ok &= b64_decode_plain("a$==", 4, dec) < 0;
  check(b64ok, "base64 round trip, escaped '/', invalid input rejected");

  char pay[kFrameB64];
  put_payload(pay, 7, 42, 0x0102030405060708ull);
  uint8_t fr[kFrameBytes];
  bool pl = b64_decode_plain(pay, kFrameB64, fr) == long(kFrameBytes) && ld32(fr) == 7 && ld32(fr + 4) == 42 &&
            ld64(fr + 8) == 0x0102030405060708ull && fr[16] == 0xFF && fr[159] == 0xFF;
  check(pl, "frame payload template: 216 chars -> 160 bytes with header and 0xFF filler");

  FrameStream fs;
  uint32_t seen = 0;
  uint8_t two[2 * kFrameBytes];
  memset(two, 0xFF, sizeof two);
  st32(two + 4, 1);
  st32(two + kFrameBytes + 4, 2);
  for (size_t off = 0; off < sizeof two; off += 7)  // odd re-chunking
    fs.feed(two + off, std::min<size_t>(7, sizeof two - off), [&](const uint8_t* h) { seen = seen * 10 + ld32(h + 4); });
  check(seen == 12, "frame headers found across arbitrary re-chunking");

  std::string_view v;
  bool js = json_get(R"({"session":{"type":"realtime","x":[1,{"type":"y"}]},"type" : "session.update"})", "type", v) &&
            v == "session.update";
  js &= json_get(R"({"event":"mark","mark":{"name":"a\"b"},"streamSid":"MZ1"})", "mark", v) &&
        json_get(v, "name", v) && v == R"(a\"b)";
  js &= !json_get(R"({"a":1})", "b", v);
  check(js, "JSON top-level lookup ignores nested keys, keeps escapes");

  TwiML tw;
  bool tx = parse_twiml(R"(<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="http://x/twilio/stream-ended">)"
                        R"(<Stream url="ws://127.0.0.1:5050/twilio/stream"><Parameter name="callSid" value="CA1"/>)"
                        R"(<Parameter name="token" value="abc&amp;1&lt;2&quot;"/></Stream></Connect></Response>)",
                        tw);
  tx &= tw.stream_url == "ws://127.0.0.1:5050/twilio/stream" && tw.params.size() == 2 &&
        tw.params[1].first == "token" && tw.params[1].second == "abc&1<2\"";
  check(tx, "TwiML <Stream url> and <Parameter> parsing with XML entities");

  Url u;
  check(parse_url("ws://127.0.0.1:5050/twilio/stream", u) && u.port == 5050 && u.path == "/twilio/stream" &&
            u.authority == "127.0.0.1:5050",
        "URL parsing");
  return ok;
}

}  // namespace loadgen
