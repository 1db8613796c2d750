#include "app/events/log_subscriber.hpp"

#include "net/log.hpp"

namespace vg::app {
namespace {

void log_note(std::string_view sid, const call::note& n) {
  using k = call::note_kind;
  const std::string text(n.text);
  switch (n.kind) {
    case k::stream_started: log::info(sid, "stream started " + text); break;
    case k::first_audio: log::info(sid, "first assistant audio " + std::to_string(n.value) + " ms after stream start"); break;
    case k::caller_said: log::info(sid, "caller: " + text); break;
    case k::assistant_said: log::info(sid, "assistant: " + text); break;
    case k::barge_in: log::info(sid, "barge-in: caller heard " + std::to_string(n.value) + " ms of " + text); break;
    case k::dtmf: log::info(sid, "dtmf " + text); break;
    case k::tool_call: log::info(sid, "model called " + text); break;
    case k::model_error: log::warn(sid, "model error: " + text); break;
    case k::bad_message: log::warn(sid, "refused message: " + text); break;
    case k::unknown_event: log::warn(sid, "ignored unknown event " + text); break;
    case k::model_restored: log::info(sid, "model session restored with " + std::to_string(n.value) + " turns"); break;
    case k::usage: break;  // stored, not logged: one per response
    case k::idle_nudge: log::info(sid, "silence: asking whether the caller is still there"); break;
  }
}

bool is_failure(std::string_view action) { return action.ends_with("_failed"); }

void on_call_started(std::string_view sid, const call_info* c) {
  if (c != nullptr) log::info(sid, "call started from " + c->from + " to " + c->to);
}

}  // namespace

void log_subscriber::on_event(const call_event& e) {
  const std::string_view sid = e.call_sid;
  switch (e.type) {
    case call_event_type::started: on_call_started(sid, e.call); return;
    case call_event_type::note: log_note(sid, e.note); return;
    case call_event_type::usage: return;
    case call_event_type::action: {
      const std::string line = std::string(e.name) + (e.detail.empty() ? "" : ": " + std::string(e.detail));
      if (is_failure(e.name)) log::warn(sid, line);
      else log::info(sid, line);
      return;
    }
    case call_event_type::status:
      log::info(sid, "status " + std::string(e.name) + (e.value2 > 0 ? " after " + std::to_string(e.value2) + " s" : std::string()));
      return;
    case call_event_type::ended: log::info(sid, std::string(e.detail)); return;
  }
}

}  // namespace vg::app
