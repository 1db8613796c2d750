// WAV headers byte for byte, size patching after streaming, the reader, and G.711 mu-law.
#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <string>

#include "core/audio/wav.hpp"

namespace vg::audio {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

std::string mulaw_stereo_header(std::uint32_t data) { return wav_header(wav_format_mulaw, 2, 8000, 8, data); }

void put32(std::string& s, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

TEST(wav, mulaw_stereo_8k_header_bytes) {
  const std::string expected = std::string("RIFF") + bytes({0x32, 0x7D, 0x00, 0x00}) +  // 50 + 32000
                               "WAVE" + "fmt " + bytes({18, 0, 0, 0}) +
                               bytes({7, 0, 2, 0}) +                  // format 7, 2 channels
                               bytes({0x40, 0x1F, 0, 0}) +            // 8000 Hz
                               bytes({0x80, 0x3E, 0, 0}) +            // 16000 bytes/s
                               bytes({2, 0, 8, 0, 0, 0}) +            // align 2, 8 bits, cbSize 0
                               "fact" + bytes({4, 0, 0, 0}) + bytes({0x80, 0x3E, 0, 0}) +  // 16000 frames
                               "data" + bytes({0x00, 0x7D, 0x00, 0x00});                   // 32000 bytes
  ASSERT_EQ(expected.size(), 58u);
  EXPECT_EQ(mulaw_stereo_header(32000), expected);
  EXPECT_EQ(wav_header_size(wav_format_mulaw), 58u);
}

TEST(wav, pcm_header_is_the_44_byte_canonical_one) {
  const std::string expected = std::string("RIFF") + bytes({36 + 100, 0, 0, 0}) + "WAVE" + "fmt " +
                               bytes({16, 0, 0, 0, 1, 0, 1, 0}) + bytes({0x80, 0x3E, 0, 0}) +  // 16000 Hz
                               bytes({0x00, 0x7D, 0, 0}) + bytes({2, 0, 16, 0}) + "data" +
                               bytes({100, 0, 0, 0});
  EXPECT_EQ(wav_header(wav_format_pcm, 1, 16000, 16, 100), expected);
  EXPECT_EQ(wav_header_size(wav_format_pcm), 44u);
}

TEST(wav, odd_data_size_counts_the_pad_byte) {
  const std::string h = wav_header(wav_format_mulaw, 1, 8000, 8, 7);
  EXPECT_EQ(static_cast<unsigned char>(h[4]), 50 + 7 + 1);
  EXPECT_EQ(static_cast<unsigned char>(h[54]), 7);
}

TEST(wav, patches_turn_a_zero_size_header_into_the_final_one) {
  for (std::uint16_t format : {wav_format_mulaw, wav_format_pcm}) {
    for (std::uint32_t data : {0u, 1u, 2u, 160u, 320001u, 0xFFFFFFF0u}) {
      std::string h = wav_header(format, 2, 8000, format == wav_format_pcm ? 16 : 8, 0);
      const auto patches = wav_size_patches(format, 2, format == wav_format_pcm ? 16 : 8, data);
      EXPECT_EQ(patches.size(), format == wav_format_pcm ? 2u : 3u);
      for (const auto& p : patches) {
        ASSERT_EQ(p.bytes().size(), 4u);
        ASSERT_LE(p.offset + 4, h.size());
        h.replace(p.offset, 4, p.bytes());
      }
      EXPECT_EQ(h, wav_header(format, 2, 8000, format == wav_format_pcm ? 16 : 8, data)) << format << " " << data;
    }
  }
  const auto p = wav_size_patches(wav_format_mulaw, 2, 8, 320);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].offset, 4u);
  EXPECT_EQ(p[0].value, 370u);
  EXPECT_EQ(p[1].offset, 46u);
  EXPECT_EQ(p[1].value, 160u);
  EXPECT_EQ(p[2].offset, 54u);
  EXPECT_EQ(p[2].value, 320u);
  EXPECT_EQ(p[2].bytes(), bytes({0x40, 0x01, 0, 0}));
}

