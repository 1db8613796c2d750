// What the caller has heard, from mark echoes and the time passed in (no clock is read).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/call/playback.hpp"

namespace vg::call {
namespace {

micros at_ms(std::int64_t ms) { return micros{ms * 1000}; }
constexpr std::uint32_t frame = 160;  // 20 ms

std::int64_t heard_ms(const playback& p, micros now) {
  const auto h = p.heard(now);
  return h ? h->ms : -1;
}

TEST(playback, nothing_sent_nothing_playing) {
  playback p;
  EXPECT_FALSE(p.playing());
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_FALSE(p.heard(at_ms(0)).has_value());
  p.acked(1, at_ms(0));  // an echo with nothing outstanding is harmless
  EXPECT_FALSE(p.playing());
  p.clear();
  EXPECT_FALSE(p.playing());
}

TEST(playback, heard_with_marks_acked_at_various_times) {
  playback p;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) p.sent(seq, 1, frame, at_ms(0));  // 100 ms sent at t=0
  EXPECT_TRUE(p.playing());
  EXPECT_EQ(p.outstanding(), 5u);
  EXPECT_EQ(heard_ms(p, at_ms(0)), 0);
  EXPECT_EQ(heard_ms(p, at_ms(10)), 10);
  EXPECT_EQ(heard_ms(p, at_ms(30)), 20);   // no echo yet: not past the end of frame 1
  p.acked(1, at_ms(25));                   // echo a little late
  EXPECT_EQ(p.outstanding(), 4u);
  EXPECT_EQ(heard_ms(p, at_ms(25)), 20);
  EXPECT_EQ(heard_ms(p, at_ms(30)), 25);   // 20 ms echoed + 5 ms since
  EXPECT_EQ(heard_ms(p, at_ms(50)), 40);   // capped by the end of frame 2
  p.acked(2, at_ms(60));
  EXPECT_EQ(heard_ms(p, at_ms(60)), 40);
  EXPECT_EQ(heard_ms(p, at_ms(70)), 50);
  p.acked(4, at_ms(80));                   // the echo of 3 was missed: 4 implies 3
  EXPECT_EQ(p.outstanding(), 1u);
  EXPECT_EQ(heard_ms(p, at_ms(80)), 80);
  EXPECT_EQ(heard_ms(p, at_ms(95)), 95);
  EXPECT_EQ(heard_ms(p, at_ms(5000)), 100);  // never past what was sent
  EXPECT_EQ(p.heard(at_ms(95))->item, 1u);
  p.acked(5, at_ms(100));
  EXPECT_FALSE(p.playing());
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_FALSE(p.heard(at_ms(120)).has_value());
}

TEST(playback, sub_millisecond_time_and_partial_frames) {
  playback p;
  p.sent(1, 1, 100, at_ms(0));  // 12.5 ms
  p.sent(2, 1, 60, at_ms(0));   // 7.5 ms
  EXPECT_EQ(heard_ms(p, micros{7'999}), 7);   // 63 bytes
  EXPECT_EQ(heard_ms(p, micros{8'000}), 8);
  EXPECT_EQ(heard_ms(p, micros{50'000}), 12); // capped at 100 bytes
  p.acked(1, micros{12'500});
  EXPECT_EQ(heard_ms(p, micros{12'500}), 12);
  EXPECT_EQ(heard_ms(p, micros{13'000}), 13);  // 104 bytes
  EXPECT_EQ(heard_ms(p, micros{90'000}), 20);  // 160 bytes
}

TEST(playback, time_before_the_reference_point_counts_as_zero) {
  playback p;
  p.sent(1, 1, frame, at_ms(100));
  EXPECT_EQ(heard_ms(p, at_ms(50)), 0);
  p.acked(1, at_ms(120));
  p.sent(2, 1, frame, at_ms(120));
  p.sent(3, 1, frame, at_ms(120));
  p.acked(2, at_ms(140));
  EXPECT_EQ(heard_ms(p, at_ms(130)), 40);  // the echo time is the reference: earlier `now` adds nothing
}

TEST(playback, stale_echo_after_clear_is_ignored) {
  playback p;
  p.sent(1, 1, frame, at_ms(0));
  p.sent(2, 1, frame, at_ms(0));
  p.clear();
  EXPECT_FALSE(p.playing());
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_FALSE(p.heard(at_ms(5)).has_value());
  p.acked(1, at_ms(5));  // Twilio echoes the cleared marks
  EXPECT_FALSE(p.playing());
  p.sent(3, 2, frame, at_ms(100));
  p.sent(4, 2, frame, at_ms(100));
  p.acked(1, at_ms(105));
  p.acked(2, at_ms(106));
  EXPECT_EQ(p.outstanding(), 2u);
  const auto h = p.heard(at_ms(110));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->item, 2u);
  EXPECT_EQ(h->ms, 10);  // measured from the send at 100, not from a stale echo
}

TEST(playback, acked_seq_beyond_sent_is_ignored) {
  playback p;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) p.sent(seq, 1, frame, at_ms(0));
  p.acked(7, at_ms(10));
  EXPECT_EQ(p.outstanding(), 3u);
  EXPECT_EQ(heard_ms(p, at_ms(10)), 10);
  EXPECT_EQ(heard_ms(p, at_ms(50)), 20);
  p.acked(4, at_ms(50));  // one past the last
  EXPECT_EQ(p.outstanding(), 3u);
  p.acked(3, at_ms(60));
  EXPECT_FALSE(p.playing());
}

TEST(playback, older_echo_after_a_newer_one_is_ignored) {
  playback p;
  for (std::uint64_t seq = 1; seq <= 4; ++seq) p.sent(seq, 1, frame, at_ms(0));
  p.acked(3, at_ms(60));
  p.acked(2, at_ms(70));
  p.acked(3, at_ms(75));  // a duplicate
  EXPECT_EQ(p.outstanding(), 1u);
  EXPECT_EQ(heard_ms(p, at_ms(70)), 70);
}

TEST(playback, new_item_after_previous_finished_starts_when_sent) {
  playback p;
  p.sent(1, 1, frame, at_ms(0));
  p.sent(2, 1, frame, at_ms(0));
  p.acked(1, at_ms(20));
  p.acked(2, at_ms(40));
  EXPECT_FALSE(p.playing());
  p.sent(3, 2, frame, at_ms(500));
  p.sent(4, 2, frame, at_ms(500));
  auto h = p.heard(at_ms(510));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->item, 2u);
  EXPECT_EQ(h->ms, 10);
  EXPECT_EQ(heard_ms(p, at_ms(600)), 20);
  p.acked(3, at_ms(520));
  EXPECT_EQ(heard_ms(p, at_ms(530)), 30);
}

TEST(playback, new_item_queued_behind_the_previous_starts_at_its_last_echo) {
  playback p;
  p.sent(1, 1, frame, at_ms(0));
  p.sent(2, 2, frame, at_ms(5));
  p.sent(3, 2, frame, at_ms(5));
  auto h = p.heard(at_ms(10));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->item, 1u);
  EXPECT_EQ(h->ms, 10);
  EXPECT_EQ(heard_ms(p, at_ms(100)), 20);  // still item 1, capped
  p.acked(1, at_ms(20));
  h = p.heard(at_ms(30));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->item, 2u);
  EXPECT_EQ(h->ms, 10);
  EXPECT_EQ(heard_ms(p, at_ms(60)), 20);  // capped by item 2's first frame
  p.acked(2, at_ms(45));
  EXPECT_EQ(heard_ms(p, at_ms(50)), 25);
}

TEST(playback, audio_sent_after_an_underrun_starts_playing_when_sent) {
  playback p;
  p.sent(1, 1, frame, at_ms(0));
  p.acked(1, at_ms(20));
  p.sent(2, 1, frame, at_ms(500));  // same item, Twilio idle meanwhile
  EXPECT_EQ(heard_ms(p, at_ms(500)), 20);
  EXPECT_EQ(heard_ms(p, at_ms(510)), 30);  // 20 ms before + 10 ms of the new frame
  EXPECT_EQ(heard_ms(p, at_ms(900)), 40);
}

TEST(playback, long_backlogs_grow_and_wrap_the_ring) {
  playback p;
  std::uint64_t seq = 1;
  for (; seq <= 40; ++seq) p.sent(seq, 1, frame, at_ms(0));
  for (std::uint64_t k = 1; k <= 30; ++k) {
    p.acked(k, at_ms(20 * static_cast<std::int64_t>(k)));
    ASSERT_EQ(heard_ms(p, at_ms(20 * static_cast<std::int64_t>(k) + 10)), 20 * static_cast<std::int64_t>(k) + 10) << k;
  }
  for (; seq <= 100; ++seq) p.sent(seq, 1, frame, at_ms(610));
  EXPECT_EQ(p.outstanding(), 70u);
  for (std::uint64_t k = 31; k <= 99; ++k) {
    p.acked(k, at_ms(20 * static_cast<std::int64_t>(k)));
    ASSERT_EQ(p.outstanding(), 100 - k);
    ASSERT_EQ(heard_ms(p, at_ms(20 * static_cast<std::int64_t>(k) + 10)), 20 * static_cast<std::int64_t>(k) + 10) << k;
  }
  p.acked(100, at_ms(2000));
  EXPECT_FALSE(p.playing());
}

TEST(playback, heard_never_exceeds_what_was_sent) {
  std::mt19937 rng(42);
  for (int run = 0; run < 50; ++run) {
    playback p;
    std::map<std::uint32_t, std::uint64_t> sent_bytes;  // per item
    std::uint64_t next_seq = 1;
    std::uint32_t item = 1;
    std::int64_t now_us = 0;
    for (int step = 0; step < 400; ++step) {
      const auto op = rng() % 10;
      if (op < 5) {
        if (rng() % 8 == 0) ++item;
        const std::uint32_t bytes = 1 + rng() % 400;
        p.sent(next_seq++, item, bytes, micros{now_us});
        sent_bytes[item] += bytes;
      } else if (op < 8) {
        const std::uint64_t seq = 1 + rng() % (next_seq + 2);
        p.acked(seq, micros{now_us});
      } else if (op == 8) {
        if (rng() % 4 == 0) {
          p.clear();
          ++item;  // the bridge never continues an item it cleared
        }
      } else {
        now_us += rng() % 60'000;
      }
      const auto h = p.heard(micros{now_us});
      ASSERT_EQ(h.has_value(), p.playing());
      if (h) {
        ASSERT_GE(h->ms, 0);
        ASSERT_LE(static_cast<std::uint64_t>(h->ms) * mulaw_bytes_per_ms, sent_bytes[h->item])
            << "run " << run << " step " << step;
        // More time never means less heard.
        const auto later = p.heard(micros{now_us + static_cast<std::int64_t>(rng() % 1'000'000)});
        ASSERT_TRUE(later.has_value());
        ASSERT_EQ(later->item, h->item);
        ASSERT_GE(later->ms, h->ms);
      }
    }
  }
}

}  // namespace
}  // namespace vg::call
