#include "core/ws/frame.hpp"

#include <cstring>

namespace vg::ws {

parse_status parse_header(const std::uint8_t* d, std::size_t n, std::uint64_t max_payload,
                          frame_header& out) noexcept {
  if (n < 2) return parse_status::need_more;
  const std::uint8_t b0 = d[0];
  const std::uint8_t b1 = d[1];
  if ((b0 & 0x70) != 0) return parse_status::protocol_error;  // RSV bits: no extension negotiated
  const auto op = static_cast<opcode>(b0 & 0x0F);
  switch (op) {
    case opcode::continuation: case opcode::text: case opcode::binary:
    case opcode::close: case opcode::ping: case opcode::pong: break;
    default: return parse_status::protocol_error;
  }
  out.fin = (b0 & 0x80) != 0;
  out.op = op;
  out.masked = (b1 & 0x80) != 0;
  std::uint64_t len = b1 & 0x7F;
  std::size_t pos = 2;
  if (len == 126) {
    if (n < 4) return parse_status::need_more;
    len = (std::uint64_t{d[2]} << 8) | d[3];
    pos = 4;
  } else if (len == 127) {
    if (n < 10) return parse_status::need_more;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | d[2 + i];
    if (len >> 63) return parse_status::protocol_error;
    pos = 10;
  }
  if (is_control(op) && (!out.fin || len > 125)) return parse_status::protocol_error;
  if (len > max_payload) return parse_status::protocol_error;
  if (out.masked) {
    if (n < pos + 4) return parse_status::need_more;
    std::memcpy(&out.mask_key, d + pos, 4);
    pos += 4;
  } else {
    out.mask_key = 0;
  }
  out.payload_size = len;
  out.header_size = pos;
  return parse_status::complete;
}

std::size_t write_header(std::uint8_t* o, opcode op, std::uint64_t size, bool fin, bool masked,
                         std::uint32_t mask_key) noexcept {
  o[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0) | static_cast<std::uint8_t>(op));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  std::size_t pos = 2;
  if (size < 126) {
    o[1] = static_cast<std::uint8_t>(mask_bit | size);
  } else if (size <= 0xFFFF) {
    o[1] = mask_bit | 126;
    o[2] = static_cast<std::uint8_t>(size >> 8);
    o[3] = static_cast<std::uint8_t>(size);
    pos = 4;
  } else {
    o[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) o[2 + i] = static_cast<std::uint8_t>(size >> (56 - 8 * i));
    pos = 10;
  }
  if (masked) {
    std::memcpy(o + pos, &mask_key, 4);
    pos += 4;
  }
  return pos;
}

void apply_mask(std::uint8_t* data, std::size_t n, std::uint32_t mask_key, std::size_t offset) noexcept {
  std::uint8_t key[4];
  std::memcpy(key, &mask_key, 4);
  std::size_t i = 0;
  // Align to the key so the bulk can go 8 bytes at a time.
  for (; i < n && ((offset + i) & 3) != 0; ++i) data[i] ^= key[(offset + i) & 3];
  std::uint64_t wide = 0;
  std::memcpy(&wide, key, 4);
  std::memcpy(reinterpret_cast<std::uint8_t*>(&wide) + 4, key, 4);
  for (; i + 8 <= n; i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= wide;
    std::memcpy(data + i, &chunk, 8);
  }
  for (; i < n; ++i) data[i] ^= key[(offset + i) & 3];
}

}  // namespace vg::ws
