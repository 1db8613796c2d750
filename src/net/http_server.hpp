// HTTP/1.1 server with WebSocket upgrade, on one or more io_contexts ("shards"). Each shard
// gets its own acceptor on the same port (SO_REUSEPORT), so the kernel spreads connections
// and a connection lives on one thread for its whole life. Beast stays inside the .cpp.
// Handlers run on the connection's shard.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "net/headers.hpp"
#include "net/ws_connection.hpp"

namespace vg::net {


struct http_request {
  std::string method;
  std::string target;      // path and query exactly as sent
  header_list headers;     // names lower-cased
  std::string body;
  std::string peer;        // remote address

  std::string_view header(std::string_view lower_name) const;
  std::string_view path() const;
  std::string_view query() const;  // without '?'
};

// A body too large to hold in memory (a recording): `size` bytes in all, of which the response's
// `body` holds the first ones (read before answering, so that a storage failure can still be an
// error status); the rest is read piece by piece while it is sent. `read(offset, max)` returns
// 1..max bytes from `offset`; an error (or no bytes) closes the connection, since the status line
// is already out.
struct streamed_body {
  std::uint64_t size = 0;
  std::uint64_t piece = 1024 * 1024;  // the most asked of `read` at once (each may be a storage request)
  std::function<awaitable<result<std::string>>(std::uint64_t offset, std::uint64_t max)> read;
};

struct http_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  header_list headers;
  std::shared_ptr<const streamed_body> stream = nullptr;  // when set, sent after `body`
};

// Given to the upgrade handler, which must accept or reject.
class ws_upgrade {
 public:
  ws_upgrade(tcp::socket socket, std::string already_read, std::string client_key);
  ws_upgrade(ws_upgrade&&) noexcept;
  ~ws_upgrade();
  awaitable<std::unique_ptr<ws_connection>> accept(ws_connection::limits limits = {});
  awaitable<void> reject(http_response response);
  asio::any_io_executor executor();

 private:
  tcp::socket socket_;
  std::string already_read_;
  std::string client_key_;
};

struct http_handlers {
  std::function<awaitable<http_response>(http_request)> on_request;
  std::function<awaitable<void>(http_request, ws_upgrade)> on_upgrade;
};

class http_server {
 public:
  // The contexts must outlive the server. A request body over `max_request_body` bytes is
  // answered 413 (voxgate's own routes take small JSON and forms; a test's fake storage more).
  http_server(std::vector<asio::io_context*> shards, http_handlers handlers,
              std::size_t max_request_body = 1024 * 1024);
  ~http_server();
  // Binds every shard's acceptor to address:port (0 picks a free port) and starts accepting.
  // Returns the bound port. Throws on a bind failure (a start-up error).
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

std::string_view status_text(int status);

}  // namespace vg::net
