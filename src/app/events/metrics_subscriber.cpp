#include "app/events/metrics_subscriber.hpp"

namespace vg::app {
namespace {

constexpr call::end_reason all_reasons[] = {call::end_reason::stream_stopped, call::end_reason::max_duration,
                                            call::end_reason::idle, call::end_reason::model_unavailable,
                                            call::end_reason::bridge_error};

// The counters in metrics_subscriber.hpp are sized for these.
static_assert(std::size(all_reasons) == 5, "one ended_ counter per call::end_reason");
static_assert(static_cast<std::size_t>(call::note_kind::idle_nudge) + 1 == 13, "one notes_ counter per call::note_kind");

// Notes worth a counter of their own, with their metric names.
struct counted_note {
  call::note_kind kind;
  const char* metric;
  const char* help;
};
constexpr counted_note counted_notes[] = {
    {call::note_kind::barge_in, "voxgate_barge_ins_total", "Times a caller interrupted the assistant."},
    {call::note_kind::tool_call, "voxgate_tool_calls_total", "Functions the model called."},
    {call::note_kind::dtmf, "voxgate_dtmf_total", "Keys callers pressed."},
    {call::note_kind::model_error, "voxgate_model_errors_total", "Error events from the model."},
    {call::note_kind::bad_message, "voxgate_refused_messages_total", "Messages refused as malformed."},
    {call::note_kind::model_restored, "voxgate_model_restores_total", "Model sessions restored after a drop."},
    {call::note_kind::idle_nudge, "voxgate_idle_nudges_total", "Times the assistant asked a silent caller whether they are still there."},
};

void counter(std::string& out, const char* name, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " counter\n";
}

}  // namespace

void metrics_subscriber::on_event(const call_event& e) {
  switch (e.type) {
    case call_event_type::started: ++started_; return;
    case call_event_type::note: {
      const auto i = static_cast<std::size_t>(e.note.kind);
      if (i < notes_.size()) ++notes_[i];
      return;
    }
    case call_event_type::ended:
      for (std::size_t i = 0; i < std::size(all_reasons); ++i) {
        if (call::to_string(all_reasons[i]) == e.name) ++ended_[i];
      }
      return;
    case call_event_type::action: {
      std::lock_guard lock(actions_mutex_);
      ++actions_[std::string(e.name)];
      return;
    }
    case call_event_type::usage:
    case call_event_type::status: return;
  }
}

std::string metrics_subscriber::exposition() const {
  std::string out;
  counter(out, "voxgate_calls_started_total", "Calls started on this node.");
  out += "voxgate_calls_started_total " + std::to_string(started_.load()) + "\n";
  counter(out, "voxgate_calls_ended_total", "Calls ended on this node, by reason.");
  for (std::size_t i = 0; i < std::size(all_reasons); ++i) {
    out += "voxgate_calls_ended_total{reason=\"" + std::string(call::to_string(all_reasons[i])) + "\"} " +
           std::to_string(ended_[i].load()) + "\n";
  }
  for (const auto& n : counted_notes) {
    counter(out, n.metric, n.help);
    out += std::string(n.metric) + " " + std::to_string(notes_[static_cast<std::size_t>(n.kind)].load()) + "\n";
  }
  counter(out, "voxgate_call_actions_total", "What calls did besides talking (transfers, takeovers...), by action.");
  std::lock_guard lock(actions_mutex_);
  for (const auto& [name, count] : actions_) {
    out += "voxgate_call_actions_total{action=\"" + name + "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace vg::app
