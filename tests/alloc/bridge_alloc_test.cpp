// The media hot path allocates nothing once warm: a caller frame in, an audio delta out
// (framed, marked, played and acknowledged) run through the call bridge with every heap
// allocation counted. Its own binary, because it replaces the global operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/base64.hpp"
#include "core/call/call_bridge.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace vg::call {
namespace {

struct counting_output final : bridge_output {
  std::size_t to_twilio = 0, to_model = 0;
  std::string last_mark;
  void send_twilio(std::string_view json) override {
    ++to_twilio;
    if (json.find("\"mark\"") != std::string_view::npos) {
      const auto at = json.find("\"name\":\"") + 8;
      last_mark.assign(json.substr(at, json.find('"', at) - at));  // capacity reused
    }
  }
  void send_model(std::string_view) override { ++to_model; }
  void record(const note&) override {}
  void end_call(end_reason) override {}
};

TEST(hot_path, media_in_and_audio_out_allocate_nothing_once_warm) {
  counting_output out;
  out.last_mark.reserve(32);
  bridge_settings settings;
  call_bridge bridge(settings, out);
  bridge.on_model_connected(micros{0});
  bridge.on_twilio_message(R"({"event":"start","sequenceNumber":"1","start":{"streamSid":"MZ1","callSid":"CA1","accountSid":"AC1","customParameters":{},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ1"})", micros{0});

  std::string frame(160, '\x55');
  const std::string media = R"({"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"20","payload":")" +
                            base64::encode(frame) + R"("},"streamSid":"MZ1"})";
  const std::string delta = R"({"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"item_1","output_index":0,"content_index":0,"delta":")" +
                            base64::encode(frame) + R"("})";
  std::string mark_echo;
  mark_echo.reserve(256);
  auto one_round = [&](std::int64_t t) {
    bridge.on_twilio_message(media, micros{t});
    bridge.on_model_message(delta, micros{t});
    mark_echo.clear();
    mark_echo += R"({"event":"mark","sequenceNumber":"3","streamSid":"MZ1","mark":{"name":")";
    mark_echo += out.last_mark;
    mark_echo += R"("}})";
    bridge.on_twilio_message(mark_echo, micros{t + 20000});
  };
  for (int i = 0; i < 200; ++i) one_round(i * 20000);  // warm up: buffers reach their size
  const std::size_t before = allocations.load();
  for (int i = 200; i < 1200; ++i) one_round(i * 20000);
  EXPECT_EQ(allocations.load() - before, 0u) << "allocations in 1000 rounds of the media path";
  EXPECT_GE(out.to_model, 1200u);
  EXPECT_GE(out.to_twilio, 2400u);
}

}  // namespace
}  // namespace vg::call
