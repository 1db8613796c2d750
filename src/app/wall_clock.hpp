// The wall clock, for timestamps that are stored or sent (not for timing: use steady_clock).
#pragma once
#include <chrono>
#include <cstdint>

namespace vg::app {

inline std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline std::int64_t unix_now() { return unix_ms() / 1000; }  // seconds

}  // namespace vg::app
