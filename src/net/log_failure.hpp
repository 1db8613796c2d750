// Completion handlers for asio::co_spawn that never swallow a failure: an exception that ends the
// coroutine is logged as "<what>: <the exception's text>" before anything else happens.
//
//   asio::co_spawn(ex, watch(), net::log_failure("the configuration watcher stopped"));
//   asio::co_spawn(ex, download(...), net::log_failure(call_sid, "recording not stored", [busy] (auto...) {}));
//
// `then`, when given, is called afterwards with the same arguments (the exception_ptr, and the
// coroutine's value if it has one), e.g. to clean up or to fall back.
#pragma once
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "net/log.hpp"

namespace vg::net {

// The text of an exception: what() for a std::exception, else a fixed phrase.
inline std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

struct no_then {
  template <class... Args>
  void operator()(Args&&...) const noexcept {}
};

template <class Then = no_then>
auto log_failure(std::string call_sid, std::string what, Then then = {}) {
  return [call_sid = std::move(call_sid), what = std::move(what), then = std::move(then)](std::exception_ptr e,
                                                                                            auto&&... values) mutable {
    if (e) log::error(call_sid, what + ": " + describe(e));
    then(e, std::forward<decltype(values)>(values)...);
  };
}

inline auto log_failure(std::string what) { return log_failure(std::string(), std::move(what)); }

}  // namespace vg::net
