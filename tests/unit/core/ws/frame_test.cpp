// RFC 6455 framing: the examples of section 5.7, truncation, protocol errors, masking.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/ws/frame.hpp"

namespace vg::ws {
namespace {

constexpr std::uint64_t big_max = std::uint64_t{1} << 62;

// The mask key as frame_header stores it: the four wire bytes, in memory order.
std::uint32_t key_of(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  const std::uint8_t bytes[4] = {a, b, c, d};
  std::uint32_t k = 0;
  std::memcpy(&k, bytes, 4);
  return k;
}

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> v;
  for (const int b : list) v.push_back(static_cast<std::uint8_t>(b));
  return v;
}

std::string as_text(const std::uint8_t* p, std::size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

// Every prefix shorter than the header needs more; every longer one parses the same header.
void expect_prefixes_behave(const std::vector<std::uint8_t>& frame, const frame_header& full) {
  for (std::size_t n = 0; n < full.header_size; ++n) {
    frame_header h;
    EXPECT_EQ(parse_header(frame.data(), n, big_max, h), parse_status::need_more) << "prefix " << n;
  }
  for (std::size_t n = full.header_size; n <= frame.size(); ++n) {
    frame_header h;
    ASSERT_EQ(parse_header(frame.data(), n, big_max, h), parse_status::complete) << "prefix " << n;
    EXPECT_EQ(h.header_size, full.header_size);
    EXPECT_EQ(h.payload_size, full.payload_size);
  }
}

// --- RFC 6455 section 5.7 -----------------------------------------------------------------------

TEST(ws_frame, rfc_single_frame_unmasked_text) {
  const auto frame = bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  frame_header h;
  ASSERT_EQ(parse_header(frame.data(), frame.size(), 1 << 20, h), parse_status::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.mask_key, 0u);
  EXPECT_EQ(h.payload_size, 5u);
  EXPECT_EQ(h.header_size, 2u);
  EXPECT_EQ(as_text(frame.data() + h.header_size, h.payload_size), "Hello");
  expect_prefixes_behave(frame, h);

  std::uint8_t out[max_header_size];
  ASSERT_EQ(write_header(out, opcode::text, 5, true, false, 0), 2u);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 2), bytes({0x81, 0x05}));
}

TEST(ws_frame, rfc_single_frame_masked_text) {
  auto frame = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  frame_header h;
  ASSERT_EQ(parse_header(frame.data(), frame.size(), 1 << 20, h), parse_status::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.mask_key, key_of(0x37, 0xfa, 0x21, 0x3d));
  EXPECT_EQ(h.payload_size, 5u);
  EXPECT_EQ(h.header_size, 6u);
  expect_prefixes_behave(frame, h);
  apply_mask(frame.data() + 6, 5, h.mask_key, 0);
  EXPECT_EQ(as_text(frame.data() + 6, 5), "Hello");

  std::uint8_t out[max_header_size];
  ASSERT_EQ(write_header(out, opcode::text, 5, true, true, key_of(0x37, 0xfa, 0x21, 0x3d)), 6u);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 6), bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d}));
}

TEST(ws_frame, rfc_fragmented_unmasked_text) {
  const auto first = bytes({0x01, 0x03, 0x48, 0x65, 0x6c});
  const auto second = bytes({0x80, 0x02, 0x6c, 0x6f});
  frame_header h;
  ASSERT_EQ(parse_header(first.data(), first.size(), 100, h), parse_status::complete);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_EQ(h.payload_size, 3u);
  ASSERT_EQ(parse_header(second.data(), second.size(), 100, h), parse_status::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::continuation);
  EXPECT_EQ(h.payload_size, 2u);
  EXPECT_EQ(as_text(first.data() + 2, 3) + as_text(second.data() + 2, 2), "Hello");

  std::uint8_t out[max_header_size];
  write_header(out, opcode::text, 3, false, false, 0);
  EXPECT_EQ(out[0], 0x01);
  write_header(out, opcode::continuation, 2, true, false, 0);
  EXPECT_EQ(out[0], 0x80);
}

TEST(ws_frame, rfc_ping_and_masked_pong) {
  const auto ping = bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  frame_header h;
  ASSERT_EQ(parse_header(ping.data(), ping.size(), 100, h), parse_status::complete);
  EXPECT_EQ(h.op, opcode::ping);
  EXPECT_TRUE(is_control(h.op));
  EXPECT_EQ(h.payload_size, 5u);

  auto pong = bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  ASSERT_EQ(parse_header(pong.data(), pong.size(), 100, h), parse_status::complete);
  EXPECT_EQ(h.op, opcode::pong);
  EXPECT_TRUE(h.masked);
  apply_mask(pong.data() + h.header_size, 5, h.mask_key, 0);
  EXPECT_EQ(as_text(pong.data() + h.header_size, 5), "Hello");
}

