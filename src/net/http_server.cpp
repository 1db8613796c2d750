#include "net/http_server.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/ws/handshake.hpp"
#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::net {
namespace beast = boost::beast;
namespace http = beast::http;

std::string_view http_request::header(std::string_view lower_name) const { return find_header(headers, lower_name); }
std::string_view http_request::path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}
std::string_view http_request::query() const {
  const std::string_view t = target;
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::string_view status_text(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

namespace {

// A header value with CR or LF would let data from a request start a header of its own: they
// are replaced, whatever the handler put there.
std::string header_safe(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// The status line and the headers, up to the empty line.
std::string response_head(const http_response& r, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(status_text(r.status)) + "\r\n";
  if (r.status != 204) {
    out += "Content-Type: " + header_safe(r.content_type) + "\r\n";
    out += "Content-Length: " + std::to_string(r.stream ? r.stream->size : r.body.size()) + "\r\n";
  }
  for (const auto& [n, v] : r.headers) out += header_safe(n) + ": " + header_safe(v) + "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

// A whole small answer (refusals before a handler runs).
std::string serialize_response(const http_response& r, bool keep_alive) {
  std::string out = response_head(r, keep_alive);
  if (r.status != 204) out += r.body;
  return out;
}

// The pieces of a streamed body, each written before the next is read: one piece in memory.
awaitable<bool> send_streamed_body(tcp::socket& socket, const streamed_body& body, std::uint64_t already_sent) {
  const std::uint64_t piece = std::max<std::uint64_t>(body.piece, 1);
  for (std::uint64_t offset = already_sent; offset < body.size;) {
    auto bytes = co_await body.read(offset, std::min(piece, body.size - offset));
    if (!bytes || bytes->empty() || bytes->size() > body.size - offset) {
      log::warn("streamed response cut at byte " + std::to_string(offset) + " of " + std::to_string(body.size) + ": " +
                (bytes ? std::string("the source returned no bytes") : bytes.error_message()));
      co_return false;
    }
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(*bytes), nothrow);
    if (ec) co_return false;
    offset += bytes->size();
  }
  co_return true;
}

bool header_has_token(std::string_view value, std::string_view token) {
  return lower_case(value).find(token) != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ws_upgrade::ws_upgrade(tcp::socket socket, std::string already_read, std::string client_key)
    : socket_(std::move(socket)), already_read_(std::move(already_read)), client_key_(std::move(client_key)) {}
ws_upgrade::ws_upgrade(ws_upgrade&&) noexcept = default;
ws_upgrade::~ws_upgrade() = default;

asio::any_io_executor ws_upgrade::executor() { return socket_.get_executor(); }

awaitable<std::unique_ptr<ws_connection>> ws_upgrade::accept(ws_connection::limits limits) {
  const std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
      ws::accept_key(client_key_) + "\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(response), nothrow);
  if (ec) co_return nullptr;
  auto ex = socket_.get_executor();
  co_return std::make_unique<ws_connection>(ex, make_tcp_stream(std::move(socket_)), ws_connection::role::server,
                                            std::move(already_read_), limits);
}

awaitable<void> ws_upgrade::reject(http_response response) {
  const std::string out = serialize_response(response, false);
  co_await asio::async_write(socket_, asio::buffer(out), nothrow);
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

// ---------------------------------------------------------------------------------------------

struct http_server::impl {
  std::vector<asio::io_context*> shards;
  http_handlers handlers;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;

  std::size_t body_limit = 1024 * 1024;  // larger bodies are answered 413

  awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    error_code ignored;
    const std::string peer = stream.socket().remote_endpoint(ignored).address().to_string();
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(body_limit);
      parser.header_limit(16 * 1024);
      stream.expires_after(std::chrono::seconds(30));
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, nothrow);
      if (ec == http::error::body_limit) {
        const std::string out = serialize_response({413, "text/plain", "request body too large\n", {}}, false);
        co_await asio::async_write(stream.socket(), asio::buffer(out), nothrow);
        co_return;
      }
      if (ec) co_return;  // closed, timed out or not HTTP: nothing to answer
      stream.expires_never();
      auto message = parser.release();
      http_request req;
      req.method = std::string(message.method_string());
      req.target = std::string(message.target());
      req.body = std::move(message.body());
      req.peer = peer;
      for (const auto& field : message) req.headers.emplace_back(lower_case(field.name_string()), std::string(field.value()));

      if (header_has_token(message[http::field::upgrade], "websocket") &&
          header_has_token(message[http::field::connection], "upgrade")) {
        const std::string key(message[http::field::sec_websocket_key]);
        const auto data = buffer.data();
        std::string already_read(static_cast<const char*>(data.data()), data.size());
        if (key.empty() || message[http::field::sec_websocket_version] != "13" || !handlers.on_upgrade) {
          const std::string out = serialize_response({400, "text/plain", "bad WebSocket upgrade\n", {}}, false);
          co_await asio::async_write(stream.socket(), asio::buffer(out), nothrow);
          co_return;
        }
        // Named, not a temporary in the co_await expression: GCC 12 destroys such temporaries
        // twice (see docs/decisions/0002-gcc12-coroutine-rules.md).
        ws_upgrade upgrade(stream.release_socket(), std::move(already_read), key);
        co_await handlers.on_upgrade(std::move(req), std::move(upgrade));
        co_return;
      }

      const bool keep_alive = message.keep_alive();
      const bool head = message.method() == http::verb::head;
      http_response res = co_await handlers.on_request(std::move(req));
      const std::string out = response_head(res, keep_alive);
      // Head and body in one write without copying the body behind the head; a HEAD answer has
      // the headers of a GET but never a body.
      const bool with_body = res.status != 204 && !head;
      const std::array<asio::const_buffer, 2> parts{asio::buffer(out), asio::buffer(res.body.data(), with_body ? res.body.size() : 0)};
      auto [werr, wn] = co_await asio::async_write(stream.socket(), parts, nothrow);
      bool sent = !werr;
      if (sent && res.stream && with_body) sent = co_await send_streamed_body(stream.socket(), *res.stream, res.body.size());
      if (!sent || !keep_alive) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  awaitable<void> accept_loop(tcp::acceptor& acceptor) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        log::warn("accept failed: " + ec.message());
        continue;  // e.g. EMFILE: keep serving the calls we have
      }
      auto ex = socket.get_executor();
      asio::co_spawn(ex, serve(std::move(socket)), log_failure("connection ended by an unexpected error"));
    }
  }
};


http_server::http_server(std::vector<asio::io_context*> shards, http_handlers handlers, std::size_t max_request_body)
    : impl_(std::make_unique<impl>()) {
  impl_->shards = std::move(shards);
  impl_->handlers = std::move(handlers);
  impl_->body_limit = max_request_body;
}

http_server::~http_server() = default;

std::uint16_t http_server::listen(const std::string& address, std::uint16_t port) {
  const tcp::endpoint first(asio::ip::make_address(address), port);
  std::uint16_t bound = port;
  for (asio::io_context* ctx : impl_->shards) {
    auto acceptor = std::make_unique<tcp::acceptor>(*ctx);
    acceptor->open(first.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    const int one = 1;
    ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    acceptor->bind(tcp::endpoint(first.address(), bound));
    acceptor->listen(asio::socket_base::max_listen_connections);
    bound = acceptor->local_endpoint().port();
    tcp::acceptor& ref = *acceptor;
    impl_->acceptors.push_back(std::move(acceptor));
    asio::co_spawn(*ctx, impl_->accept_loop(ref), log_failure("accept loop ended by an unexpected error"));
  }
  return bound;
}

void http_server::stop() {
  for (auto& a : impl_->acceptors) {
    asio::post(a->get_executor(), [acc = a.get()] {
      error_code ignored;
      acc->close(ignored);
    });
  }
}

}  // namespace vg::net
