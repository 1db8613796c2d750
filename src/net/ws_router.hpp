// WebSocket upgrades routed by path: each kind of WebSocket (Twilio's media stream, later the
// dashboard's feed or a browser's test call) is a route of its own, not a branch inside
// another's handler. An upgrade to a path with no route is refused with 404.
#pragma once
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/http_server.hpp"

namespace vg::net {

class ws_router {
 public:
  using handler = std::function<awaitable<void>(http_request, ws_upgrade)>;

  // Set up before the server starts; read-only afterwards (so routing takes no lock).
  void add(std::initializer_list<std::string_view> paths, const handler& h);
  bool has(std::string_view path) const { return routes_.contains(std::string(path)); }
  awaitable<void> route(http_request req, ws_upgrade upgrade) const;

 private:
  std::unordered_map<std::string, handler> routes_;
};

}  // namespace vg::net
