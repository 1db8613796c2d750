// The reader every configuration parser shares (organisations, assistants, tool actions,
// assistant settings): it reads one JSON value and collects every problem with its field path
// ("assistants[0].settings.recording.own: must be true or false") instead of stopping at the
// first, so a person fixing a file sees all of them at once. Internal to core/agent.
#pragma once
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace vg::agent {

class config_reader {
 public:
  explicit config_reader(std::vector<std::string>& errors) : errors_(errors) {}

  void fail(const std::string& path, const std::string& message) { errors_.push_back(path + ": " + message); }

  // The object at `path`, or null after reporting; unknown keys are reported too.
  // The known keys come from config_fields.hpp, where the documentation checks read them too.
  const boost::json::object* object(const boost::json::value& v, const std::string& path,
                                    std::span<const std::string_view> known);
  const boost::json::object* object(const boost::json::value& v, const std::string& path,
                                    std::initializer_list<std::string_view> known) {
    return object(v, path, std::span<const std::string_view>(known.begin(), known.size()));
  }

  // Text at key ("" when absent or null). Numbers are taken as text only with number_ok
  // (ids written as numbers: org_id: 1).
  std::string text(const boost::json::object& o, const std::string& path, std::string_view key, bool required = false,
                   std::size_t max_len = 4000, bool number_ok = false);
  // A number of zero or more; nullopt when absent (or after reporting).
  std::optional<double> number(const boost::json::object& o, const std::string& path, std::string_view key);
  // A whole number from 0 to max; 0 when absent (or after reporting).
  int whole(const boost::json::object& o, const std::string& path, std::string_view key, int max);
  // The same, nullopt when absent: for settings whose absence must survive a round trip.
  std::optional<int> whole_if_given(const boost::json::object& o, const std::string& path, std::string_view key, int min,
                                    int max);
  // A number above zero and at most max; nullopt when absent (or after reporting).
  std::optional<double> positive(const boost::json::object& o, const std::string& path, std::string_view key, double max);
  // true or false; nullopt when absent (or after reporting).
  std::optional<bool> flag(const boost::json::object& o, const std::string& path, std::string_view key);
  std::vector<std::string> texts(const boost::json::object& o, const std::string& path, std::string_view key);

  // Calls fn(element, element_path) for each element of the list at key.
  template <class Fn>
  void each(const boost::json::object& o, const std::string& path, std::string_view key, Fn fn) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return;
    const auto* a = v->if_array();
    if (a == nullptr) {
      fail(join(path, key), "must be a list");
      return;
    }
    for (std::size_t i = 0; i < a->size(); ++i) fn((*a)[i], join(path, key) + "[" + std::to_string(i) + "]");
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

 private:
  std::vector<std::string>& errors_;
};

// A number as JSON: whole numbers as integers, so `max_call_seconds: 60` reads back as 60, not 60.0.
boost::json::value number_to_json(double d);

}  // namespace vg::agent
