// What the rest of voxgate may ask of a live call: the REST API, tools, the dashboard later.
// Commands reach the call only through its inbox (call_inbox.hpp) and run on the call's own
// thread, so the call's state is never touched from outside. The follow-ups (transfer, hang
// up, digits, conference) are the same actions a tool can ask for after its reply
// (core/call/follow_up.hpp), here carried out at once.
#pragma once
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "app/call/audio_listener.hpp"
#include "core/call/follow_up.hpp"
#include "net/ws_connection.hpp"

namespace vg::app {

// The attached Twilio stream: its connection and the messages already read from it.
struct twilio_stream {
  std::unique_ptr<net::ws_connection> connection;
  std::vector<std::string> early_messages;  // `connected` and `start`, replayed into the bridge
};

namespace command {
struct attach_stream {
  twilio_stream stream;
};
// A person takes the call from the assistant (who: for the call's events).
struct take_over {
  std::string who;
};
struct hand_back {
  std::string who;
};
// A system message into the model's conversation; with `respond`, the model answers it.
struct inject_message {
  std::string text;
  bool respond = true;
};
// Hears both sides of the call until the listener is closed (or the call ends).
struct attach_listener {
  std::shared_ptr<audio_listener> listener;
};
}  // namespace command

using call_command = std::variant<call::transfer_to, call::hang_up, call::send_digits, call::join_conference,
                                  command::take_over, command::hand_back, command::inject_message,
                                  command::attach_listener, command::attach_stream>;

// How a command went: empty `error` is success. (A plain struct: completion values must be
// default-constructible.)
struct command_result {
  std::string error;
  std::string code;  // with an error: not_found, refused, unavailable, failed
  bool ok() const { return error.empty(); }
};

std::string_view name_of(const call_command& c) noexcept;

}  // namespace vg::app
