#include "net/ws_router.hpp"

namespace vg::net {

void ws_router::add(std::initializer_list<std::string_view> paths, const handler& h) {
  for (std::string_view p : paths) routes_[std::string(p)] = h;
}

awaitable<void> ws_router::route(http_request req, ws_upgrade upgrade) const {
  const auto it = routes_.find(std::string(req.path()));
  if (it == routes_.end()) {
    http_response refusal{404, "text/plain; charset=utf-8", "no WebSocket here\n", {}};
    co_await upgrade.reject(std::move(refusal));
    co_return;
  }
  co_await it->second(std::move(req), std::move(upgrade));
}

}  // namespace vg::net
