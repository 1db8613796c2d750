#include "net/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>

namespace vg::log {
namespace {
std::atomic<int> min_level{static_cast<int>(level::info)};
constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void set_level(level l) { min_level = static_cast<int>(l); }
bool enabled(level l) { return static_cast<int>(l) >= min_level.load(std::memory_order_relaxed); }

void write(level l, std::string_view call_sid, std::string_view message) {
  if (!enabled(l)) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line;
  line.reserve(64 + message.size());
  line += stamp;
  line += names[static_cast<int>(l)];
  if (!call_sid.empty()) {
    line += " call=";
    line += call_sid;
  }
  line += ' ';
  line += message;
  line += '\n';
  [[maybe_unused]] const auto n = ::write(2, line.data(), line.size());
}

}  // namespace vg::log
