// vg::result<T>: a value or a human-readable error, for parsing untrusted input.
// Pure value type; no exceptions on the error path.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace vg {

struct error {
  std::string message;
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

 private:
  std::variant<T, error> v_;
};

inline error make_error(std::string message) { return error{std::move(message)}; }

}  // namespace vg
