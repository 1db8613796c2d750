// The call as the caller lived it, as a stream of stereo 8 kHz mu-law samples (left: caller,
// right: assistant at the time it was HEARD; audio dropped by a `clear` is not in it).
// The I/O shell writes a WAV header, then the bytes drain() and finish() append. Pure:
// time comes in as arguments. Memory holds only what is pending. Not thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "core/call/playback.hpp"

namespace vg::call {

class stereo_recording {
 public:
  // WAV parameters of the output (for vg::audio::wav_header).
  static constexpr std::uint16_t wav_format = 7;  // mu-law
  static constexpr std::uint16_t channels = 2;
  static constexpr std::uint32_t sample_rate = 8000;
  static constexpr std::uint16_t bits_per_sample = 8;
  static constexpr std::int64_t samples_per_ms = 8;

  // `hold`: how far behind `now` drain() stays, so that late caller frames and clears land.
  explicit stereo_recording(micros hold = micros{500'000});

  // Time zero of the recording (the Twilio stream start). Events before it are ignored;
  // a second call is ignored.
  void on_stream_start(micros at);
  // Caller audio as received, at Twilio's media `timestamp` (ms since the stream started).
  // A gap before it becomes silence. Samples at or before audio already received or already
  // emitted are dropped (duplicates, overlaps, frames later than the hold); the rest is kept.
  void on_caller_audio(std::string_view mulaw, std::int64_t stream_ms);
  // A frame sent to Twilio at `sent_at`. It plays from max(sent_at, end of the frame queued
  // before it): Twilio plays what it buffers back to back, in real time.
  void on_assistant_frame(std::string_view mulaw, micros sent_at);
  // Barge-in (`clear` sent at `at`): assistant audio scheduled at or after `at` is dropped;
  // the part of a frame before `at` stays. A clear older than what was emitted cuts there.
  void on_clear(micros at);

  // Appends interleaved samples (caller byte, assistant byte; 0xFF = silence) for all time up
  // to `now - hold` not yet emitted. Returns the bytes appended (2 per sample).
  std::size_t drain(micros now, std::string& out);
  // The call is over at `end`: appends everything up to `end` (no hold) and drops the rest,
  // including assistant audio scheduled after `end` (never heard). Later calls do nothing.
  std::size_t finish(micros end, std::string& out);

  // Audio held in memory: the caller's hold window plus the assistant's queued frames.
  std::size_t pending_bytes() const noexcept;
  // Samples per channel emitted so far (the WAV data size is twice this).
  std::int64_t samples_emitted() const noexcept { return emitted_; }
  bool started() const noexcept { return started_; }
  bool finished() const noexcept { return finished_; }

 private:
  // Audio of one side from sample `start + head` to `start + bytes.size()`.
  struct span {
    std::int64_t start;
    std::string bytes;
    std::size_t head = 0;  // bytes already emitted
    std::int64_t first() const noexcept { return start + static_cast<std::int64_t>(head); }
    std::int64_t end() const noexcept { return start + static_cast<std::int64_t>(bytes.size()); }
  };
  using track = std::deque<span>;

  std::int64_t sample_at(micros t) const noexcept;  // floor((t - start) * 8 kHz)
  // Queues `mulaw` at sample `s`, minus what lies before sample `floor`.
  static void add(track& t, std::string_view mulaw, std::int64_t s, std::int64_t floor);
  // Writes `t`'s samples in [emitted_, to) at every other byte of `out` from `out_at`,
  // and forgets them.
  void render(track& t, std::int64_t to, std::string& out, std::size_t out_at);
  std::size_t emit_to(std::int64_t to, std::string& out);

  micros hold_;
  micros start_{0};
  bool started_ = false;
  bool finished_ = false;
  std::int64_t emitted_ = 0;     // samples emitted per channel
  std::int64_t caller_end_ = 0;  // end of the caller audio received
  std::int64_t assist_end_ = 0;  // end of the assistant audio queued (the play head)
  track caller_;
  track assistant_;
};

}  // namespace vg::call
