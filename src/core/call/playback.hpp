// What the caller has heard of the assistant's audio, known to the frame.
// The bridge sends audio to Twilio in fixed frames, each followed by a mark whose name is a
// sequence number. Twilio echoes a mark when playback reaches it (or when it is cleared), so
// the caller has heard: the end of the last echoed frame plus the time since that echo,
// capped by the end of the next frame (whose mark has not come back yet). Public samples
// estimate this from clocks alone and overshoot (docs/protocols/openai-realtime.md#barge-in).
// Pure; the caller passes `now`. Not thread-safe (one call, one strand).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace vg::call {

using micros = std::chrono::microseconds;  // a monotonic time point, as a duration since any epoch
constexpr std::int64_t mulaw_bytes_per_ms = 8;

class playback {
 public:
  // A frame of `bytes` from assistant item number `item` was sent, followed by mark `seq`.
  // Sequence numbers increase across the whole call.
  void sent(std::uint64_t seq, std::uint32_t item, std::uint32_t bytes, micros now);
  // Twilio echoed mark `seq`. Stale echoes (after clear) are ignored.
  void acked(std::uint64_t seq, micros now);
  // Forget everything outstanding (after a Twilio `clear`).
  void clear() noexcept;

  // Some audio sent is not yet known to have played.
  bool playing() const noexcept { return count_ != 0; }

  struct position {
    std::uint32_t item;
    std::int64_t ms;  // of that item heard so far
  };
  // The item playing now and how much of it was heard; nullopt when nothing is playing.
  std::optional<position> heard(micros now) const noexcept;

  std::size_t outstanding() const noexcept { return count_; }

 private:
  struct entry {
    std::uint64_t seq;
    std::uint32_t item;
    std::uint64_t end_bytes;  // offset in its item where this frame ends
  };
  const entry& front() const noexcept { return ring_[head_]; }
  void push(const entry& e);
  void pop() noexcept;

  std::vector<entry> ring_;  // grows to the longest backlog, then is reused
  std::size_t head_ = 0;
  std::size_t count_ = 0;

  // Playback reference point: item `base_item_` had played up to `base_bytes_` at `base_time_`.
  std::uint32_t base_item_ = 0;
  std::uint64_t base_bytes_ = 0;
  micros base_time_{0};

  std::uint32_t last_item_ = 0;
  std::uint64_t last_item_bytes_ = 0;  // bytes sent so far of `last_item_`
  bool any_item_ = false;
};

}  // namespace vg::call
