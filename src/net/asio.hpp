// Common Asio spellings for the I/O layers. Coroutine hygiene for GCC 12 (docs/architecture.md#coroutines):
// completion tokens are always explicit; expected failures come back as tuples, not throws.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vg {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
template <class T = void>
using awaitable = asio::awaitable<T>;
constexpr auto use_awaitable = asio::use_awaitable;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace vg
