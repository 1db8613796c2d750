// A connected byte stream, plain TCP or TLS, behind one small interface so the WebSocket
// code is written once. Lives on one executor; not thread-safe.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>

#include "net/asio.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::net {

// Receives the completions of byte_stream's callback operations. Held through a weak
// reference: a completion that arrives after the target was destroyed is dropped.
struct io_target {
  virtual void on_read(error_code ec, std::size_t n) = 0;
  virtual void on_written(error_code ec) = 0;

 protected:
  ~io_target() = default;
};

class byte_stream {
 public:
  virtual ~byte_stream() = default;
  virtual awaitable<std::size_t> read_some(asio::mutable_buffer buf, error_code& ec) = 0;
  virtual awaitable<std::size_t> write_all(asio::const_buffer buf, error_code& ec) = 0;
  // Callback forms for the media path: no coroutine frame and no std::function per operation.
  // The completion goes to `target` on the stream's executor, unless the target is gone.
  virtual void async_read_some(asio::mutable_buffer buf, std::weak_ptr<struct io_target*> target) = 0;
  virtual void async_write_all(asio::const_buffer buf, std::weak_ptr<struct io_target*> target) = 0;
  // Ends the byte stream now; pending operations complete with an error.
  virtual void close() noexcept = 0;
  // Half-close after the last write (TCP FIN), so the peer reads the end cleanly.
  virtual void shutdown_send() noexcept = 0;
  // Hands the socket over (to move a plain TCP stream to another thread's context).
  // Returns -1 when not possible (TLS keeps state that cannot move).
  virtual int release_native() noexcept = 0;
};

std::unique_ptr<byte_stream> make_tcp_stream(tcp::socket socket);
// A TLS client stream over a connected socket; `ctx` must outlive it.
std::unique_ptr<byte_stream> make_tls_client_stream(tcp::socket socket, asio::ssl::context& ctx);
// Performs the TLS client handshake (SNI + host name verification) on a stream made above.
awaitable<error_code> tls_handshake(byte_stream& stream, const std::string& host);

}  // namespace vg::net
