#include "core/audio/dtmf.hpp"

#include <cmath>
#include <numbers>

#include "core/audio/wav.hpp"

namespace vg::audio {
namespace {

constexpr int sample_rate = 8000;

struct tone_pair {
  double low;
  double high;
};

// ITU-T Q.23: rows 697/770/852/941 Hz, columns 1209/1336/1477/1633 Hz.
bool tones_of(char key, tone_pair& out) noexcept {
  static constexpr char layout[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
  static constexpr double rows[4] = {697, 770, 852, 941};
  static constexpr double cols[4] = {1209, 1336, 1477, 1633};
  const char k = (key >= 'a' && key <= 'd') ? static_cast<char>(key - 'a' + 'A') : key;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      if (layout[r][c] == k) {
        out = {rows[r], cols[c]};
        return true;
      }
    }
  }
  return false;
}

bool is_pause(char c) noexcept { return c == 'w' || c == 'W'; }

void append_silence(std::string& out, int ms) { out.append(static_cast<std::size_t>(ms * sample_rate / 1000), static_cast<char>(mulaw_silence)); }

}  // namespace

bool valid_dtmf(std::string_view digits) noexcept {
  tone_pair unused{};
  for (char c : digits) {
    if (!is_pause(c) && !tones_of(c, unused)) return false;
  }
  return true;
}

result<std::string> dtmf_audio(std::string_view digits, dtmf_timing timing) {
  std::string out;
  for (char c : digits) {
    if (is_pause(c)) {
      append_silence(out, timing.pause_ms);
      continue;
    }
    tone_pair t{};
    if (!tones_of(c, t)) return make_error(std::string("'") + c + "' is not a phone key (0-9, *, #, A-D, or w to pause)");
    const int n = timing.tone_ms * sample_rate / 1000;
    // Each tone at about -6 dBFS so the pair stays clear of clipping after mu-law.
    constexpr double amplitude = 0.25 * 32767;
    for (int i = 0; i < n; ++i) {
      const double s = amplitude * (std::sin(2 * std::numbers::pi * t.low * i / sample_rate) +
                                    std::sin(2 * std::numbers::pi * t.high * i / sample_rate));
      out.push_back(static_cast<char>(mulaw_encode(static_cast<std::int16_t>(std::lround(s)))));
    }
    append_silence(out, timing.gap_ms);
  }
  return out;
}

}  // namespace vg::audio
