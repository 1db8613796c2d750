#include "app/events/store_subscriber.hpp"

namespace vg::app {
namespace {

void store_note(store_writer& store, const call_event& e) {
  using k = call::note_kind;
  const call::note& n = e.note;
  switch (n.kind) {
    case k::caller_said:
    case k::assistant_said: {
      ports::transcript_turn turn{std::string(e.call_sid), n.kind == k::caller_said ? "caller" : "assistant",
                                  std::string(n.text), e.at_ms};
      store.post(turn.call_sid, [turn = std::move(turn)](ports::store& s) { s.add_turn(turn); });
      return;
    }
    case k::usage:
      return;  // the running total arrives as a usage event
    default: {
      ports::call_event event{std::string(e.call_sid), std::string(call::to_string(n.kind)), std::string(n.text), n.value,
                              e.at_ms};
      store.post(event.call_sid, [event = std::move(event)](ports::store& s) { s.add_event(event); });
      return;
    }
  }
}

ports::call_row row_of(const call_event& e) {
  ports::call_row row;
  row.call_sid = std::string(e.call_sid);
  row.started_at_ms = e.at_ms;
  if (const call_info* c = e.call) {
    row.account_sid = c->account_sid;
    row.from = c->from;
    row.to = c->to;
    row.direction = c->direction;
    row.org_id = c->setup.org_id;
    row.assistant_id = c->setup.assistant_id;
  }
  return row;
}

}  // namespace

void store_subscriber::on_event(const call_event& e) {
  const std::string sid(e.call_sid);
  switch (e.type) {
    case call_event_type::started:
      store_.post(sid, [row = row_of(e)](ports::store& s) { s.upsert_call(row); });
      return;
    case call_event_type::note:
      store_note(store_, e);
      return;
    case call_event_type::usage:
      // The running total is rewritten after every response, so a crash loses at most one.
      store_.post(sid, [sid, model = std::string(e.name), total = std::string(e.detail)](ports::store& s) {
        s.set_call_usage(sid, model, total);
      });
      return;
    case call_event_type::action: {
      ports::call_event event{sid, std::string(e.name), std::string(e.detail), e.value, e.at_ms};
      store_.post(sid, [event = std::move(event)](ports::store& s) { s.add_event(event); });
      return;
    }
    case call_event_type::status:
      store_.post(sid, [sid, status = std::string(e.name), sequence = e.value, duration = e.value2, at = e.at_ms](ports::store& s) {
        s.update_status(sid, status, sequence, duration, at);
      });
      return;
    case call_event_type::ended:
      store_.post(sid, [sid, reason = std::string(e.name), at = e.at_ms, first = e.value](ports::store& s) {
        s.finish_call(sid, reason, at, first);
      });
      return;
  }
}

}  // namespace vg::app
