#include "tests/fakes/tls_terminator.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <cstdlib>
#include <stdexcept>

#include "net/log_failure.hpp"

namespace vg::fakes {
namespace ssl = asio::ssl;
using namespace asio::experimental::awaitable_operators;

struct tls_terminator::impl {
  event_loop loop;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{loop.context()};
  std::uint16_t backend = 0;
  std::string cert;

  template <class From, class To>
  static awaitable<void> pipe(From& from, To& to) {
    char buf[16384];
    for (;;) {
      auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), nothrow);
      if (ec) co_return;
      auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buf, n), nothrow);
      if (wec) co_return;
    }
  }

  static awaitable<void> serve(impl* self, tcp::socket socket) {
    ssl::stream<tcp::socket> tls(std::move(socket), self->ctx);
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::server, nothrow);
    if (hec) co_return;
    tcp::socket plain(self->loop.context());
    auto [cec] = co_await plain.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), self->backend), nothrow);
    if (cec) co_return;
    co_await (pipe(tls, plain) || pipe(plain, tls));
  }

  static awaitable<void> accept_loop(impl* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(nothrow);
      if (ec) co_return;
      asio::co_spawn(self->loop.executor(), serve(self, std::move(socket)), net::log_failure("tls_terminator: a connection failed"));
    }
  }
};

tls_terminator::tls_terminator(std::uint16_t backend_port, const std::string& dir) : impl_(std::make_unique<impl>()) {
  impl_->backend = backend_port;
  impl_->cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost "
                          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + impl_->cert +
                          " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a test certificate");
  impl_->ctx.use_certificate_chain_file(impl_->cert);
  impl_->ctx.use_private_key_file(key, ssl::context::pem);
  impl_->acceptor.open(tcp::v4());
  impl_->acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  impl_->acceptor.listen();
  asio::co_spawn(impl_->loop.executor(), impl::accept_loop(impl_.get()), net::log_failure("tls_terminator: the accept loop failed"));
}

tls_terminator::~tls_terminator() {
  impl_->loop.run_sync([](impl* i) -> awaitable<void> {
    error_code ignored;
    i->acceptor.close(ignored);
    co_return;
  }(impl_.get()));
  impl_->loop.stop();
}

std::uint16_t tls_terminator::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string tls_terminator::certificate_file() const { return impl_->cert; }

}  // namespace vg::fakes
