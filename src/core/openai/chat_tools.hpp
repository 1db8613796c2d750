// Chat Completions as a conversation with tools (docs/protocols/chat-completions.md#conversations-with-tools):
// the messages, the request carrying the assistant's functions, and the answer, which is
// either words to say or function calls to run and answer with `tool` messages before asking
// again. Used by the gather flow (app/gather). Pure; nothing here throws for any input.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/result.hpp"

namespace vg::openai {

// {"role": "system"|"user"|"assistant", "content": text}
boost::json::object system_message(std::string_view text);
boost::json::object user_message(std::string_view text);
boost::json::object assistant_message(std::string_view text);
// {"role": "tool", "tool_call_id": id, "content": output}: the answer to one function call.
boost::json::object tool_message(std::string_view tool_call_id, std::string_view output);

// {"model", "messages", "tools"} (tools left out when there are none: the API refuses an empty
// list). With tools and `allow_tools` false, "tool_choice": "none": the model must answer in
// words (the last round of a turn).
std::string conversation_request(std::string_view model, const boost::json::array& messages,
                                 const boost::json::array& tools, bool allow_tools = true);

// One function call of an answer (choices[0].message.tool_calls[i]).
struct tool_call {
  std::string id;         // answered by the tool message with this tool_call_id
  std::string name;
  std::string arguments;  // JSON text as the model wrote it (may be invalid: the runner checks)
  bool operator==(const tool_call&) const = default;
};

struct chat_answer {
  std::string text;                   // what the assistant says (its content, or its refusal); may be empty
  std::vector<tool_call> tool_calls;  // functions to run before asking again
  std::string finish_reason;          // stop, tool_calls, length, ...
  // The assistant message to add to the conversation, as the API takes it back:
  // {"role":"assistant","content":text|null,"tool_calls":[{"id","type":"function","function":{"name","arguments"}}]}.
  boost::json::object message;
};

// The answer of a completion body. Errors (plain English): not a completion, an API error
// object, no choices or message, a tool call without an id or a name, finish_reason
// content_filter. An answer with neither words nor calls is not an error (text is empty).
result<chat_answer> parse_chat_answer(std::string_view body);

}  // namespace vg::openai
