#include "app/gather/gather_conversation.hpp"

#include <boost/json.hpp>

#include "core/json_fields.hpp"
#include "core/openai/chat_tools.hpp"

namespace vg::app {
namespace js = boost::json;

gather_conversation gather_conversation::opening(std::string call_sid, std::string org_id, std::string assistant_id,
                                                 std::string_view greeting) {
  gather_conversation c;
  c.row_.call_sid = std::move(call_sid);
  c.row_.org_id = std::move(org_id);
  c.row_.assistant_id = std::move(assistant_id);
  c.row_.version = 0;  // nothing stored yet
  if (!greeting.empty()) c.messages_.push_back(openai::assistant_message(greeting));
  return c;
}

result<gather_conversation> gather_conversation::from_row(const ports::gather_conversation& row) {
  gather_conversation c;
  c.row_ = row;
  js::error_code ec;
  js::value messages = js::parse(row.messages, ec);
  if (ec || !messages.is_array()) return make_error("the stored messages are not a JSON array");
  c.messages_ = std::move(messages.as_array());
  if (!row.usage.empty()) {
    auto u = billing::usage_from_json(row.usage);
    if (!u) return make_error("the stored usage is unreadable: " + u.error_message());
    c.usage_ = *u;
  }
  return c;
}

ports::gather_conversation gather_conversation::next_row(std::int64_t now_ms) const {
  ports::gather_conversation out = row_;
  out.messages = js::serialize(messages_);
  out.usage = usage_ == billing::token_usage{} ? std::string() : js::serialize(billing::to_json(usage_));
  out.version = row_.version + 1;
  out.updated_at_ms = now_ms;
  return out;
}

std::string gather_conversation::last_words() const {
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
    const js::object* m = it->if_object();
    if (m == nullptr || json_fields::string_at(*m, "role") != "assistant") continue;
    std::string words = json_fields::string_at(*m, "content");
    if (!words.empty()) return words;
  }
  return {};
}

}  // namespace vg::app