TEST(ws_frame, rfc_256_byte_binary_uses_the_16_bit_length) {
  auto frame = bytes({0x82, 0x7E, 0x01, 0x00});
  frame.resize(4 + 256, 0xAB);
  frame_header h;
  ASSERT_EQ(parse_header(frame.data(), frame.size(), 1 << 20, h), parse_status::complete);
  EXPECT_EQ(h.op, opcode::binary);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.payload_size, 256u);
  EXPECT_EQ(h.header_size, 4u);
  expect_prefixes_behave(std::vector<std::uint8_t>(frame.begin(), frame.begin() + 8), h);

  std::uint8_t out[max_header_size];
  ASSERT_EQ(write_header(out, opcode::binary, 256, true, false, 0), 4u);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 4), bytes({0x82, 0x7E, 0x01, 0x00}));
}

TEST(ws_frame, rfc_64KiB_binary_uses_the_64_bit_length) {
  auto frame = bytes({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
  frame_header h;
  ASSERT_EQ(parse_header(frame.data(), frame.size(), 1 << 20, h), parse_status::complete);
  EXPECT_EQ(h.op, opcode::binary);
  EXPECT_EQ(h.payload_size, 65536u);
  EXPECT_EQ(h.header_size, 10u);
  expect_prefixes_behave(frame, h);

  std::uint8_t out[max_header_size];
  ASSERT_EQ(write_header(out, opcode::binary, 65536, true, false, 0), 10u);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 10), frame);
}

TEST(ws_frame, masked_64_bit_header_is_14_bytes_and_needs_all_of_them) {
  std::uint8_t out[max_header_size];
  const std::size_t n = write_header(out, opcode::binary, 70000, true, true, key_of(1, 2, 3, 4));
  ASSERT_EQ(n, max_header_size);
  EXPECT_EQ(std::vector<std::uint8_t>(out + 10, out + 14), bytes({1, 2, 3, 4}));
  frame_header h;
  ASSERT_EQ(parse_header(out, n, big_max, h), parse_status::complete);
  EXPECT_EQ(h.payload_size, 70000u);
  EXPECT_EQ(h.mask_key, key_of(1, 2, 3, 4));
  expect_prefixes_behave(std::vector<std::uint8_t>(out, out + n), h);
}

// --- write_header -------------------------------------------------------------------------------

TEST(ws_frame, write_then_parse_round_trips) {
  const std::uint64_t sizes[] = {0, 1, 125, 126, 127, 256, 65535, 65536, 1u << 20, std::uint64_t{1} << 33,
                                 (std::uint64_t{1} << 63) - 1};
  const opcode ops[] = {opcode::continuation, opcode::text, opcode::binary};
  for (const std::uint64_t size : sizes) {
    for (const opcode op : ops) {
      for (const bool fin : {false, true}) {
        for (const bool masked : {false, true}) {
          std::uint8_t buf[max_header_size];
          const std::size_t n = write_header(buf, op, size, fin, masked, 0xA1B2C3D4);
          const std::size_t expected_size = (size < 126 ? 2 : size <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
          ASSERT_EQ(n, expected_size) << size;
          frame_header h;
          ASSERT_EQ(parse_header(buf, n, ~std::uint64_t{0}, h), parse_status::complete) << size;
          EXPECT_EQ(h.payload_size, size);
          EXPECT_EQ(h.header_size, n);
          EXPECT_EQ(h.op, op);
          EXPECT_EQ(h.fin, fin);
          EXPECT_EQ(h.masked, masked);
          EXPECT_EQ(h.mask_key, masked ? 0xA1B2C3D4u : 0u);
        }
      }
    }
  }
}

TEST(ws_frame, control_frames_round_trip) {
  for (const opcode op : {opcode::close, opcode::ping, opcode::pong}) {
    for (const std::uint64_t size : {0u, 2u, 125u}) {
      std::uint8_t buf[max_header_size];
      const std::size_t n = write_header(buf, op, size, true, true, 7);
      frame_header h;
      ASSERT_EQ(parse_header(buf, n, 1000, h), parse_status::complete);
      EXPECT_EQ(h.op, op);
      EXPECT_EQ(h.payload_size, size);
    }
  }
}

// --- protocol errors ------------------------------------------------------------------------------

TEST(ws_frame, reserved_bits_are_protocol_errors) {
  for (const int rsv : {0x40, 0x20, 0x10, 0x70}) {
    const auto frame = bytes({0x81 | rsv, 0x00});
    frame_header h;
    EXPECT_EQ(parse_header(frame.data(), frame.size(), 100, h), parse_status::protocol_error) << rsv;
  }
}

TEST(ws_frame, unknown_opcodes_are_protocol_errors) {
  for (const int op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    const auto frame = bytes({0x80 | op, 0x00});
    frame_header h;
    EXPECT_EQ(parse_header(frame.data(), frame.size(), 100, h), parse_status::protocol_error) << op;
  }
  for (const int op : {0x0, 0x1, 0x2, 0x8, 0x9, 0xA}) {
    const auto frame = bytes({0x80 | op, 0x00});
    frame_header h;
    EXPECT_EQ(parse_header(frame.data(), frame.size(), 100, h), parse_status::complete) << op;
  }
}

TEST(ws_frame, fragmented_control_frames_are_protocol_errors) {
  for (const int op : {0x8, 0x9, 0xA}) {
    const auto frame = bytes({op, 0x00});  // FIN clear
    frame_header h;
    EXPECT_EQ(parse_header(frame.data(), frame.size(), 100, h), parse_status::protocol_error) << op;
  }
}

TEST(ws_frame, control_frames_over_125_bytes_are_protocol_errors) {
  frame_header h;
  const auto ok = bytes({0x89, 0x7D});  // 125
  EXPECT_EQ(parse_header(ok.data(), ok.size(), 1000, h), parse_status::complete);
  for (const int op : {0x88, 0x89, 0x8A}) {
    const auto len126 = bytes({op, 0x7E, 0x00, 0x7E});
    EXPECT_EQ(parse_header(len126.data(), len126.size(), 1000, h), parse_status::protocol_error) << op;
    const auto len64k = bytes({op, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0});
    EXPECT_EQ(parse_header(len64k.data(), len64k.size(), big_max, h), parse_status::protocol_error) << op;
  }
}

TEST(ws_frame, payloads_over_the_limit_are_protocol_errors) {
  frame_header h;
  const auto at_limit = bytes({0x82, 0x64});  // 100
  EXPECT_EQ(parse_header(at_limit.data(), at_limit.size(), 100, h), parse_status::complete);
  const auto over = bytes({0x82, 0x65});  // 101
  EXPECT_EQ(parse_header(over.data(), over.size(), 100, h), parse_status::protocol_error);
  const auto over16 = bytes({0x82, 0x7E, 0x10, 0x00});
  EXPECT_EQ(parse_header(over16.data(), over16.size(), 0x0FFF, h), parse_status::protocol_error);
  const auto over64 = bytes({0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0});
  EXPECT_EQ(parse_header(over64.data(), over64.size(), 0xFFFFFFFF, h), parse_status::protocol_error);
  // Over the limit is known from the length alone: no need to wait for the mask key.
  const auto masked_over = bytes({0x82, 0xE5});
  EXPECT_EQ(parse_header(masked_over.data(), masked_over.size(), 100, h), parse_status::protocol_error);
}

TEST(ws_frame, a_64_bit_length_with_the_top_bit_set_is_a_protocol_error) {
  const auto frame = bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0});
  frame_header h;
  EXPECT_EQ(parse_header(frame.data(), frame.size(), ~std::uint64_t{0}, h), parse_status::protocol_error);
}

