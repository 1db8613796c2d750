// The telephony port: what voxgate asks of Twilio's REST API during and around calls (send an
// SMS, redirect or hang up a live call). Coroutines: a request never blocks the calling
// thread; every request has a deadline. Errors are values (Twilio's code and message), so a
// tool can tell the model the truth ("the number is not valid") instead of failing silently.
#pragma once
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"

namespace vg::ports {

struct sms_request {
  std::string to;
  std::string from;
  std::string body;
  std::string status_callback;  // empty: none
};

struct sms_sent {
  std::string sid;     // SM...
  std::string status;  // queued, ...
  int segments = 1;
};

// One change to a live call (PROTOCOLS.md E.4): new TwiML (a transfer), or hang up.
struct call_update {
  std::string twiml;           // <Response>...</Response>; empty: not changed
  bool hang_up = false;        // Status=completed
};

class telephony {
 public:
  virtual ~telephony() = default;
  // Error message form: "Twilio 21211: The 'To' number ... is not a valid phone number." or
  // "Twilio unreachable: <why>".
  virtual boost::asio::awaitable<result<sms_sent>> send_sms(sms_request request) = 0;
  // A call that has already ended (404/20404) counts as success for a hang-up.
  virtual boost::asio::awaitable<result<bool>> update_call(std::string call_sid, call_update update) = 0;
};

}  // namespace vg::ports
