#include "net/ws_connection.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <cstring>

#include "core/crypto.hpp"

namespace vg::net {

ws_connection::ws_connection(asio::any_io_executor ex, std::unique_ptr<byte_stream> stream, role r,
                             std::string already_read)
    : ws_connection(std::move(ex), std::move(stream), r, std::move(already_read), limits{}) {}

ws_connection::ws_connection(asio::any_io_executor ex, std::unique_ptr<byte_stream> stream, role r,
                             std::string already_read, limits l)
    : ex_(ex), stream_(std::move(stream)), role_(r), limits_(l), reader_wake_(ex), wake_(ex) {
  wake_.expires_at(asio::steady_timer::time_point::max());
  reader_wake_.expires_at(asio::steady_timer::time_point::max());
  rbuf_.resize(std::max(limits_.initial_read_buffer, already_read.size()));
  std::memcpy(rbuf_.data(), already_read.data(), already_read.size());
  rend_ = already_read.size();
  crypto::random_bytes(reinterpret_cast<std::uint8_t*>(&mask_state_), sizeof mask_state_);
  mask_state_ |= 1;
}

ws_connection::~ws_connection() = default;

std::uint32_t ws_connection::next_mask() noexcept {
  // xorshift64*: masks only need to be unpredictable to a browser-side attacker (RFC 6455
  // 10.3); a CSPRNG-seeded generator is what browsers use too.
  mask_state_ ^= mask_state_ >> 12;
  mask_state_ ^= mask_state_ << 25;
  mask_state_ ^= mask_state_ >> 27;
  return static_cast<std::uint32_t>((mask_state_ * 0x2545F4914F6CDD1DULL) >> 32);
}

void ws_connection::wake_writer() noexcept {
  if (writer_waiting_) wake_.cancel();
}

bool ws_connection::send(ws::opcode op, std::string_view payload) {
  if (aborted_ || close_queued_) return false;
  if (out_.size() + payload.size() > limits_.max_queued) {
    overflowed_ = true;
    abort();
    return false;
  }
  const bool masked = role_ == role::client;
  const std::uint32_t key = masked ? next_mask() : 0;
  std::uint8_t header[ws::max_header_size];
  const std::size_t h = ws::write_header(header, op, payload.size(), true, masked, key);
  const std::size_t old = out_.size();
  out_.append(reinterpret_cast<const char*>(header), h);
  out_.append(payload);
  if (masked) ws::apply_mask(reinterpret_cast<std::uint8_t*>(out_.data() + old + h), payload.size(), key, 0);
  if (!writing_now_) start_write();
  return true;
}

void ws_connection::start_write() {
  std::swap(out_, writing_);
  writing_now_ = true;
  write_started_ = clock::now();
  stream_->async_write_all(asio::buffer(writing_), self_);
}

void ws_connection::on_written(error_code ec) {
  writing_now_ = false;
  writing_.clear();
  if (ec) {
    abort();
    wake_writer();
    return;
  }
  if (aborted_) {
    wake_writer();
    return;
  }
  if (!out_.empty()) {
    start_write();
    return;
  }
  if (close_queued_) {
    stream_->shutdown_send();
    wake_writer();
  }
}

void ws_connection::close(std::uint16_t code, std::string_view reason) {
  if (aborted_ || close_queued_) return;
  std::string body;
  body += static_cast<char>(code >> 8);
  body += static_cast<char>(code & 0xFF);
  body += reason.substr(0, 120);
  send(ws::opcode::close, body);
  close_queued_ = true;
}

void ws_connection::abort() noexcept {
  if (aborted_) return;
  aborted_ = true;
  stream_->close();  // in-flight reads and writes complete with an error
  wake_writer();
  wake_reader();
}

void ws_connection::fail(std::uint16_t code) noexcept {
  close(code);
  peer_closed_ = true;
}

bool ws_connection::write_stalled(clock::time_point now, clock::duration limit) const noexcept {
  return writing_now_ && now - write_started_ > limit;
}

int ws_connection::release(std::string& unread) noexcept {
  unread.assign(reinterpret_cast<const char*>(rbuf_.data() + rstart_), rend_ - rstart_);
  aborted_ = true;
  return stream_->release_native();
}

ws_connection::extract ws_connection::next_message(std::string_view& message) {
  for (;;) {
    ws::frame_header h;
    const std::size_t available = rend_ - rstart_;
    const auto status = ws::parse_header(rbuf_.data() + rstart_, available, limits_.max_message, h);
    if (status == ws::parse_status::protocol_error) {
      fail(ws::close_protocol_error);
      return extract::ended;
    }
    if (status != ws::parse_status::complete || available < h.header_size + h.payload_size) {
      // Make room for at least the rest of this frame before the next read.
      if (rstart_ == rend_) rstart_ = rend_ = 0;
      const std::size_t needed = status == ws::parse_status::complete
                                     ? h.header_size + static_cast<std::size_t>(h.payload_size)
                                     : available + ws::max_header_size;
      if (rbuf_.size() - rstart_ < needed || rend_ == rbuf_.size()) {
        if (rstart_ != 0) {
          std::memmove(rbuf_.data(), rbuf_.data() + rstart_, rend_ - rstart_);
          rend_ -= rstart_;
          rstart_ = 0;
        }
        if (rbuf_.size() < needed) rbuf_.resize(std::max(needed, rbuf_.size() * 2));
      }
      return extract::need_more;
    }
    if (h.masked != (role_ == role::server)) {
      fail(ws::close_protocol_error);
      return extract::ended;
    }
    std::uint8_t* payload = rbuf_.data() + rstart_ + h.header_size;
    const auto n = static_cast<std::size_t>(h.payload_size);
    rstart_ += h.header_size + n;
    if (h.masked) ws::apply_mask(payload, n, h.mask_key, 0);
    const std::string_view data(reinterpret_cast<const char*>(payload), n);
    switch (h.op) {
      case ws::opcode::ping:
        send(ws::opcode::pong, data);
        continue;
      case ws::opcode::pong:
        continue;
      case ws::opcode::close: {
        std::uint16_t code = ws::close_normal;
        if (n >= 2) code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
        close(code);  // echo, as RFC 6455 5.5.1 asks
        peer_closed_ = true;
        return extract::ended;
      }
      case ws::opcode::text:
      case ws::opcode::binary:
        if (in_fragmented_) {
          fail(ws::close_protocol_error);
          return extract::ended;
        }
        if (h.fin) {
          message = data;
          return extract::message;
        }
        in_fragmented_ = true;
        fragments_.assign(data);
        continue;
      case ws::opcode::continuation:
        if (!in_fragmented_ || fragments_.size() + n > limits_.max_message) {
          fail(in_fragmented_ ? ws::close_too_big : ws::close_protocol_error);
          return extract::ended;
        }
        fragments_.append(data);
        if (h.fin) {
          in_fragmented_ = false;
          message = fragments_;
          return extract::message;
        }
        continue;
    }
  }
}

awaitable<bool> ws_connection::read(std::string_view& message) {
  for (;;) {
    const extract e = next_message(message);
    if (e == extract::message) co_return true;
    if (e == extract::ended || aborted_) co_return false;
    error_code ec;
    const std::size_t got = co_await stream_->read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_), ec);
    if (ec || got == 0) co_return false;
    rend_ += got;
  }
}

