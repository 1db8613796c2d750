// RFC 6455 WebSocket framing: header parsing, header writing and masking.
// Pure and allocation-free; the I/O layer (net/ws_connection) owns buffers and sockets.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vg::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
};

constexpr bool is_control(opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

struct frame_header {
  bool fin = false;
  opcode op = opcode::text;
  bool masked = false;
  std::uint32_t mask_key = 0;      // bytes in wire order, packed little-endian
  std::uint64_t payload_size = 0;
  std::size_t header_size = 0;     // 2 to 14 bytes
};

enum class parse_status { complete, need_more, protocol_error };

// Parses a frame header from `data`. Rejects reserved bits, unknown opcodes, oversized or
// fragmented control frames, and payloads larger than `max_payload`.
parse_status parse_header(const std::uint8_t* data, std::size_t n, std::uint64_t max_payload,
                          frame_header& out) noexcept;

constexpr std::size_t max_header_size = 14;

// Writes a header for one frame; returns its size. `mask_key` is used when `masked`.
std::size_t write_header(std::uint8_t* out, opcode op, std::uint64_t payload_size, bool fin,
                         bool masked, std::uint32_t mask_key) noexcept;

// XORs `n` bytes with the mask, `offset` bytes into the payload (so a payload can be unmasked
// in pieces as it arrives).
void apply_mask(std::uint8_t* data, std::size_t n, std::uint32_t mask_key, std::size_t offset) noexcept;

// Close codes (RFC 6455 7.4.1).
constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_protocol_error = 1002;
constexpr std::uint16_t close_too_big = 1009;

}  // namespace vg::ws
