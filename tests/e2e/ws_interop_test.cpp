// Our WebSocket framing (core/ws + net/ws_connection) against an independent implementation,
// Boost.Beast's websocket::stream, in both roles, over real loopback sockets.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "net/http_server.hpp"
#include "net/ws_client.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace asio::experimental::awaitable_operators;

std::string sized_message(std::size_t n, char seed) {
  std::string s(n, 'x');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i + static_cast<std::size_t>(seed)) % 26);
  return s;
}

const std::vector<std::size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 200000};

// Echo server built on our ws_connection.
awaitable<void> echo(net::ws_connection* ws) {
  std::string_view message;
  for (;;) {
    const bool got = co_await ws->read(message);
    if (!got) break;
    ws->send_text(message);
  }
}

awaitable<void> serve_echo(net::http_request, net::ws_upgrade upgrade) {
  auto ws = co_await upgrade.accept();
  if (!ws) co_return;
  co_await (echo(ws.get()) || ws->run_writer());
  co_await ws->close_gracefully(std::chrono::milliseconds(200));
}

TEST(ws_interop, beast_client_talks_to_our_server) {
  fakes::event_loop loop;
  net::http_server server({&loop.context()},
                          {[](net::http_request) -> awaitable<net::http_response> { co_return net::http_response{}; },
                           [](net::http_request r, net::ws_upgrade u) { return serve_echo(std::move(r), std::move(u)); }});
  const auto port = server.listen("127.0.0.1", 0);

  asio::io_context ctx;
  websocket::stream<tcp::socket> ws(ctx);
  ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ws.handshake("127.0.0.1", "/echo");
  for (const std::size_t n : sizes) {
    const std::string out = sized_message(n, static_cast<char>(n % 7));
    ws.text(true);
    ws.write(asio::buffer(out));
    beast::flat_buffer in;
    ws.read(in);
    EXPECT_TRUE(beast::buffers_to_string(in.data()) == out) << n;
  }
  // A fragmented message (Beast splits it into 1000-byte frames) comes back whole.
  ws.auto_fragment(true);
  ws.write_buffer_bytes(1000);
  const std::string big = sized_message(5000, 3);
  ws.write(asio::buffer(big));
  beast::flat_buffer in;
  ws.read(in);
  EXPECT_TRUE(beast::buffers_to_string(in.data()) == big);
  ws.ping({});  // our side answers with a pong; Beast consumes it during the next read
  ws.write(asio::buffer(std::string("after ping")));
  beast::flat_buffer in2;
  ws.read(in2);
  EXPECT_EQ(beast::buffers_to_string(in2.data()), "after ping");
  ws.close(websocket::close_code::normal);
  loop.run_sync([](net::http_server* s) -> awaitable<void> {
    s->stop();
    co_return;
  }(&server));
}

TEST(ws_interop, our_client_talks_to_a_beast_server) {
  asio::io_context ctx;
  tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  std::thread beast_server([&] {
    tcp::socket socket(ctx);
    acceptor.accept(socket);
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept();
    for (;;) {
      beast::flat_buffer buf;
      error_code ec;
      ws.read(buf, ec);
      if (ec) break;
      ws.text(true);
      ws.write(buf.data(), ec);
      if (ec) break;
    }
  });

  fakes::event_loop loop;
  const bool all_echoed = loop.run_sync([](asio::any_io_executor ex, std::uint16_t p) -> awaitable<bool> {
    auto conn = co_await net::ws_connect(ex, "ws://127.0.0.1:" + std::to_string(p) + "/x", net::ws_client_options{});
    if (!conn) co_return false;
    net::ws_connection& ws = **conn;
    bool ok = true;
    for (const std::size_t n : sizes) {
      const std::string out = sized_message(n, 1);
      ws.send_text(out);
      std::string_view back;
      const bool got = co_await ws.read(back);  // sends leave on their own; no writer loop needed
      if (!got || back != out) ok = false;
    }
    co_await ws.close_gracefully(std::chrono::milliseconds(200));
    co_return ok;
  }(loop.executor(), port));
  EXPECT_TRUE(all_echoed);
  beast_server.join();
}

}  // namespace
}  // namespace vg
