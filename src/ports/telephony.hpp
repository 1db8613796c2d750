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

// One change to a live call (docs/protocols/twilio-rest.md#update-call): new TwiML (a transfer), or hang up.
struct call_update {
  std::string twiml;           // <Response>...</Response>; empty: not changed
  bool hang_up = false;        // Status=completed
};

// Ask Twilio to record a live call (docs/protocols/twilio-rest.md#start-recording), both parties on separate channels.
struct recording_request {
  std::string status_callback;  // where Twilio POSTs the recording status (docs/protocols/twilio-webhooks.md#recording-status-callback)
  bool dual_channel = true;
};

struct recording_media {
  std::string content_type;  // audio/x-wav
  std::string bytes;
};

class telephony {
 public:
  virtual ~telephony() = default;
  // Error message form: "Twilio 21211: The 'To' number ... is not a valid phone number." or
  // "Twilio unreachable: <why>".
  virtual boost::asio::awaitable<result<sms_sent>> send_sms(sms_request request) = 0;
  // A call that has already ended (404/20404) counts as success for a hang-up.
  virtual boost::asio::awaitable<result<bool>> update_call(std::string call_sid, call_update update) = 0;
  // Starts recording; returns the RecordingSid.
  virtual boost::asio::awaitable<result<std::string>> start_recording(std::string call_sid, recording_request request) = 0;
  // The WAV of a recording, from the callback's RecordingUrl (+ ".wav"). The URL must be under
  // the configured API base: the account's credentials are never sent anywhere else. A 404
  // (the media is often not ready when the callback fires) gives an error of kind not_ready; a
  // transport failure one of kind unreachable, a recording over the size limit too_large.
  virtual boost::asio::awaitable<result<recording_media>> fetch_recording(std::string recording_url) = 0;
  // The media URL of a recording from its SID alone (for a download resumed after a restart).
  virtual std::string recording_media_url(const std::string& recording_sid) const = 0;
  // Deletes a recording at Twilio (after voxgate stored it); a 404 counts as done.
  virtual boost::asio::awaitable<result<bool>> delete_recording(std::string recording_sid) = 0;
};

}  // namespace vg::ports