void ws_connection::start_reading(message_handler on_message) {
  on_message_ = std::move(on_message);
  deliver_and_read_more();
}

void ws_connection::deliver_and_read_more() {
  std::string_view message;
  for (;;) {
    const extract e = next_message(message);
    if (e == extract::message) {
      on_message_(message);
      if (aborted_) break;  // the handler may end the connection
      continue;
    }
    if (e == extract::ended || aborted_) break;
    reading_now_ = true;
    stream_->async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_), self_);
    return;
  }
  reading_done_ = true;
  wake_reader();
}

void ws_connection::on_read(error_code ec, std::size_t n) {
  reading_now_ = false;
  if (ec || n == 0) {
    reading_done_ = true;
    wake_reader();
    return;
  }
  rend_ += n;
  deliver_and_read_more();
}

void ws_connection::wake_reader() noexcept {
  if (reader_waiting_) reader_wake_.cancel();
}

awaitable<void> ws_connection::run_reader() {
  while (!reading_done_ || reading_now_) {
    reader_waiting_ = true;
    co_await reader_wake_.async_wait(nothrow);
    reader_waiting_ = false;
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
      abort();  // the read in flight fails; its completion wakes us
      reading_done_ = true;
      if (!reading_now_) co_return;
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
}

awaitable<void> ws_connection::run_writer() {
  while (!finished()) {
    writer_waiting_ = true;
    co_await wake_.async_wait(nothrow);
    writer_waiting_ = false;
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
      // Our group is ending: stop the connection, but wait for the write in flight (its
      // completion wakes us; a cancelled state does not cancel the timer wait again).
      abort();
      if (!writing_now_) co_return;
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
}

awaitable<void> ws_connection::close_gracefully(std::chrono::milliseconds limit, std::uint16_t code) {
  if (!aborted_) close(code);
  if (!writing_now_ && !aborted_ && !out_.empty()) start_write();
  asio::steady_timer deadline(ex_);
  deadline.expires_after(limit);
  // Wait for the close frame to leave (or the deadline, which aborts); a completion wakes us.
  while (!finished()) {
    writer_waiting_ = true;
    wake_.expires_at(std::min(deadline.expiry(), asio::steady_timer::time_point::max()));
    co_await wake_.async_wait(nothrow);
    writer_waiting_ = false;
    if (asio::steady_timer::clock_type::now() >= deadline.expiry()) {
      abort();  // the write in flight now fails; its completion wakes us
      wake_.expires_at(asio::steady_timer::time_point::max());
    }
  }
  wake_.expires_at(asio::steady_timer::time_point::max());
  if (!aborted_) stream_->shutdown_send();
}

}  // namespace vg::net