TEST(wav, huge_sizes_are_capped_not_wrapped) {
  const std::string h = mulaw_stereo_header(0xFFFFFFFFu);
  EXPECT_EQ(h.substr(4, 4), bytes({0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(wav, parse_round_trip) {
  std::string file = mulaw_stereo_header(6) + "abcdef";
  const auto info = parse_wav(file);
  ASSERT_TRUE(info) << info.error_message();
  EXPECT_EQ(info->format, 7);
  EXPECT_EQ(info->channels, 2);
  EXPECT_EQ(info->sample_rate, 8000u);
  EXPECT_EQ(info->bits_per_sample, 8);
  EXPECT_EQ(info->block_align, 2);
  EXPECT_EQ(info->data_offset, 58u);
  EXPECT_EQ(info->data_size, 6u);
  EXPECT_EQ(file.substr(info->data_offset, info->data_size), "abcdef");

  const auto pcm = parse_wav(wav_header(wav_format_pcm, 1, 16000, 16, 4) + "wxyz");
  ASSERT_TRUE(pcm) << pcm.error_message();
  EXPECT_EQ(pcm->format, 1);
  EXPECT_EQ(pcm->sample_rate, 16000u);
  EXPECT_EQ(pcm->bits_per_sample, 16);
  EXPECT_EQ(pcm->data_offset, 44u);
  EXPECT_EQ(pcm->data_size, 4u);
}

TEST(wav, parse_skips_unknown_chunks_with_padding) {
  // fmt, then a 3-byte LIST chunk (+1 pad byte), then data.
  std::string h = wav_header(wav_format_pcm, 1, 8000, 8, 2);
  std::string file = h.substr(0, 36) + "LIST" + bytes({3, 0, 0, 0}) + "abc" + '\0' + h.substr(36) + "xy";
  put32(file, 4, static_cast<std::uint32_t>(file.size() - 8));
  const auto info = parse_wav(file);
  ASSERT_TRUE(info) << info.error_message();
  EXPECT_EQ(info->data_offset, 44u + 12u);
  EXPECT_EQ(file.substr(info->data_offset, info->data_size), "xy");
}

TEST(wav, malformed_headers_are_refused) {
  const std::string good = mulaw_stereo_header(4) + "abcd";
  ASSERT_TRUE(parse_wav(good));
  auto broken = [&](auto change) {
    std::string f = good;
    change(f);
    return !parse_wav(f).ok();
  };
  EXPECT_FALSE(parse_wav("").ok());
  EXPECT_FALSE(parse_wav("RIFF").ok());
  EXPECT_FALSE(parse_wav(good.substr(0, 57)).ok());                     // cut inside the header
  EXPECT_FALSE(parse_wav(good.substr(0, 60)).ok());                     // data shorter than its size
  EXPECT_TRUE(broken([](std::string& f) { f[3] = 'X'; }));              // RIFX
  EXPECT_TRUE(broken([](std::string& f) { f.replace(8, 4, "AVI "); }));
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 4, 1000); }));       // RIFF size past the end
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 16, 12); }));        // fmt too short
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 16, 0x7FFFFFFF); })); // fmt past the end
  EXPECT_TRUE(broken([](std::string& f) { f[22] = 0; }));               // zero channels
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 24, 0); }));         // zero rate
  EXPECT_TRUE(broken([](std::string& f) { f[34] = 0; }));               // zero bits
  EXPECT_TRUE(broken([](std::string& f) { f[32] = 4; }));               // block align
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 28, 8000); }));      // byte rate
  EXPECT_TRUE(broken([](std::string& f) { put32(f, 54, 5); }));         // data past the end
  EXPECT_TRUE(broken([](std::string& f) { f.replace(50, 4, "junk"); })); // no data chunk
  EXPECT_TRUE(broken([](std::string& f) { f.replace(12, 4, "junk"); })); // no fmt chunk
  // data before fmt
  const std::string h = wav_header(wav_format_pcm, 1, 8000, 8, 0);
  std::string swapped = h.substr(0, 12) + h.substr(36, 8) + h.substr(12, 24);
  EXPECT_FALSE(parse_wav(swapped).ok());
}

TEST(wav, mulaw_decode_known_values) {
  EXPECT_EQ(mulaw_decode(0xFF), 0);  // silence
  EXPECT_EQ(mulaw_decode(0x7F), 0);
  EXPECT_EQ(mulaw_decode(0x80), 32124);
  EXPECT_EQ(mulaw_decode(0x00), -32124);
  EXPECT_EQ(mulaw_decode(0xFE), 8);
  EXPECT_EQ(mulaw_decode(0x7E), -8);
  EXPECT_EQ(mulaw_decode(0xF0), 120);   // top of segment 0
  EXPECT_EQ(mulaw_decode(0xEF), 132);   // bottom of segment 1
  EXPECT_EQ(mulaw_decode(0x8F), 16764);
  EXPECT_EQ(mulaw_decode(0x0F), -16764);
  EXPECT_EQ(mulaw_decode(0xD5), 716);
  EXPECT_EQ(mulaw_decode(0x55), -716);
  EXPECT_EQ(mulaw_silence, 0xFF);
}

TEST(wav, mulaw_encode_known_values) {
  EXPECT_EQ(mulaw_encode(0), 0xFF);
  EXPECT_EQ(mulaw_encode(3), 0xFF);
  EXPECT_EQ(mulaw_encode(-3), 0x7F);
  EXPECT_EQ(mulaw_encode(4), 0xFE);
  EXPECT_EQ(mulaw_encode(-4), 0x7E);
  EXPECT_EQ(mulaw_encode(8), 0xFE);
  EXPECT_EQ(mulaw_encode(100), 0xF2);
  EXPECT_EQ(mulaw_encode(1000), 0xCE);
  EXPECT_EQ(mulaw_encode(-1000), 0x4E);
  EXPECT_EQ(mulaw_encode(4000), 0xAF);
  EXPECT_EQ(mulaw_encode(12345), 0x97);
  EXPECT_EQ(mulaw_encode(-12345), 0x17);
  EXPECT_EQ(mulaw_encode(32635), 0x80);
  EXPECT_EQ(mulaw_encode(32767), 0x80);   // clipped
  EXPECT_EQ(mulaw_encode(-32768), 0x00);  // no overflow on negation
}

TEST(wav, mulaw_round_trips_and_is_monotonic) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    if (code == 0x7F) continue;  // negative zero encodes back as 0xFF
    EXPECT_EQ(mulaw_encode(mulaw_decode(code)), code) << c;
  }
  for (int c = 1; c < 128; ++c) {
    EXPECT_LT(mulaw_decode(static_cast<std::uint8_t>(c - 1)), mulaw_decode(static_cast<std::uint8_t>(c)));
    EXPECT_GT(mulaw_decode(static_cast<std::uint8_t>(c + 127)), mulaw_decode(static_cast<std::uint8_t>(c + 128)));
    EXPECT_EQ(mulaw_decode(static_cast<std::uint8_t>(c)), -mulaw_decode(static_cast<std::uint8_t>(c + 128)));
  }
  // Quantisation error is at most half a step; steps double per segment (8 .. 1024).
  for (int x = -32635; x <= 32635; x += 7) {
    const int y = mulaw_decode(mulaw_encode(static_cast<std::int16_t>(x)));
    EXPECT_LE(std::abs(y - x), std::abs(x) / 16 + 8) << x;
  }
}

}  // namespace
}  // namespace vg::audio
