// One WebSocket connection (RFC 6455) over a byte_stream, client or server role.
// One reader and one writer (docs/architecture.md#sockets): read() yields whole messages; send_text() appends
// a framed message to the outgoing buffer and, when no write is in flight, starts one that
// takes everything queued (so a media frame and its mark leave in one syscall). Writes are
// callback-driven: no coroutine or timer per message. run_writer() is the writer's place in
// the call's `||` group: it returns when the connection is done and no write is in flight.
// Lives on one executor; not thread-safe. Control frames (ping, pong, close) are answered here.
#pragma once
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ws/frame.hpp"
#include "net/byte_stream.hpp"

namespace vg::net {

class ws_connection final : private io_target {
 public:
  enum class role { client, server };
  using clock = std::chrono::steady_clock;

  struct limits {
    std::size_t max_message = 16 * 1024 * 1024;  // larger messages close the connection (1009)
    std::size_t max_queued = 4 * 1024 * 1024;    // unsent bytes beyond this: the peer is too slow
    std::size_t initial_read_buffer = 4096;
  };

  ws_connection(asio::any_io_executor ex, std::unique_ptr<byte_stream> stream, role r, std::string already_read,
                limits l);
  ws_connection(asio::any_io_executor ex, std::unique_ptr<byte_stream> stream, role r, std::string already_read = {});
  ~ws_connection();

  // The next text or binary message; the view stays valid until the next read(). Returns
  // false when the connection closed (by either side) or failed.
  awaitable<bool> read(std::string_view& message);

  // The media path's reader: `on_message` is called for every message as it arrives, from
  // the read completion itself (no coroutine resumed per message). The view is valid during
  // the call only. Use either read() or this, not both.
  using message_handler = std::function<void(std::string_view)>;
  void start_reading(message_handler on_message);
  // Completes when reading has ended (peer closed, protocol error, failure or abort). Cancelled,
  // it aborts the connection and waits for the read in flight, like run_writer().
  awaitable<void> run_reader();

  // Queues a message. Returns false when closed or when the queue limit was hit (then the
  // connection is aborted: a peer that does not read must not grow our memory).
  bool send_text(std::string_view message) { return send(ws::opcode::text, message); }
  bool send(ws::opcode op, std::string_view payload);

  // Completes when the connection has ended (closed, failed or aborted) and no write is in
  // flight. Cancelled (its `||` group ended), it aborts the connection and still waits for
  // the in-flight write, so the connection can then be destroyed safely.
  awaitable<void> run_writer();

  // Queues a close frame; the writer sends it, then half-closes the stream.
  void close(std::uint16_t code = ws::close_normal, std::string_view reason = {});
  // Ends the connection at once (a failed or stalled peer).
  void abort() noexcept;
  // Best-effort: send what is queued plus a close frame, waiting at most `limit`.
  awaitable<void> close_gracefully(std::chrono::milliseconds limit, std::uint16_t code = ws::close_normal);

  // A write has been in progress for longer than `limit` (a half-dead socket).
  bool write_stalled(clock::time_point now, clock::duration limit) const noexcept;
  bool is_open() const noexcept { return !aborted_ && !peer_closed_; }
  std::size_t queued_bytes() const noexcept { return out_.size(); }
  // The connection was aborted because the peer let max_queued bytes pile up.
  bool overflowed() const noexcept { return overflowed_; }

  // Detaches the plain TCP socket and any bytes read but not consumed, so the connection can
  // be rebuilt on another executor. Only before run_writer() started; returns -1 for TLS.
  int release(std::string& unread) noexcept;
  const asio::any_io_executor& executor() const noexcept { return ex_; }

 private:
  enum class extract { message, need_more, ended };
  // Takes the next complete message out of the read buffer (answering control frames), or
  // makes room for more bytes.
  extract next_message(std::string_view& message);
  void deliver_and_read_more();
  void on_read(error_code ec, std::size_t n) override;
  void wake_reader() noexcept;
  void wake_writer() noexcept;
  void start_write();
  void on_written(error_code ec) override;
  bool finished() const noexcept { return !writing_now_ && (aborted_ || (close_queued_ && out_.empty())); }
  std::uint32_t next_mask() noexcept;
  void fail(std::uint16_t code) noexcept;

  asio::any_io_executor ex_;
  std::unique_ptr<byte_stream> stream_;
  role role_;
  limits limits_;

  std::vector<std::uint8_t> rbuf_;
  std::size_t rstart_ = 0;
  std::size_t rend_ = 0;
  std::string fragments_;
  bool in_fragmented_ = false;
  message_handler on_message_;
  asio::steady_timer reader_wake_;
  bool reader_waiting_ = false;
  bool reading_now_ = false;
  bool reading_done_ = false;

  std::string out_;      // frames waiting for the writer
  std::string writing_;  // frames being written
  asio::steady_timer wake_;
  bool writer_waiting_ = false;
  bool writing_now_ = false;
  clock::time_point write_started_{};
  bool close_queued_ = false;
  bool peer_closed_ = false;
  bool aborted_ = false;
  bool overflowed_ = false;
  std::uint64_t mask_state_;
  // Write completions hold a weak reference: a completion that runs after the connection
  // was destroyed (its socket closed under it) does nothing.
  std::shared_ptr<io_target*> self_ = std::make_shared<io_target*>(static_cast<io_target*>(this));
};

}  // namespace vg::net
