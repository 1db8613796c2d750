// Constants, the monotonic clock, little-endian loads and stores, the cheap PRNG and the
// no-allocation message-building helpers every part of the load generator uses.
#pragma once
#include <time.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace loadgen {

static_assert(std::endian::native == std::endian::little, "frame headers are stored little-endian via memcpy");

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kNever = UINT64_MAX;
constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kFrameNs = 20 * kMs;        // one mu-law frame = 20 ms = 160 bytes at 8 kHz
constexpr size_t kFrameBytes = 160;
constexpr size_t kFrameB64 = 216;              // base64 length of 160 bytes
constexpr size_t kHdrBytes = 16;               // id u32, seq u32, send time ns u64
constexpr uint64_t kNsPerAudioByte = 125'000;  // 8000 bytes per second
constexpr size_t kMaxMsg = 1 << 20;            // largest WebSocket message accepted
constexpr size_t kMaxIn = kMaxMsg + 64 * 1024;
constexpr size_t kMaxOut = 8 << 20;            // a peer this far behind is treated as dead
constexpr size_t kMaxHttpHead = 64 * 1024;
constexpr size_t kMaxMarks = 64;               // pending marks per call (ring)
constexpr size_t kMarkName = 96;               // longest mark name kept verbatim
constexpr uint8_t kOpCont = 0x0, kOpText = 0x1, kOpBin = 0x2, kOpClose = 0x8, kOpPing = 0x9, kOpPong = 0xA;

inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * kSec + uint64_t(ts.tv_nsec);
}

inline void st32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }
inline void st64(uint8_t* p, uint64_t v) { memcpy(p, &v, 8); }
inline uint32_t ld32(const uint8_t* p) { uint32_t v; memcpy(&v, p, 4); return v; }
inline uint64_t ld64(const uint8_t* p) { uint64_t v; memcpy(&v, p, 8); return v; }

// Cheap PRNG for masking keys, SIDs and WebSocket keys (a load test needs no crypto randomness).
inline uint64_t g_rng = 0x9E3779B97F4A7C15ull;
inline uint64_t rnd() {
  g_rng ^= g_rng >> 12; g_rng ^= g_rng << 25; g_rng ^= g_rng >> 27;
  return g_rng * 0x2545F4914F6CDD1Dull;
}

// ---- message building: append into a flat buffer, no allocation ------------------------------
template <size_t N>
char* put(char* p, const char (&s)[N]) { memcpy(p, s, N - 1); return p + N - 1; }
inline char* put_sv(char* p, std::string_view s) { memcpy(p, s.data(), s.size()); return p + s.size(); }
inline char* put_u64(char* p, uint64_t v) {
  char t[20];
  int n = 0;
  do { t[n++] = char('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = t[--n];
  return p;
}

}  // namespace loadgen
