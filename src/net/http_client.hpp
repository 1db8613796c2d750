// A small HTTP/1.1 client (http:// and https://) for REST calls and webhooks: one request per
// connection, a deadline on the whole exchange, bounded response size.
#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "net/asio.hpp"
#include "net/headers.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::net {

struct client_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is the content of this file instead of `body`, sent a piece at a time
  // (with its Content-Length) so that a large upload is never whole in memory.
  std::string body_file;
};

struct client_response {
  int status = 0;
  header_list headers;  // names lower-cased
  std::string body;
  std::string header(std::string_view lower_name) const;
};

struct client_options {
  std::chrono::milliseconds timeout{10000};
  asio::ssl::context* tls = nullptr;  // required for https://
  std::size_t max_body = 64 * 1024 * 1024;
};

// Any answer from the server is a response, whatever its status. Errors' kinds: invalid (a bad
// URL), unreachable (resolving, connecting, TLS, sending, reading, the timeout), too_large (a
// body over max_body), other (the body file cannot be read).
awaitable<result<client_response>> http_fetch(asio::any_io_executor ex, client_request request,
                                              client_options options = {});

}  // namespace vg::net
