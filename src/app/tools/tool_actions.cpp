// The one place a tool's action is dispatched: a std::visit over agent::tool_action picks the
// family's `perform` (record_actions.cpp, messaging_actions.cpp, call_control_actions.cpp).
// The action was read and checked when the document was imported, so every kind here is one
// this server runs.
#include "app/tools/action_families.hpp"
#include "app/tools/action_support.hpp"

namespace vg::app {

awaitable<tool_outcome> run_action(tool_runner& runner, tool_context ctx, agent::tool_def tool, boost::json::object args) {
  if (ctx.org == nullptr || ctx.assistant == nullptr) co_return actions::failed("This line has no organisation set up.");
  // Named, not a temporary inside the co_await (docs/decisions/0002).
  auto start = [&](const auto& action) { return actions::perform(runner, ctx, tool.name, action, std::move(args)); };
  auto running = std::visit(start, tool.action);
  auto out = co_await std::move(running);
  co_return out;
}

}  // namespace vg::app
