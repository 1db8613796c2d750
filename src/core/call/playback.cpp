#include "core/call/playback.hpp"

#include <algorithm>

namespace vg::call {

void playback::push(const entry& e) {
  if (count_ == ring_.size()) {
    // Grow and unwrap; amortised, and only while the backlog reaches a new maximum.
    std::vector<entry> bigger;
    bigger.reserve(std::max<std::size_t>(16, ring_.size() * 2));
    for (std::size_t i = 0; i < count_; ++i) bigger.push_back(ring_[(head_ + i) % ring_.size()]);
    bigger.resize(bigger.capacity());
    ring_ = std::move(bigger);
    head_ = 0;
  }
  ring_[(head_ + count_) % ring_.size()] = e;
  ++count_;
}

void playback::pop() noexcept {
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

void playback::sent(std::uint64_t seq, std::uint32_t item, std::uint32_t bytes, micros now) {
  if (!any_item_ || item != last_item_) {
    last_item_ = item;
    last_item_bytes_ = 0;
    any_item_ = true;
  }
  if (count_ == 0) {
    // Twilio's buffer was empty: this frame starts playing now.
    base_item_ = item;
    base_bytes_ = last_item_bytes_;
    base_time_ = now;
  }
  last_item_bytes_ += bytes;
  push(entry{seq, item, last_item_bytes_});
}

void playback::acked(std::uint64_t seq, micros now) {
  if (count_ == 0 || seq < front().seq) return;
  const entry& back = ring_[(head_ + count_ - 1) % ring_.size()];
  if (seq > back.seq) return;  // never sent: not Twilio's echo
  entry last = front();
  while (count_ != 0 && front().seq <= seq) {
    last = front();
    pop();
  }
  base_item_ = last.item;
  base_bytes_ = last.end_bytes;
  base_time_ = now;
}

void playback::clear() noexcept {
  head_ = 0;
  count_ = 0;
}

std::optional<playback::position> playback::heard(micros now) const noexcept {
  if (count_ == 0) return std::nullopt;
  const entry& head = front();
  const std::uint64_t start = head.item == base_item_ ? base_bytes_ : 0;
  const std::int64_t elapsed_us = std::max<std::int64_t>(0, (now - base_time_).count());
  const std::uint64_t elapsed_bytes = static_cast<std::uint64_t>(elapsed_us) * mulaw_bytes_per_ms / 1000;
  const std::uint64_t pos = std::min(start + elapsed_bytes, head.end_bytes);
  return position{head.item, static_cast<std::int64_t>(pos / mulaw_bytes_per_ms)};
}

}  // namespace vg::call
