// Gather calls (settings.mode: gather; docs/architecture.md#gather-calls): the same assistant as
// a realtime call, served with no media stream, on Twilio's speech recognition and <Say>. Each
// of Twilio's webhooks is one turn: the caller's words (SpeechResult, or Digits) go to the Chat
// Completions model with the assistant's instructions and tools; the functions it calls are run
// by the tool runner (the same schema checks and actions as in a realtime call) and answered
// until it speaks, in at most max_model_requests requests; its words come back in a <Say> inside
// the next <Gather>, and a tool's follow-up (transfer, hang-up, keys) as the TwiML after them.
// The conversation is kept in the store, so any node can answer the next turn, and everything
// the call produces goes out on the event bus as a realtime call's does (so the store, the log
// and the metrics record it). Turns run on the webhook's connection thread.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "app/call/call_session.hpp"
#include "app/events/event_bus.hpp"
#include "core/twilio/webhook.hpp"
#include "net/http_server.hpp"

namespace vg::app {

class gather_flow {
 public:
  // Model requests in one turn at most: tool rounds, then a last one that must answer in words.
  static constexpr int max_model_requests = 5;

  // `services` must outlive this object.
  explicit gather_flow(call_services& services);

  // The answer to the voice webhook of a call whose assistant runs in gather mode: its greeting
  // inside the first <Gather>. Publishes the call's start and the greeting, and stores the
  // opening conversation (through the store thread's queue, before any later read of this node).
  std::string first_turn(const call_info& info, const std::string& public_base);

  // A Realtime call whose session failed goes on by turns (settings.fallback: gather): the
  // answer to its <Connect action> request, a short apology inside the first <Gather>.
  std::string resume(const call_info& info, const std::string& public_base);

  // One turn: a <Gather action> request (the caller spoke or pressed keys) or the <Redirect>
  // after the <Gather> (they said nothing). `params`: Twilio's form, signature already checked;
  // `query`: the request's query string (which no-input attempt, the organisation and the
  // assistant). Always TwiML, within GATHER_TURN_TIMEOUT_MS.
  awaitable<net::http_response> turn(twilio::form params, std::string query, std::string public_base);

  // Where the ends that Twilio's status callbacks report are worked out (the server's first
  // worker); before start() they are ignored.
  void start(asio::any_io_executor ex);
  // Twilio says the call is over (a final CallStatus): if it is a gather call not ended yet, it
  // ends now (its end published, the after-call work started). Thread-safe.
  void on_final_status(std::string call_sid);

 private:
  struct turn_context;
  awaitable<std::string> answer(turn_context* t);
  awaitable<std::string> no_input(turn_context* t);
  awaitable<std::string> converse(turn_context* t);
  // What the caller hears when the model failed or the turn ran out of time: the one place
  // that decides it (the apology, or settings.fallback: transfer to the fallback number).
  awaitable<std::string> when_model_failed(turn_context* t, std::string why);
  // Ends the call once, whichever node or webhook comes first; then publishes its end and
  // starts the after-call work (the extraction).
  awaitable<void> finish(call_setup setup, std::string call_sid, call::end_reason why, std::string detail);
  awaitable<void> end_if_gather(std::string call_sid);
  std::optional<call_setup> setup_of(const std::string& org_id, const std::string& assistant_id) const;
  void publish(const call_info& call, call_event e) const;

  call_services& svc_;
  std::optional<asio::any_io_executor> status_ex_;  // set once by start(), before any request
};

// Ends gather calls when Twilio's status callback reports a final status (completed, busy,
// failed, no-answer, canceled). Subscribed on the event bus by the server.
class gather_status_subscriber final : public event_subscriber {
 public:
  // `flow` must outlive the subscription.
  explicit gather_status_subscriber(gather_flow& flow) : flow_(flow) {}
  void on_event(const call_event& e) override;

 private:
  gather_flow& flow_;
};

}  // namespace vg::app
