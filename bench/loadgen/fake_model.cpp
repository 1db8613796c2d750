// The fake OpenAI Realtime server: accepts session.update and response.create, measures the
// caller's audio it receives, and streams 20 ms audio deltas back once asked.
#include "loadgen.hpp"

#include <cstdio>

namespace loadgen {

// ---- fake OpenAI Realtime server -----------------------------------------------------------------
void Loadgen::model_on_message(uint32_t slot, std::string_view m) {
  Conn& c = conns_[slot];
  std::string_view type;
  if (!json_get(m, "type", type)) { ++bad_json_; return; }
  if (type == "input_audio_buffer.append") {
    std::string_view audio;
    if (!json_get(m, "audio", audio)) { ++bad_json_; return; }
    long n = b64_decode_json(audio, g_dec);
    if (n < 0) { ++bad_b64_; return; }
    c.up.feed(g_dec, size_t(n), [&](const uint8_t* h) { on_up_frame(slot, h); });
  } else if (type == "session.update") {
    ++model_session_updates_;
    char* p = g_tx;
    p = put(p, R"({"type":"session.updated","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","session":{"type":"realtime","object":"realtime.session","id":"sess_1","model":"gpt-realtime",)"
               R"("output_modalities":["audio"],"audio":{"input":{"format":{"type":"audio/pcmu"}},)"
               R"("output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
  } else if (type == "response.create") {
    ++model_response_creates_;
    if (c.streaming) return;  // one endless response per connection
    char* p = g_tx;
    p = put(p, R"({"type":"response.created","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","response":{"id":"resp_1","object":"realtime.response","status":"in_progress","output":[]}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
    c.streaming = true;
    model_next_[slot] = rx_now_;  // first delta on the next tick
    schedule(rx_now_);
  } else if (type == "response.cancel") {
    if (!c.streaming) return;
    c.streaming = false;
    model_next_[slot] = kNever;
    char* p = g_tx;
    p = put(p, R"({"type":"response.done","event_id":"evt_)");
    p = put_u64(p, ++c.evt);
    p = put(p, R"(","response":{"id":"resp_1","object":"realtime.response","status":"cancelled",)"
               R"("status_details":{"type":"cancelled","reason":"client_cancelled"},"output":[]}})");
    model_send_json(slot, std::string_view(g_tx, size_t(p - g_tx)));
  } else {
    ++other_events_;  // conversation.item.*, input_audio_buffer.commit/clear, ...: ignored
  }
}

void Loadgen::on_up_frame(uint32_t slot, const uint8_t* h) {
  uint32_t idx = ld32(h), seq = ld32(h + 4);
  uint64_t t = ld64(h + 8);
  if (idx >= calls_.size() || t < t0_ || t > rx_now_) { ++up_.bad; return; }
  Conn& mc = conns_[slot];
  uint32_t& owner = model_owner_[mc.model_id];
  if (owner == kNone) owner = idx;
  else if (owner != idx) ++up_crosstalk_;  // two calls' audio on one model session
  Call& c = calls_[idx];
  if (!c.model_seen) {
    c.model_seen = true;
    check_established(idx);
  }
  if (seq <= c.up_last_seq) ++up_.ooo;
  else c.up_last_seq = seq;
  ++up_.recv_total;
  if (in_window(t)) {
    ++up_.recv_win;
    up_.lat.add(rx_now_ - t);
  }
}

void Loadgen::model_send_delta(uint32_t slot) {
  Conn& c = conns_[slot];
  char* p = g_tx;
  p = put(p, R"({"type":"response.output_audio.delta","event_id":"evt_)");
  p = put_u64(p, ++c.evt);
  p = put(p, R"(","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":")");
  uint64_t t = now_ns();
  p = put_payload(p, c.model_id, ++c.down_seq, t);
  p = put(p, R"("})");
  if (!ws_send(slot, kOpText, g_tx, size_t(p - g_tx))) return;
  count_sent(down_, t);
  flush(slot);
}

}  // namespace loadgen