// --- masking ---------------------------------------------------------------------------------------

TEST(ws_frame, apply_mask_matches_bytewise_xor_for_every_offset_and_length) {
  const std::uint32_t key = key_of(0xA1, 0xB2, 0xC3, 0xD4);
  const std::uint8_t k[4] = {0xA1, 0xB2, 0xC3, 0xD4};
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len = 0; len <= 40; ++len) {
      // Unaligned start inside a bigger buffer, with guard bytes on both sides.
      std::vector<std::uint8_t> buf(len + 2, 0x5A), expect(len + 2, 0x5A);
      for (std::size_t i = 0; i < len; ++i) {
        buf[1 + i] = static_cast<std::uint8_t>(i * 31 + offset * 7);
        expect[1 + i] = static_cast<std::uint8_t>(buf[1 + i] ^ k[(offset + i) % 4]);
      }
      apply_mask(buf.data() + 1, len, key, offset);
      ASSERT_EQ(buf, expect) << "offset " << offset << " length " << len;
    }
  }
}

TEST(ws_frame, masking_in_pieces_equals_masking_at_once) {
  const std::uint32_t key = key_of(0x37, 0xfa, 0x21, 0x3d);
  std::vector<std::uint8_t> original(257);
  for (std::size_t i = 0; i < original.size(); ++i) original[i] = static_cast<std::uint8_t>(i * 13 + 1);
  std::vector<std::uint8_t> whole = original;
  apply_mask(whole.data(), whole.size(), key, 0);
  for (const std::size_t piece : {1u, 2u, 3u, 5u, 7u, 8u, 9u, 64u}) {
    std::vector<std::uint8_t> pieces = original;
    for (std::size_t at = 0; at < pieces.size(); at += piece) {
      apply_mask(pieces.data() + at, std::min(piece, pieces.size() - at), key, at);
    }
    EXPECT_EQ(pieces, whole) << piece;
  }
  apply_mask(whole.data(), whole.size(), key, 0);  // masking is its own inverse
  EXPECT_EQ(whole, original);
}

TEST(ws_frame, close_codes) {
  EXPECT_EQ(close_normal, 1000);
  EXPECT_EQ(close_going_away, 1001);
  EXPECT_EQ(close_protocol_error, 1002);
  EXPECT_EQ(close_too_big, 1009);
}

}  // namespace
}  // namespace vg::ws
