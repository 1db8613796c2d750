// WAV (RIFF) headers for streamed recordings, a minimal reader, and G.711 mu-law samples.
// A writer emits wav_header(..., 0) first, streams the samples, then applies wav_size_patches
// at the end. Pure functions; safe from any thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vg::audio {

constexpr std::uint16_t wav_format_pcm = 1;
constexpr std::uint16_t wav_format_mulaw = 7;

// Canonical header, all integers little-endian. Offsets in bytes:
//
//   PCM (format 1), 44 bytes               non-PCM (e.g. mu-law, format 7), 58 bytes
//    0 "RIFF"                                0 "RIFF"
//    4 u32 RIFF size = file size - 8         4 u32 RIFF size = file size - 8
//    8 "WAVE"                                8 "WAVE"
//   12 "fmt "  16 u32 fmt size = 16          12 "fmt "  16 u32 fmt size = 18
//   20 u16 format  22 u16 channels           20 u16 format  22 u16 channels
//   24 u32 sample rate                       24 u32 sample rate
//   28 u32 byte rate = rate * block align    28 u32 byte rate = rate * block align
//   32 u16 block align = channels*bits/8     32 u16 block align = channels*bits/8
//   34 u16 bits per sample                   34 u16 bits per sample
//   36 "data"  40 u32 data size              36 u16 cbSize = 0 (no extension)
//   44 samples...                            38 "fact"  42 u32 fact size = 4
//                                            46 u32 sample frames = data size / block align
//                                            50 "data"  54 u32 data size
//                                            58 samples...
//
// Non-PCM formats need the 18-byte fmt chunk (cbSize) and a fact chunk (RIFF/WAVE spec,
// Microsoft "Multimedia Programming Interface and Data Specifications 1.0", 1991).
// An odd data size is followed by one pad byte, which the RIFF size counts. Sizes that do
// not fit in 32 bits are capped at 0xFFFFFFFF (a writer should start a new file first).
std::string wav_header(std::uint16_t format, std::uint16_t channels, std::uint32_t sample_rate,
                       std::uint16_t bits_per_sample, std::uint32_t data_bytes);
// 44 for PCM, 58 for anything else.
std::size_t wav_header_size(std::uint16_t format) noexcept;

// One 32-bit little-endian value to write at `offset` of a file that starts with wav_header.
struct wav_size_patch {
  std::size_t offset;
  std::uint32_t value;
  std::string bytes() const;  // the 4 bytes to write
};
// The values to overwrite once `data_bytes` of samples were streamed after a header written
// with data size 0: RIFF size, the fact sample count (non-PCM only) and the data size.
// The bytes they give equal those of wav_header(format, ..., data_bytes) at those offsets.
std::vector<wav_size_patch> wav_size_patches(std::uint16_t format, std::uint16_t channels,
                                             std::uint16_t bits_per_sample, std::uint32_t data_bytes);

struct wav_info {
  std::uint16_t format = 0;
  std::uint16_t channels = 0;
  std::uint32_t sample_rate = 0;
  std::uint16_t bits_per_sample = 0;
  std::uint16_t block_align = 0;
  std::size_t data_offset = 0;  // of the first sample in the input
  std::uint32_t data_size = 0;
};
// Reads the header of a whole RIFF/WAVE file: walks the chunks (skipping unknown ones) to
// `fmt ` and `data`. Refuses a bad magic, a chunk or a data size past the end of the input,
// a fmt chunk shorter than 16 bytes, zero channels/rate/bits, or an inconsistent block align
// or byte rate.
result<wav_info> parse_wav(std::string_view file);

// ITU-T G.711 mu-law, 16-bit linear samples (the CCITT/Sun g711.c arithmetic, no zero-code
// suppression). 0xFF is silence (0); 0x7F decodes to 0 as well; the extremes are 0x80 =
// +32124 and 0x00 = -32124. Encoding is sign-magnitude, symmetric about 0 (-3..3 -> 0xFF/0x7F);
// G.191's g711.c and Python's audioop may differ by one step for negative inputs that sit
// exactly on a decision threshold.
std::int16_t mulaw_decode(std::uint8_t code) noexcept;
std::uint8_t mulaw_encode(std::int16_t sample) noexcept;
constexpr std::uint8_t mulaw_silence = 0xFF;

}  // namespace vg::audio
