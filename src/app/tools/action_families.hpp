// One `perform` per action kind, grouped by family in their own files; run_action
// (tool_actions.cpp) picks the one for a tool's action with a single std::visit. Each returns
// what the model should hear: facts on success, the truth on failure. Every parameter is
// taken by value: these are coroutines, and the caller's objects may not outlive them.
#pragma once
#include <string>

#include <boost/json/object.hpp>

#include "app/tools/tool_runner.hpp"
#include "core/agent/tool_action.hpp"

namespace vg::app::actions {

using args_t = boost::json::object;

// Records (record_actions.cpp): a collection of the organisation's records.
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::save_record a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::update_record a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::cancel_record a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::look_up_record a, args_t args);

// Messaging (messaging_actions.cpp): SMS to the caller, the owner, and signed webhooks.
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::send_sms a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::notify_owner a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::post_webhook a, args_t args);

// Call control (call_control_actions.cpp): what happens to the call after the reply.
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::transfer_call a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::end_call a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::press_digits a, args_t args);
awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::conference_user a,
                                args_t args);

}  // namespace vg::app::actions
