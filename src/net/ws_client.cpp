#include "net/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#include "core/base64.hpp"
#include "core/crypto.hpp"
#include "core/ws/handshake.hpp"

namespace vg::net {
namespace {

using connect_result = result<std::unique_ptr<ws_connection>>;

struct target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;
  std::string resource;  // path + query
};

result<target> parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return make_error("bad URL: " + url);
  target t;
  const auto scheme = u->scheme();
  if (scheme == "wss" || scheme == "https") t.tls = true;
  else if (scheme != "ws" && scheme != "http") return make_error("URL scheme must be ws:// or wss://: " + url);
  t.host = u->host_address();
  if (t.host.empty()) return make_error("URL without host: " + url);
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  t.host_header = u->has_port() ? t.host + ":" + t.port : t.host;
  t.resource = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.resource += "?" + std::string(u->encoded_query());
  return t;
}

awaitable<connect_result> connect_and_upgrade(asio::any_io_executor ex, target t, ws_client_options options) {
  tcp::resolver resolver(ex);
  auto [rerr, endpoints] = co_await resolver.async_resolve(t.host, t.port, nothrow);
  if (rerr) co_return make_error("cannot resolve " + t.host + ": " + rerr.message());
  tcp::socket socket(ex);
  auto [cerr, ep] = co_await asio::async_connect(socket, endpoints, nothrow);
  if (cerr) co_return make_error("cannot connect to " + t.host_header + ": " + cerr.message());

  std::unique_ptr<byte_stream> stream;
  if (t.tls) {
    if (options.tls == nullptr) co_return make_error("wss:// needs a TLS context");
    stream = make_tls_client_stream(std::move(socket), *options.tls);
    if (auto herr = co_await tls_handshake(*stream, t.host)) {
      co_return make_error("TLS handshake with " + t.host + " failed: " + herr.message());
    }
  } else {
    stream = make_tcp_stream(std::move(socket));
  }

  std::uint8_t nonce[16];
  crypto::random_bytes(nonce, sizeof nonce);
  const std::string key = base64::encode(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
  const std::string request = ws::client_request(t.host_header, t.resource, key, options.headers);
  error_code ec;
  co_await stream->write_all(asio::buffer(request), ec);
  if (ec) co_return make_error("cannot send upgrade request: " + ec.message());

  // Read the response head; bytes after the blank line already belong to the WebSocket.
  std::string buffer;
  std::size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    if (buffer.size() > 16384) co_return make_error("upgrade response head too large");
    char chunk[2048];
    const std::size_t n = co_await stream->read_some(asio::buffer(chunk), ec);
    if (ec || n == 0) co_return make_error("connection closed during upgrade");
    buffer.append(chunk, n);
    head_end = buffer.find("\r\n\r\n");
  }
  auto head = ws::parse_response_head(std::string_view(buffer).substr(0, head_end + 4));
  if (!head) co_return head.failure();
  if (auto ok = ws::check_upgrade_response(*head, key); !ok) co_return ok.failure();
  co_return std::make_unique<ws_connection>(ex, std::move(stream), ws_connection::role::client,
                                            buffer.substr(head_end + 4), options.limits);
}

}  // namespace

awaitable<connect_result> ws_connect(asio::any_io_executor ex, std::string url, ws_client_options options) {
  using namespace asio::experimental::awaitable_operators;
  auto t = parse_target(url);
  if (!t) co_return t.failure();
  asio::steady_timer timer(ex);
  timer.expires_after(options.timeout);
  const auto timeout = options.timeout;
  auto outcome = co_await (connect_and_upgrade(ex, std::move(*t), std::move(options)) ||
                           timer.async_wait(use_awaitable));
  if (outcome.index() == 1) {
    co_return make_error("WebSocket connect timed out after " + std::to_string(timeout.count()) + " ms");
  }
  co_return std::move(std::get<0>(outcome));
}

}  // namespace vg::net
