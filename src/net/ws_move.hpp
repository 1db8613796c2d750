// Moves a server-side WebSocket connection to another thread's executor. A connection lives on
// one executor (docs/decisions/0003); when a media stream lands on a thread other than its
// call's, the socket is released and rebuilt there, with the bytes already read.
#pragma once
#include <functional>
#include <memory>

#include "net/asio.hpp"
#include "net/ws_connection.hpp"

namespace vg::net {

// `then` runs on `target` with the connection rebuilt there (or at once with it unchanged when
// it already lives on `target`). With nullptr when it could not be moved (a TLS connection, a
// socket that failed to re-open); the connection is closed then. Call only before the
// connection's writer started.
void move_connection(std::unique_ptr<ws_connection> conn, asio::any_io_executor target, ws_connection::limits limits,
                     std::function<void(std::unique_ptr<ws_connection>)> then);

}  // namespace vg::net
