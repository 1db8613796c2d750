// DTMF tones checked with an independent detector (Goertzel at the eight Q.23 frequencies).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/audio/dtmf.hpp"
#include "core/audio/wav.hpp"

namespace vg::audio {
namespace {

double power_at(std::string_view mulaw, double hz) {
  const double k = 2 * std::cos(2 * std::numbers::pi * hz / 8000);
  double s1 = 0, s2 = 0;
  for (char c : mulaw) {
    const double s = mulaw_decode(static_cast<std::uint8_t>(c)) + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

// The key whose row and column tones dominate, as a receiver decides.
char detect(std::string_view tone) {
  const double rows[4] = {697, 770, 852, 941}, cols[4] = {1209, 1336, 1477, 1633};
  const char keys[4][4] = {{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
  int r = 0, c = 0;
  for (int i = 1; i < 4; ++i) {
    if (power_at(tone, rows[i]) > power_at(tone, rows[r])) r = i;
    if (power_at(tone, cols[i]) > power_at(tone, cols[c])) c = i;
  }
  return keys[r][c];
}

TEST(dtmf, every_key_is_detected_as_itself) {
  for (char key : std::string("0123456789*#ABCD")) {
    auto audio = dtmf_audio(std::string(1, key));
    ASSERT_TRUE(audio) << key;
    ASSERT_EQ(audio->size(), 1600u);  // 100 ms tone + 100 ms gap at 8 kHz
    EXPECT_EQ(detect(std::string_view(*audio).substr(0, 800)), key);
  }
}

TEST(dtmf, gaps_and_pauses_are_silence) {
  auto audio = dtmf_audio("1w2", {.tone_ms = 50, .gap_ms = 40, .pause_ms = 500});
  ASSERT_TRUE(audio);
  EXPECT_EQ(audio->size(), static_cast<std::size_t>((50 + 40) * 8 + 500 * 8 + (50 + 40) * 8));
  const std::string_view a = *audio;
  EXPECT_EQ(detect(a.substr(0, 400)), '1');
  EXPECT_EQ(a.substr(400, 320 + 4000), std::string(320 + 4000, static_cast<char>(mulaw_silence)));
  EXPECT_EQ(detect(a.substr(400 + 320 + 4000, 400)), '2');
}

TEST(dtmf, a_character_that_is_no_key_is_refused_by_name) {
  EXPECT_TRUE(valid_dtmf("0123456789*#abcdw"));
  EXPECT_FALSE(valid_dtmf("12x"));
  auto audio = dtmf_audio("12x");
  ASSERT_FALSE(audio);
  EXPECT_NE(audio.error_message().find("'x'"), std::string::npos);
}

}  // namespace
}  // namespace vg::audio
