// libFuzzer target for every parser of untrusted input in src/core. The first byte picks the
// parser; the rest is the input. Build: cmake -DVOXGATE_FUZZ=ON with clang (see README).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/audio/wav.hpp"
#include "core/base64.hpp"
#include "core/billing/cost.hpp"
#include "core/openai/chat.hpp"
#include "core/openai/chat_tools.hpp"
#include "core/http/byte_range.hpp"
#include "core/call/call_bridge.hpp"
#include "core/json_scan.hpp"
#include "core/openai/realtime_events.hpp"
#include "core/twilio/media_stream.hpp"
#include "core/twilio/stream_token.hpp"
#include "core/twilio/webhook.hpp"
#include "core/ws/frame.hpp"
#include "core/ws/handshake.hpp"

namespace {

struct null_output final : vg::call::bridge_output {
  void send_twilio(std::string_view) override {}
  void send_model(std::string_view) override {}
  void record(const vg::call::note&) override {}
  void end_call(vg::call::end_reason) override {}
};

// Drives a whole bridge with the input split into messages at '\n', alternating sides, so
// sequences of valid and broken messages reach every state.
void fuzz_bridge(std::string_view input) {
  null_output out;
  vg::call::bridge_settings settings;
  settings.max_duration = std::chrono::seconds(5);
  vg::call::call_bridge bridge(settings, out);
  bridge.on_model_connected(vg::call::micros{0});
  bridge.on_twilio_message(R"({"event":"start","start":{"streamSid":"MZ1","callSid":"CA1"},"streamSid":"MZ1"})",
                           vg::call::micros{0});
  std::int64_t t = 0;
  bool twilio_side = true;
  while (!input.empty()) {
    const auto nl = input.find('\n');
    const std::string_view message = input.substr(0, nl);
    t += 20000;
    if (twilio_side) bridge.on_twilio_message(message, vg::call::micros{t});
    else bridge.on_model_message(message, vg::call::micros{t});
    if (message.size() % 7 == 0) bridge.on_tick(vg::call::micros{t});
    twilio_side = !twilio_side;
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 12) {
    case 0: (void)vg::twilio::parse_stream_event(input); break;
    case 1: (void)vg::openai::parse_server_event(input); break;
    case 2: {
      auto obj = vg::json::object_view::parse(input);
      if (obj) {
        std::string scratch;
        for (const auto& m : *obj) (void)vg::json::text_of(m.value, scratch);
      }
      (void)vg::json::valid(input);
      break;
    }
    case 3: {
      vg::ws::frame_header h;
      (void)vg::ws::parse_header(data + 1, size - 1, 1 << 20, h);
      break;
    }
    case 4: (void)vg::twilio::parse_form(input); break;
    case 5: (void)vg::ws::parse_response_head(input); break;
    case 6: (void)vg::base64::decode(input); break;
    case 7: (void)vg::twilio::check_stream_token("secret", "CA1", input, 0); break;
    case 8: fuzz_bridge(input); break;
    case 9: {
      const auto r = vg::http::parse_range_header(input, input.size());
      if (r.what == vg::http::range_request::kind::range && (r.range.last >= input.size() || r.range.first > r.range.last)) {
        __builtin_trap();  // a range the caller would read past the end with
      }
      (void)vg::http::parse_content_range(input);
      break;
    }
    case 10: (void)vg::audio::parse_wav(input); break;
    case 11: {  // what the Chat Completions and Realtime APIs answer (usage, extraction, errors)
      (void)vg::openai::parse_extraction_response(input);
      (void)vg::openai::parse_chat_answer(input);  // a gather turn's answer (words, function calls)
      (void)vg::openai::parse_chat_usage(input);
      (void)vg::openai::api_error_message(input);
      (void)vg::billing::parse_realtime_usage(input);
      (void)vg::billing::parse_price_table(input);
      break;
    }
  }
  return 0;
}
