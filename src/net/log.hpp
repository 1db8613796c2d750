// Structured one-line logs to stderr: "time level [call=CA..] message". Each line is written
// with a single write(2), so lines from different threads never interleave.
#pragma once
#include <string_view>

namespace vg::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l);
bool enabled(level l);
void write(level l, std::string_view call_sid, std::string_view message);

inline void debug(std::string_view call_sid, std::string_view m) { if (enabled(level::debug)) write(level::debug, call_sid, m); }
inline void info(std::string_view call_sid, std::string_view m) { write(level::info, call_sid, m); }
inline void warn(std::string_view call_sid, std::string_view m) { write(level::warn, call_sid, m); }
inline void error(std::string_view call_sid, std::string_view m) { write(level::error, call_sid, m); }
inline void info(std::string_view m) { write(level::info, {}, m); }
inline void warn(std::string_view m) { write(level::warn, {}, m); }
inline void error(std::string_view m) { write(level::error, {}, m); }

}  // namespace vg::log
