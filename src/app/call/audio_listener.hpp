// A live listener's share of a call's audio (listen-in): a bounded queue between the call's
// thread, which never waits on it, and whoever plays the audio. When the reader falls behind,
// the oldest frames go: a listener wants the call as it is now, not a growing backlog.
// Thread-safe.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vg::app {

struct audio_frame {
  bool caller = false;  // the caller's voice; otherwise what the caller hears
  std::string mulaw;    // 8 kHz mu-law
  std::int64_t at_us = 0;
};

class audio_listener {
 public:
  // `wake` (optional) is called, outside the lock, when frames arrive on an empty queue.
  explicit audio_listener(std::size_t max_frames, std::function<void()> wake = {});

  // The call's side: never blocks on the reader; drops the oldest frame when full.
  void push(bool caller, std::string_view mulaw, std::int64_t at_us);
  // The reader's side: everything queued, oldest first.
  std::vector<audio_frame> take();
  // The reader is gone: the call stops feeding this listener.
  void close() { closed_ = true; }
  bool closed() const { return closed_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  const std::size_t max_frames_;
  std::function<void()> wake_;
  std::mutex mutex_;
  std::deque<audio_frame> frames_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace vg::app
