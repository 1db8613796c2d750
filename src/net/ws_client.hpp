// Opens a client WebSocket to ws:// or wss:// URL (resolve, connect, TLS with SNI and
// certificate verification, upgrade), all within one deadline.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "net/ws_connection.hpp"

namespace vg::net {

struct ws_client_options {
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};
  asio::ssl::context* tls = nullptr;  // required for wss://; must outlive the connection
  ws_connection::limits limits{};
};

awaitable<result<std::unique_ptr<ws_connection>>> ws_connect(asio::any_io_executor ex, std::string url,
                                                             ws_client_options options);

}  // namespace vg::net
