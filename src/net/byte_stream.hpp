// A connected byte stream, plain TCP or TLS, behind one small interface so the WebSocket
// code is written once. Lives on one executor; not thread-safe.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>

#include "net/asio.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::net {

class byte_stream {
 public:
  virtual ~byte_stream() = default;
  virtual awaitable<std::size_t> read_some(asio::mutable_buffer buf, error_code& ec) = 0;
  virtual awaitable<std::size_t> write_all(asio::const_buffer buf, error_code& ec) = 0;
  // Callback form for the media path: no coroutine frame per write. `done` runs on the
  // stream's executor.
  using write_handler = std::function<void(error_code)>;
  virtual void async_write_all(asio::const_buffer buf, write_handler done) = 0;
  using read_handler = std::function<void(error_code, std::size_t)>;
  virtual void async_read_some(asio::mutable_buffer buf, read_handler done) = 0;
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
