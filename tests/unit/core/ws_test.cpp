// WebSocket framing and handshake against RFC 6455's own examples.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/ws/frame.hpp"
#include "core/ws/handshake.hpp"

namespace vg::ws {
namespace {

TEST(frame, rfc_unmasked_hello) {
  const std::uint8_t data[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  frame_header h;
  ASSERT_EQ(parse_header(data, sizeof data, 1 << 20, h), parse_status::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.op, opcode::text);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_size, 5u);
  EXPECT_EQ(h.header_size, 2u);
  for (std::size_t n = 0; n < 2; ++n) EXPECT_EQ(parse_header(data, n, 1 << 20, h), parse_status::need_more);
}

TEST(frame, rfc_masked_hello) {
  std::uint8_t data[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  frame_header h;
  ASSERT_EQ(parse_header(data, sizeof data, 1 << 20, h), parse_status::complete);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.header_size, 6u);
  apply_mask(data + 6, 5, h.mask_key, 0);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(data + 6), 5), "Hello");
  for (std::size_t n = 0; n < 6; ++n) EXPECT_EQ(parse_header(data, n, 1 << 20, h), parse_status::need_more);
}

TEST(frame, extended_lengths_round_trip) {
  for (const std::uint64_t size : {0ull, 125ull, 126ull, 256ull, 65535ull, 65536ull, 1ull << 33}) {
    for (const bool masked : {false, true}) {
      std::uint8_t buf[max_header_size];
      const std::size_t n = write_header(buf, opcode::binary, size, true, masked, 0x11223344);
      frame_header h;
      ASSERT_EQ(parse_header(buf, n, ~0ull >> 1, h), parse_status::complete) << size;
      EXPECT_EQ(h.payload_size, size);
      EXPECT_EQ(h.header_size, n);
      EXPECT_EQ(h.masked, masked);
      if (masked) {
        EXPECT_EQ(h.mask_key, 0x11223344u);
      }
    }
  }
  const std::uint8_t rfc_256[] = {0x82, 0x7E, 0x01, 0x00};
  frame_header h;
  ASSERT_EQ(parse_header(rfc_256, sizeof rfc_256, 1 << 20, h), parse_status::complete);
  EXPECT_EQ(h.payload_size, 256u);
}

TEST(frame, protocol_errors) {
  frame_header h;
  const std::uint8_t rsv[] = {0xC1, 0x00};
  EXPECT_EQ(parse_header(rsv, 2, 100, h), parse_status::protocol_error);
  const std::uint8_t bad_op[] = {0x83, 0x00};
  EXPECT_EQ(parse_header(bad_op, 2, 100, h), parse_status::protocol_error);
  const std::uint8_t fragmented_ping[] = {0x09, 0x00};
  EXPECT_EQ(parse_header(fragmented_ping, 2, 100, h), parse_status::protocol_error);
  const std::uint8_t long_close[] = {0x88, 0x7E, 0x00, 0x80};
  EXPECT_EQ(parse_header(long_close, 4, 1000, h), parse_status::protocol_error);
  const std::uint8_t too_big[] = {0x81, 0x7E, 0x10, 0x00};
  EXPECT_EQ(parse_header(too_big, 4, 100, h), parse_status::protocol_error);
}

TEST(frame, mask_in_pieces_matches_bytewise_xor) {
  const std::uint32_t key = 0xA1B2C3D4;
  std::uint8_t k[4];
  std::memcpy(k, &key, 4);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len = 0; len <= 40; ++len) {
      std::vector<std::uint8_t> data(len), expect(len);
      for (std::size_t i = 0; i < len; ++i) {
        data[i] = static_cast<std::uint8_t>(i * 31 + offset);
        expect[i] = static_cast<std::uint8_t>(data[i] ^ k[(offset + i) & 3]);
      }
      apply_mask(data.data(), len, key, offset);
      ASSERT_EQ(data, expect) << offset << "/" << len;
    }
  }
}

TEST(handshake, rfc_accept_key) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(handshake, client_request_and_response) {
  const std::string req = client_request("api.example:443", "/v1/realtime?model=x", "KEY==", {{"Authorization", "Bearer k"}});
  EXPECT_EQ(req.rfind("GET /v1/realtime?model=x HTTP/1.1\r\nHost: api.example:443\r\n", 0), 0u);
  EXPECT_NE(req.find("Sec-WebSocket-Key: KEY==\r\n"), std::string::npos);
  EXPECT_NE(req.find("Authorization: Bearer k\r\n"), std::string::npos);
  EXPECT_TRUE(req.ends_with("\r\n\r\n"));

  const std::string good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  auto head = parse_response_head(good);
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(check_upgrade_response(*head, "dGhlIHNhbXBsZSBub25jZQ==").ok());
  EXPECT_FALSE(check_upgrade_response(*head, "other").ok());
  auto refused = parse_response_head("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 403);
  auto result = check_upgrade_response(*refused, "x");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error_message().find("403"), std::string::npos);
  EXPECT_FALSE(parse_response_head("SSH-2.0\r\n\r\n").ok());
}

}  // namespace
}  // namespace vg::ws
