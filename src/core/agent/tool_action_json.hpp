// Tool actions in and out of JSON. Reading refuses an unknown kind or field with its path
// ("assistants[0].tools[1].action.then_smss: is not a known field of the save action") and
// checks what is cheap to check against the assistant: template names exist, a transfer goes
// to `fallback` or an E.164 number, a webhook is an http(s) URL, a lookup's `by` is one of the
// tool's parameters. Writing gives back what was read, as the user wrote it.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/agent/config_reader.hpp"
#include "core/agent/tool_action.hpp"

namespace vg::agent {

// What an action may refer to: the assistant's templates and the tool's parameter schema.
struct action_scope {
  const std::vector<std::pair<std::string, std::string>>& templates;
  const boost::json::value& parameters;
};

// The action at `path`, or nullopt after reporting every problem to `r`.
std::optional<tool_action> read_action(config_reader& r, const boost::json::value& v, const std::string& path,
                                       const action_scope& scope);

boost::json::object to_json(const tool_action& a);

}  // namespace vg::agent
