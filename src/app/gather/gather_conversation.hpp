// A gather call's conversation between two of Twilio's webhooks (settings.mode: gather): the
// Chat Completions messages after the system message, which is rebuilt every turn from the
// assistant as a realtime call's instructions are, and the call's token usage so far. Kept in
// the store as a ports::gather_conversation, whose version makes a stale writer lose, so that
// any node sharing the database can answer the next turn.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "core/billing/cost.hpp"
#include "core/result.hpp"
#include "ports/store.hpp"

namespace vg::app {

class gather_conversation {
 public:
  // The conversation as the voice webhook starts it: the assistant has said its greeting.
  static gather_conversation opening(std::string call_sid, std::string org_id, std::string assistant_id,
                                     std::string_view greeting);
  // The stored conversation; an error naming what is wrong when its messages or usage are not
  // what save wrote.
  static result<gather_conversation> from_row(const ports::gather_conversation& row);

  // The row to save after this turn: the version after the one read (1 for an opening).
  ports::gather_conversation next_row(std::int64_t now_ms) const;

  const std::string& call_sid() const { return row_.call_sid; }
  const std::string& org_id() const { return row_.org_id; }
  const std::string& assistant_id() const { return row_.assistant_id; }
  bool ended() const { return row_.ended_at_ms != 0; }
  boost::json::array& messages() { return messages_; }
  const boost::json::array& messages() const { return messages_; }
  const billing::token_usage& usage() const { return usage_; }
  void add_usage(const billing::token_usage& u) { usage_.add(u); }
  // What the assistant said last (its greeting at first): repeated when the caller said nothing.
  std::string last_words() const;

 private:
  ports::gather_conversation row_;  // as read (messages and usage are the fields below)
  boost::json::array messages_;
  billing::token_usage usage_;
};

}  // namespace vg::app
