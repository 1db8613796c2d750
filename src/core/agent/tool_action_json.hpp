// Tool actions in and out of JSON. Reading refuses an unknown kind or field with its path
// ("assistants[0].tools[1].action.then_smss: is not a known field of the save action") and a
// bad value of the action alone (a transfer goes to `fallback` or an E.164 number, a webhook to
// an http(s) URL). What an action names elsewhere in the document (templates, collections, the
// tool's parameters, the organisation's numbers) is checked with the whole document
// (document_checks.hpp). Writing gives back what was read, as the user wrote it.
#pragma once
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "core/agent/config_reader.hpp"
#include "core/agent/tool_action.hpp"

namespace vg::agent {

// The action at `path`, or nullopt after reporting every problem to `r`.
std::optional<tool_action> read_action(config_reader& r, const boost::json::value& v, const std::string& path);

boost::json::object to_json(const tool_action& a);

}  // namespace vg::agent
