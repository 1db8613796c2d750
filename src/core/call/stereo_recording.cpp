// Stereo call recording: two sample-indexed queues (caller, assistant) rendered side by side.
#include "core/call/stereo_recording.hpp"

#include <algorithm>

namespace vg::call {
namespace {

constexpr char silence = static_cast<char>(0xFF);
constexpr std::int64_t micros_per_sample = 1'000'000 / stereo_recording::sample_rate;  // 125
// Media timestamps past this (~31 years) are nonsense; refusing them keeps the arithmetic exact.
constexpr std::int64_t max_stream_ms = 1'000'000'000'000;

}  // namespace

stereo_recording::stereo_recording(micros hold) : hold_(std::max(hold, micros{0})) {}

std::int64_t stereo_recording::sample_at(micros t) const noexcept {
  const std::int64_t us = (t - start_).count();
  std::int64_t q = us / micros_per_sample;
  if (us % micros_per_sample != 0 && us < 0) --q;  // floor, also before time zero
  return q;
}

void stereo_recording::on_stream_start(micros at) {
  if (started_ || finished_) return;
  start_ = at;
  started_ = true;
}

void stereo_recording::add(track& t, std::string_view mulaw, std::int64_t s, std::int64_t floor) {
  const auto n = static_cast<std::int64_t>(mulaw.size());
  if (s + n <= floor) return;
  const std::int64_t skip = std::max<std::int64_t>(0, floor - s);
  t.push_back(span{s + skip, std::string(mulaw.substr(static_cast<std::size_t>(skip))), 0});
}

void stereo_recording::on_caller_audio(std::string_view mulaw, std::int64_t stream_ms) {
  if (!started_ || finished_ || mulaw.empty() || stream_ms < 0 || stream_ms > max_stream_ms) return;
  const std::int64_t s = stream_ms * samples_per_ms;
  add(caller_, mulaw, s, std::max(caller_end_, emitted_));
  caller_end_ = std::max(caller_end_, s + static_cast<std::int64_t>(mulaw.size()));
}

void stereo_recording::on_assistant_frame(std::string_view mulaw, micros sent_at) {
  if (!started_ || finished_ || mulaw.empty()) return;
  const std::int64_t s = std::max(sample_at(sent_at), assist_end_);
  add(assistant_, mulaw, s, emitted_);
  assist_end_ = s + static_cast<std::int64_t>(mulaw.size());
}

void stereo_recording::on_clear(micros at) {
  if (!started_ || finished_) return;
  const std::int64_t cut = std::max(sample_at(at), emitted_);
  while (!assistant_.empty() && assistant_.back().first() >= cut) assistant_.pop_back();
  if (!assistant_.empty() && assistant_.back().end() > cut) {
    span& last = assistant_.back();
    last.bytes.resize(static_cast<std::size_t>(cut - last.start));
  }
  assist_end_ = std::min(assist_end_, cut);
}

void stereo_recording::render(track& t, std::int64_t to, std::string& out, std::size_t out_at) {
  while (!t.empty() && t.front().first() < to) {
    span& sp = t.front();
    const std::int64_t from = sp.first();  // never before emitted_ (add trims, render consumes)
    const std::int64_t until = std::min(sp.end(), to);
    std::size_t o = out_at + 2 * static_cast<std::size_t>(from - emitted_);
    for (std::int64_t i = from; i < until; ++i, o += 2) {
      out[o] = sp.bytes[static_cast<std::size_t>(i - sp.start)];
    }
    if (sp.end() > to) {
      sp.head = static_cast<std::size_t>(to - sp.start);
      break;
    }
    t.pop_front();
  }
}

std::size_t stereo_recording::emit_to(std::int64_t to, std::string& out) {
  if (to <= emitted_) return 0;
  const auto bytes = 2 * static_cast<std::size_t>(to - emitted_);
  const std::size_t at = out.size();
  out.append(bytes, silence);
  render(caller_, to, out, at);
  render(assistant_, to, out, at + 1);
  emitted_ = to;
  return bytes;
}

std::size_t stereo_recording::drain(micros now, std::string& out) {
  if (!started_ || finished_) return 0;
  return emit_to(sample_at(now - hold_), out);
}

std::size_t stereo_recording::finish(micros end, std::string& out) {
  if (finished_) return 0;
  finished_ = true;
  if (!started_) return 0;
  const std::size_t n = emit_to(sample_at(end), out);
  caller_.clear();
  assistant_.clear();
  return n;
}

std::size_t stereo_recording::pending_bytes() const noexcept {
  std::size_t n = 0;
  for (const span& sp : caller_) n += sp.bytes.size();
  for (const span& sp : assistant_) n += sp.bytes.size();
  return n;
}

}  // namespace vg::call
