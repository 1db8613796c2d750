// WAV headers (see wav.hpp for the byte layout), a minimal chunk walker, G.711 mu-law.
#include "core/audio/wav.hpp"

#include <algorithm>
#include <limits>

namespace vg::audio {
namespace {

constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();

std::uint32_t cap32(std::uint64_t v) noexcept { return static_cast<std::uint32_t>(std::min(v, u32_max)); }

void put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint16_t get16(std::string_view s, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(s[at]) | (static_cast<std::uint8_t>(s[at + 1]) << 8));
}
std::uint32_t get32(std::string_view s, std::size_t at) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + i])) << (8 * i);
  return v;
}

std::uint16_t block_align_of(std::uint16_t channels, std::uint16_t bits) noexcept {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(channels * ((bits + 7u) / 8u), 0xFFFF));
}
bool is_pcm(std::uint16_t format) noexcept { return format == wav_format_pcm; }

// RIFF size: everything after the first 8 bytes, including a pad byte after odd data.
std::uint32_t riff_size(std::uint16_t format, std::uint32_t data_bytes) noexcept {
  return cap32(std::uint64_t{wav_header_size(format)} - 8 + data_bytes + (data_bytes & 1u));
}
std::uint32_t fact_samples(std::uint16_t channels, std::uint16_t bits, std::uint32_t data_bytes) noexcept {
  const std::uint16_t align = block_align_of(channels, bits);
  return align == 0 ? 0 : data_bytes / align;
}

}  // namespace

std::size_t wav_header_size(std::uint16_t format) noexcept { return is_pcm(format) ? 44 : 58; }

std::string wav_header(std::uint16_t format, std::uint16_t channels, std::uint32_t sample_rate,
                       std::uint16_t bits_per_sample, std::uint32_t data_bytes) {
  const bool pcm = is_pcm(format);
  const std::uint16_t align = block_align_of(channels, bits_per_sample);
  std::string h;
  h.reserve(wav_header_size(format));
  h += "RIFF";
  put32(h, riff_size(format, data_bytes));
  h += "WAVE";
  h += "fmt ";
  put32(h, pcm ? 16 : 18);
  put16(h, format);
  put16(h, channels);
  put32(h, sample_rate);
  put32(h, cap32(std::uint64_t{sample_rate} * align));
  put16(h, align);
  put16(h, bits_per_sample);
  if (!pcm) {
    put16(h, 0);  // cbSize: no format extension
    h += "fact";
    put32(h, 4);
    put32(h, fact_samples(channels, bits_per_sample, data_bytes));
  }
  h += "data";
  put32(h, data_bytes);
  return h;
}

std::string wav_size_patch::bytes() const {
  std::string s;
  put32(s, value);
  return s;
}

std::vector<wav_size_patch> wav_size_patches(std::uint16_t format, std::uint16_t channels,
                                             std::uint16_t bits_per_sample, std::uint32_t data_bytes) {
  std::vector<wav_size_patch> p;
  p.push_back({4, riff_size(format, data_bytes)});
  if (!is_pcm(format)) p.push_back({46, fact_samples(channels, bits_per_sample, data_bytes)});
  p.push_back({wav_header_size(format) - 4, data_bytes});
  return p;
}

result<wav_info> parse_wav(std::string_view file) {
  if (file.size() < 12 || file.substr(0, 4) != "RIFF" || file.substr(8, 4) != "WAVE") {
    return make_error("not a RIFF/WAVE file");
  }
  const std::uint64_t riff_end = std::uint64_t{get32(file, 4)} + 8;
  if (riff_end > file.size()) return make_error("RIFF size past the end of the file");
  wav_info info;
  bool have_fmt = false;
  std::uint64_t at = 12;
  while (at + 8 <= riff_end) {
    const std::string_view id = file.substr(at, 4);
    const std::uint32_t size = get32(file, at + 4);
    const std::uint64_t body = at + 8;
    if (body + size > riff_end) return make_error("chunk past the end of the RIFF data");
    if (id == "fmt ") {
      if (size < 16) return make_error("fmt chunk too short");
      info.format = get16(file, body);
      info.channels = get16(file, body + 2);
      info.sample_rate = get32(file, body + 4);
      const std::uint32_t byte_rate = get32(file, body + 8);
      info.block_align = get16(file, body + 12);
      info.bits_per_sample = get16(file, body + 14);
      if (info.channels == 0 || info.sample_rate == 0 || info.bits_per_sample == 0) {
        return make_error("zero channels, sample rate or bits per sample");
      }
      if (info.block_align == 0 || info.block_align != block_align_of(info.channels, info.bits_per_sample)) {
        return make_error("block align does not match channels and bits per sample");
      }
      if (std::uint64_t{byte_rate} != std::uint64_t{info.sample_rate} * info.block_align) {
        return make_error("byte rate does not match sample rate and block align");
      }
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt) return make_error("data chunk before fmt chunk");
      info.data_offset = static_cast<std::size_t>(body);
      info.data_size = size;
      return info;
    }
    at = body + size + (size & 1u);  // chunks are padded to an even size
  }
  return make_error(have_fmt ? "no data chunk" : "no fmt chunk");
}

std::int16_t mulaw_decode(std::uint8_t code) noexcept {
  const int u = ~code & 0xFF;
  const int magnitude = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
  return static_cast<std::int16_t>((u & 0x80) ? (0x84 - magnitude) : (magnitude - 0x84));
}

std::uint8_t mulaw_encode(std::int16_t sample) noexcept {
  constexpr int bias = 0x84;
  constexpr int clip = 32635;
  int v = sample;
  int sign = 0;
  if (v < 0) {
    v = -v;
    sign = 0x80;
  }
  v = std::min(v, clip) + bias;
  int exponent = 7;
  for (int mask = 0x4000; (v & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (v >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa) & 0xFF);
}

}  // namespace vg::audio
