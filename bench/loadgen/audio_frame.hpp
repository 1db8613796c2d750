// The test audio frame: 160 bytes of mu-law (20 ms) whose first 16 bytes are a header (sender
// id, sequence, CLOCK_MONOTONIC send time), so the receiving end measures one-way latency and
// loss however the peer re-chunks the audio.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common.hpp"

namespace loadgen {

// A stream of audio bytes cut into 160-byte frames whose first 16 bytes are the header. Works no
// matter how the peer re-chunks the audio into messages.
struct FrameStream {
  uint64_t pos = 0;
  uint8_t hdr[kHdrBytes];
  template <class F>
  void feed(const uint8_t* p, size_t n, F&& on_header) {
    while (n) {
      size_t off = pos % kFrameBytes, take;
      if (off < kHdrBytes) {
        take = std::min(kHdrBytes - off, n);
        memcpy(hdr + off, p, take);
        if (off + take == kHdrBytes) on_header(hdr);
      } else {
        take = std::min(kFrameBytes - off, n);
      }
      pos += take; p += take; n -= take;
    }
  }
};

// base64 of 160 x 0xFF; init_payload_template() fills it once at start.
extern char g_payload_tmpl[kFrameB64];
// 160 payload bytes = 16-byte header + 0xFF filler (mu-law silence). Only the first 24 base64
// characters (18 bytes) depend on the header; the rest is copied from the template.
void init_payload_template();
// Writes the 216 base64 characters of one frame at `p`; returns the end.
char* put_payload(char* p, uint32_t id, uint32_t seq, uint64_t t);

}  // namespace loadgen
