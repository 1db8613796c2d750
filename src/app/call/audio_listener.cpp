#include "app/call/audio_listener.hpp"

namespace vg::app {

audio_listener::audio_listener(std::size_t max_frames, std::function<void()> wake)
    : max_frames_(max_frames == 0 ? 1 : max_frames), wake_(std::move(wake)) {}

void audio_listener::push(bool caller, std::string_view mulaw, std::int64_t at_us) {
  if (closed_) return;
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    was_empty = frames_.empty();
    if (frames_.size() >= max_frames_) {
      frames_.pop_front();
      ++dropped_;
    }
    frames_.push_back(audio_frame{caller, std::string(mulaw), at_us});
  }
  if (was_empty && wake_) wake_();
}

std::vector<audio_frame> audio_listener::take() {
  std::lock_guard lock(mutex_);
  std::vector<audio_frame> out(std::make_move_iterator(frames_.begin()), std::make_move_iterator(frames_.end()));
  frames_.clear();
  return out;
}

}  // namespace vg::app
