#include "net/ws_move.hpp"

#include <boost/asio/post.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include "net/byte_stream.hpp"

namespace vg::net {

void move_connection(std::unique_ptr<ws_connection> conn, asio::any_io_executor target, ws_connection::limits limits,
                     std::function<void(std::unique_ptr<ws_connection>)> then) {
  if (conn->executor() == target) {
    then(std::move(conn));
    return;
  }
  std::string unread;
  const int fd = conn->release(unread);
  conn.reset();
  if (fd < 0) {
    asio::post(target, [then = std::move(then)] { then(nullptr); });
    return;
  }
  asio::post(target, [target, fd, unread = std::move(unread), limits, then = std::move(then)]() mutable {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
    error_code ec;
    tcp::socket socket(target);
    socket.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      then(nullptr);
      return;
    }
    then(std::make_unique<ws_connection>(target, make_tcp_stream(std::move(socket)), ws_connection::role::server,
                                         std::move(unread), limits));
  });
}

}  // namespace vg::net
