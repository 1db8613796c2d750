// What a call produces, as the event bus carries it (docs/architecture.md#the-event-bus): its
// start and end, every note of the call bridge (transcript turns, tool calls, barge-ins, DTMF,
// model errors...), the running cost, what it did (a transfer, a takeover) and Twilio's status
// changes. Views: valid only while a subscriber's on_event runs; copy what you keep.
#pragma once
#include <cstdint>
#include <string_view>

#include "app/call/call_info.hpp"
#include "core/call/call_bridge.hpp"

namespace vg::app {

enum class call_event_type {
  started,  // call: the new call
  note,     // note: from the call bridge
  usage,    // name: the model; detail: the call's running token usage (JSON)
  action,   // name: what happened (transferred, transfer_failed, taken_over...); detail: its target or error
  status,   // name: Twilio's CallStatus; value: SequenceNumber; value2: CallDuration (from a callback)
  ended,    // name: the end reason; value: ms to the first assistant audio (-1: none); detail: a summary
};

struct call_event {
  explicit call_event(call_event_type t, std::string_view sid = {}) : type(t), call_sid(sid) {}

  call_event_type type;
  std::string_view call_sid;
  const call_info* call = nullptr;  // the live call (null for status callbacks)
  call::note note{call::note_kind::stream_started, {}, 0};
  std::string_view name;
  std::string_view detail;
  std::int64_t value = 0;
  std::int64_t value2 = 0;
  std::int64_t at_ms = 0;  // wall clock
};

}  // namespace vg::app
