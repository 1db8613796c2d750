// What the load generator measures: one-way latency histograms and per-direction counters, plus
// CPU time and memory of a process read from /proc.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace loadgen {

// ---- latency histogram -------------------------------------------------------------------------
// Fixed 10 us buckets up to 2 s (+1 overflow bucket): no allocation while running.
struct Histogram {
  static constexpr uint64_t kBucketNs = 10'000;
  static constexpr size_t kBuckets = 200'000;
  std::vector<uint32_t> b = std::vector<uint32_t>(kBuckets + 1);
  uint64_t n = 0, max = 0;
  void add(uint64_t ns) {
    uint64_t i = ns / kBucketNs;
    ++b[i < kBuckets ? i : kBuckets];
    ++n;
    if (ns > max) max = ns;
  }
  // Upper edge of the bucket holding quantile q, in ms (0.01 ms resolution).
  double quantile_ms(double q) const {
    if (!n) return 0;
    uint64_t rank = uint64_t(std::ceil(q * double(n)));
    if (rank == 0) rank = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i <= kBuckets; ++i) {
      cum += b[i];
      if (cum >= rank) return i == kBuckets ? max_ms() : double((i + 1) * kBucketNs) / 1e6;
    }
    return max_ms();
  }
  double max_ms() const { return double(max) / 1e6; }
};

// Per-direction counters. "win" counters only count frames whose embedded send time lies inside
// the measurement window, wherever they are received, so in-flight frames are not miscounted.
struct Dir {
  uint64_t sent_total = 0, sent_win = 0, recv_total = 0, recv_win = 0, ooo = 0, bad = 0;
  Histogram lat;
};

// ---- /proc sampling ------------------------------------------------------------------------------
// utime+stime of all threads of the process, in ms (clock ticks converted), or -1.
double proc_cpu_ms(int pid);
// Resident set size of the process in KiB, or -1.
long proc_rss_kib(int pid);
// CPU time of this process (user + system), in ms.
double self_cpu_ms();

}  // namespace loadgen
