// vg::result<T>: a value or an error (a human-readable message and what kind of failure it is),
// for parsing untrusted input and for adapters' answers. Pure value type; no exceptions on the
// error path. Code that reacts to a failure asks its kind, never the words of its message.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace vg {

enum class error_kind : std::uint8_t {
  other,        // not told apart by any caller (most parse errors)
  invalid,      // the request itself is wrong: retrying it cannot help
  not_found,    // the thing asked for does not exist
  not_ready,    // not there yet: the same request may succeed a little later
  unreachable,  // the other side could not be reached or did not answer in time
  too_large,    // more than the limit allows
};

struct error {
  std::string message;
  error_kind kind = error_kind::other;
};

template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  result(error e) : v_(std::move(e)) {}                  // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error_message() const { return std::get<1>(v_).message; }
  vg::error_kind error_kind() const { return std::get<1>(v_).kind; }
  // The whole error, to pass on unchanged: `if (!r) return r.failure();`.
  const error& failure() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

inline error make_error(std::string message, error_kind kind = error_kind::other) {
  return error{std::move(message), kind};
}

}  // namespace vg
