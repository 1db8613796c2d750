// See audio_frame.hpp.
#include "audio_frame.hpp"

#include "wire_formats.hpp"

namespace loadgen {

char g_payload_tmpl[kFrameB64];   // base64 of 160 x 0xFF

void init_payload_template() {
  uint8_t filler[kFrameBytes];
  memset(filler, 0xFF, sizeof filler);
  b64_encode(filler, sizeof filler, g_payload_tmpl);
}

char* put_payload(char* p, uint32_t id, uint32_t seq, uint64_t t) {
  uint8_t h[18];
  st32(h, id);
  st32(h + 4, seq);
  st64(h + 8, t);
  h[16] = h[17] = 0xFF;
  memcpy(p, g_payload_tmpl, kFrameB64);
  b64_encode(h, sizeof h, p);
  return p + kFrameB64;
}

}  // namespace loadgen
