// Stereo recording: caller left at its media timestamps, assistant right at the time it was
// heard (back-to-back playback, cut by clear), continuous output, bounded memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/call/stereo_recording.hpp"

namespace vg::call {
namespace {

micros at_ms(std::int64_t ms) { return micros{ms * 1000}; }
constexpr micros hold = micros{500'000};
constexpr micros t0 = micros{7'000'000};  // stream start on some monotonic clock

std::string bytes(std::size_t n, char c) { return std::string(n, c); }
// One channel of interleaved output, with silence shown as '.'.
std::string side(const std::string& out, std::size_t channel) {
  std::string s;
  for (std::size_t i = channel; i < out.size(); i += 2) s.push_back(out[i] == '\xFF' ? '.' : out[i]);
  return s;
}
std::string left(const std::string& out) { return side(out, 0); }
std::string right(const std::string& out) { return side(out, 1); }
std::string quiet(std::size_t samples) { return bytes(samples, '.'); }

TEST(stereo_recording, caller_only_audio_lands_left_at_its_offset) {
  stereo_recording r;
  r.on_stream_start(t0);
  r.on_caller_audio(bytes(160, 'c'), 40);
  std::string out;
  EXPECT_EQ(r.drain(t0 + at_ms(100) + hold, out), 1600u);
  ASSERT_EQ(out.size(), 1600u);
  EXPECT_EQ(left(out), quiet(320) + bytes(160, 'c') + quiet(320));
  EXPECT_EQ(right(out), quiet(800));
  EXPECT_EQ(r.samples_emitted(), 800);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(stereo_recording, gap_in_caller_timestamps_becomes_silence) {
  stereo_recording r;
  r.on_stream_start(t0);
  r.on_caller_audio(bytes(160, 'a'), 0);
  r.on_caller_audio(bytes(160, 'b'), 20);
  r.on_caller_audio(bytes(160, 'c'), 60);  // 40..60 ms never arrived
  std::string out;
  r.drain(t0 + at_ms(80) + hold, out);
  EXPECT_EQ(left(out), bytes(160, 'a') + bytes(160, 'b') + quiet(160) + bytes(160, 'c'));
}

TEST(stereo_recording, duplicates_overlaps_and_late_frames_are_dropped) {
  stereo_recording r;
  r.on_stream_start(t0);
  r.on_caller_audio(bytes(160, 'a'), 0);
  r.on_caller_audio(bytes(160, 'x'), 0);   // duplicate
  r.on_caller_audio(bytes(160, 'b'), 10);  // overlaps 10..20: only 20..30 is new
  std::string out;
  r.drain(t0 + at_ms(100) + hold, out);    // emitted up to 100 ms
  r.on_caller_audio(bytes(160, 'y'), 60);  // entirely late
  r.on_caller_audio(bytes(160, 'c'), 90);  // 90..100 late, 100..110 kept
  r.on_caller_audio(bytes(160, 'z'), 95);  // overlaps what was just received
  r.drain(t0 + at_ms(120) + hold, out);
  EXPECT_EQ(left(out), bytes(160, 'a') + bytes(80, 'b') + quiet(560) + bytes(80, 'c') + bytes(40, 'z') + quiet(40));
}

TEST(stereo_recording, burst_of_assistant_frames_plays_back_to_back_in_real_time) {
  stereo_recording r;
  r.on_stream_start(t0);
  for (char c = '1'; c <= '5'; ++c) r.on_assistant_frame(bytes(160, c), t0 + at_ms(100) + micros{(c - '1') * 10});
  std::string out;
  r.drain(t0 + at_ms(250) + hold, out);
  EXPECT_EQ(right(out), quiet(800) + bytes(160, '1') + bytes(160, '2') + bytes(160, '3') + bytes(160, '4') +
                            bytes(160, '5') + quiet(400));
  EXPECT_EQ(left(out), quiet(2000));
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(stereo_recording, clear_cuts_exactly_and_caller_side_continues) {
  stereo_recording r;
  r.on_stream_start(t0);
  for (int k = 0; k < 10; ++k) r.on_assistant_frame(bytes(160, static_cast<char>('0' + k)), t0);  // 0..200 ms
  for (int ms = 0; ms < 300; ms += 20) r.on_caller_audio(bytes(160, 'c'), ms);
  r.on_clear(t0 + at_ms(73));  // barge-in: sample 584, inside frame 3 (480..640)
  std::string out;
  r.drain(t0 + at_ms(150) + hold, out);
  r.on_assistant_frame(bytes(80, 'n'), t0 + at_ms(160));  // the next answer, after the clear
  r.drain(t0 + at_ms(300) + hold, out);
  ASSERT_EQ(out.size(), 2u * 8 * 300);
  EXPECT_EQ(right(out), bytes(160, '0') + bytes(160, '1') + bytes(160, '2') + bytes(104, '3') + quiet(696) +
                            bytes(80, 'n') + quiet(1040));
  EXPECT_EQ(left(out), bytes(2400, 'c'));
}

TEST(stereo_recording, clear_at_a_fraction_of_a_ms_and_a_late_clear) {
  stereo_recording r;
  r.on_stream_start(t0);
  r.on_assistant_frame(bytes(160, 'a'), t0);
  r.on_clear(t0 + micros{1'125});  // 1.125 ms = sample 9
  r.on_assistant_frame(bytes(160, 'b'), t0 + at_ms(20));
  std::string out;
  r.drain(t0 + at_ms(30) + hold, out);  // up to sample 240
  r.on_clear(t0 + at_ms(25));           // older than what was emitted: cuts at sample 240
  r.drain(t0 + at_ms(50) + hold, out);
  EXPECT_EQ(right(out), bytes(9, 'a') + quiet(151) + bytes(80, 'b') + quiet(160));
}

TEST(stereo_recording, frame_sent_after_a_pause_starts_at_its_send_time) {
  stereo_recording r;
  r.on_stream_start(t0);
  r.on_assistant_frame(bytes(160, 'a'), t0);
  r.on_assistant_frame(bytes(160, 'b'), t0 + at_ms(10));  // queued: plays at 20 ms
  r.on_assistant_frame(bytes(160, 'c'), t0 + at_ms(300));  // queue long empty: plays at 300 ms
  r.on_assistant_frame(bytes(8, 'd'), t0 + at_ms(310));    // queued behind it: 320 ms
  std::string out;
  r.finish(t0 + at_ms(400), out);
  EXPECT_EQ(right(out), bytes(160, 'a') + bytes(160, 'b') + quiet(2080) + bytes(160, 'c') + bytes(8, 'd') + quiet(632));
}

TEST(stereo_recording, drain_stays_hold_behind_now_and_output_tracks_elapsed_time) {
  stereo_recording r;
  std::string out;
  EXPECT_EQ(r.drain(t0 + at_ms(5000), out), 0u);  // not started: nothing
  r.on_caller_audio(bytes(160, 'x'), 0);           // before the start: ignored
  r.on_stream_start(t0);
  r.on_caller_audio(bytes(160, 'c'), 400);
  EXPECT_EQ(r.drain(t0 + at_ms(300), out), 0u);    // now - hold is before time zero
  EXPECT_EQ(r.drain(t0 + at_ms(900), out), 2u * 8 * 400);
  EXPECT_EQ(left(out), quiet(3200));               // the frame at 400 ms is not due yet
  std::int64_t now_ms = 900;
  for (std::int64_t step : {1, 7, 20, 3, 100, 0, 250, 13}) {
    now_ms += step;
    const std::size_t before = out.size();
    const std::size_t n = r.drain(t0 + at_ms(now_ms), out);
    EXPECT_EQ(n, out.size() - before);
    EXPECT_EQ(out.size(), static_cast<std::size_t>(2 * 8 * (now_ms - 500)));
  }
  EXPECT_EQ(r.drain(t0 + at_ms(100), out), 0u);  // time going backwards emits nothing
  EXPECT_EQ(r.drain(t0 + micros{now_ms * 1000 + 124}, out), 0u);  // less than one sample
  EXPECT_EQ(r.drain(t0 + micros{now_ms * 1000 + 125}, out), 2u);
  EXPECT_EQ(left(out).substr(3200, 160), bytes(160, 'c'));
}

TEST(stereo_recording, finish_drops_assistant_audio_after_the_end) {
  stereo_recording r;
  r.on_stream_start(t0);
  for (int k = 0; k < 50; ++k) r.on_assistant_frame(bytes(160, 'a'), t0);  // 1 s queued at once
  r.on_caller_audio(bytes(160, 'c'), 280);
  r.on_caller_audio(bytes(160, 'd'), 300);  // after the end
  std::string out;
  r.drain(t0 + at_ms(600), out);  // 100 ms
  EXPECT_GT(r.pending_bytes(), 0u);
  EXPECT_EQ(r.finish(t0 + at_ms(300), out), 2u * 8 * 200);
  EXPECT_EQ(out.size(), 2u * 8 * 300);
  EXPECT_EQ(right(out), bytes(2400, 'a'));
  EXPECT_EQ(left(out), quiet(2240) + bytes(160, 'c'));
  EXPECT_EQ(r.pending_bytes(), 0u);
  EXPECT_TRUE(r.finished());
  r.on_assistant_frame(bytes(160, 'z'), t0 + at_ms(310));
  EXPECT_EQ(r.drain(t0 + at_ms(5000), out), 0u);
  EXPECT_EQ(r.finish(t0 + at_ms(5000), out), 0u);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(stereo_recording, pending_memory_stays_bounded_over_a_ten_minute_call) {
  stereo_recording r;
  r.on_stream_start(t0);
  std::string out;
  std::size_t total = 0, max_pending = 0, left_audio = 0, right_audio = 0;
  std::int64_t expected_right = 0;
  int answer = 0;
  for (std::int64_t ms = 20; ms <= 600'000; ms += 20) {
    const micros now = t0 + at_ms(ms);
    r.on_caller_audio(bytes(160, 'c'), ms - 20);  // 20 ms of caller audio arrives as it ends
    if (ms % 10'000 == 5'000) {                    // every 10 s, a 3 s answer sent in one burst
      for (int k = 0; k < 150; ++k) r.on_assistant_frame(bytes(160, 'a'), now);
      expected_right += 24'000;
    }
    if (ms % 10'000 == 6'000 && answer++ % 3 == 0) {  // every third answer is cut after 1 s
      r.on_clear(now);
      expected_right -= 16'000;
    }
    if (ms % 100 == 0) {
      total += r.drain(now, out);
      max_pending = std::max(max_pending, r.pending_bytes());
      left_audio += static_cast<std::size_t>(std::count(out.begin(), out.end(), 'c'));
      right_audio += static_cast<std::size_t>(std::count(out.begin(), out.end(), 'a'));
      out.clear();  // the shell writes it out
    }
  }
  EXPECT_EQ(total, 2u * 8 * (600'000 - 500));
  total += r.finish(t0 + at_ms(600'000), out);
  left_audio += static_cast<std::size_t>(std::count(out.begin(), out.end(), 'c'));
  right_audio += static_cast<std::size_t>(std::count(out.begin(), out.end(), 'a'));
  EXPECT_EQ(total, 2u * 8 * 600'000);
  EXPECT_EQ(left_audio, 8u * 600'000);
  EXPECT_EQ(right_audio, static_cast<std::size_t>(expected_right));
  // The largest answer (3 s = 24000 bytes) plus the caller's hold window (4000) and a frame.
  EXPECT_LE(max_pending, 24'000u + 4'000u + 160u);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(stereo_recording, small_scripted_scenario_byte_exact) {
  stereo_recording r{at_ms(1)};
  const micros start = at_ms(1000);
  std::string out;
  r.on_stream_start(start);
  r.on_caller_audio("AAAAAAAA", 0);                                // samples 0..8
  r.on_assistant_frame("abcdefghijklmnop", start + micros{500});  // samples 4..20
  r.on_assistant_frame("qrst", start + micros{600});              // queued: 20..24
  EXPECT_EQ(r.drain(start + micros{1'500}, out), 8u);             // up to sample 4
  r.on_caller_audio("BBBBBBBB", 2);                                // 16..24; 8..16 is a gap
  r.on_clear(start + micros{2'750});                               // sample 22: "st" never played
  EXPECT_EQ(r.drain(start + micros{3'000}, out), 24u);            // up to sample 16
  r.on_assistant_frame("XY", start + at_ms(3));                    // 24..26
  EXPECT_EQ(r.finish(start + at_ms(4), out), 32u);                 // up to sample 32
  const std::string expected =
      "A\xFF" "A\xFF" "A\xFF" "A\xFF" "Aa" "Ab" "Ac" "Ad"
      "\xFF" "e" "\xFF" "f" "\xFF" "g" "\xFF" "h" "\xFF" "i" "\xFF" "j" "\xFF" "k" "\xFF" "l"
      "Bm" "Bn" "Bo" "Bp" "Bq" "Br" "B\xFF" "B\xFF"
      "\xFF" "X" "\xFF" "Y" "\xFF\xFF" "\xFF\xFF" "\xFF\xFF" "\xFF\xFF" "\xFF\xFF" "\xFF\xFF";
  ASSERT_EQ(expected.size(), 64u);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(left(out), "AAAAAAAA........BBBBBBBB........");
  EXPECT_EQ(right(out), "....abcdefghijklmnopqr..XY......");
}

}  // namespace
}  // namespace vg::call
