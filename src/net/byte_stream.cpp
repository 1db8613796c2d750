#include "net/byte_stream.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

namespace vg::net {
namespace {

void deliver_read(const std::weak_ptr<io_target*>& target, error_code ec, std::size_t n) {
  if (auto t = target.lock()) (*t)->on_read(ec, n);
}
void deliver_written(const std::weak_ptr<io_target*>& target, error_code ec) {
  if (auto t = target.lock()) (*t)->on_written(ec);
}

// The I/O that plain and TLS streams share; `Stream` is tcp::socket or ssl::stream over one.
template <class Stream>
class stream_io : public byte_stream {
 public:
  template <class... Args>
  explicit stream_io(Args&&... args) : stream_(std::forward<Args>(args)...) {
    error_code ignored;
    stream_.lowest_layer().set_option(tcp::no_delay(true), ignored);
  }
  awaitable<std::size_t> read_some(asio::mutable_buffer buf, error_code& ec) override {
    auto [e, n] = co_await stream_.async_read_some(buf, nothrow);
    ec = e;
    co_return n;
  }
  awaitable<std::size_t> write_all(asio::const_buffer buf, error_code& ec) override {
    auto [e, n] = co_await asio::async_write(stream_, buf, nothrow);
    ec = e;
    co_return n;
  }
  void async_write_all(asio::const_buffer buf, std::weak_ptr<io_target*> target) override {
    asio::async_write(stream_, buf, [t = std::move(target)](error_code ec, std::size_t) { deliver_written(t, ec); });
  }
  void async_read_some(asio::mutable_buffer buf, std::weak_ptr<io_target*> target) override {
    stream_.async_read_some(buf, [t = std::move(target)](error_code ec, std::size_t n) { deliver_read(t, ec, n); });
  }
  void close() noexcept override {
    error_code ignored;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.lowest_layer().close(ignored);
  }

 protected:
  Stream stream_;
};

class tcp_stream final : public stream_io<tcp::socket> {
 public:
  explicit tcp_stream(tcp::socket s) : stream_io(std::move(s)) {}
  void shutdown_send() noexcept override {
    error_code ignored;
    stream_.shutdown(tcp::socket::shutdown_send, ignored);
  }
  int release_native() noexcept override {
    error_code ec;
    const int fd = stream_.release(ec);
    return ec ? -1 : fd;
  }
};

class tls_stream final : public stream_io<asio::ssl::stream<tcp::socket>> {
 public:
  tls_stream(tcp::socket s, asio::ssl::context& ctx) : stream_io(std::move(s), ctx) {}
  void shutdown_send() noexcept override {}
  int release_native() noexcept override { return -1; }

  awaitable<error_code> handshake(const std::string& host) {
    if (!SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str())) {
      co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    stream_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback(asio::ssl::host_name_verification(host));
    auto [e] = co_await stream_.async_handshake(asio::ssl::stream_base::client, nothrow);
    co_return e;
  }
};

}  // namespace

std::unique_ptr<byte_stream> make_tcp_stream(tcp::socket socket) {
  return std::make_unique<tcp_stream>(std::move(socket));
}

std::unique_ptr<byte_stream> make_tls_client_stream(tcp::socket socket, asio::ssl::context& ctx) {
  return std::make_unique<tls_stream>(std::move(socket), ctx);
}

awaitable<error_code> tls_handshake(byte_stream& stream, const std::string& host) {
  auto* tls = dynamic_cast<tls_stream*>(&stream);
  if (tls == nullptr) co_return error_code(asio::error::operation_not_supported);
  co_return co_await tls->handshake(host);
}

}  // namespace vg::net
