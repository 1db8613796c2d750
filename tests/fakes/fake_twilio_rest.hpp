// A fake of Twilio's REST API (docs/protocols/twilio-rest.md) over real HTTP on 127.0.0.1,
// served from its own io_context thread. Checks auth and form fields as Twilio does, records
// everything, keeps call recordings (start, media that is "not ready" for a while, delete), and
// can fail, stall, and send signed SMS status callbacks (twilio-webhooks.md). Every public method is
// thread-safe; deliver() blocks, so call it from the test thread, never from the fake's loop.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/twilio/webhook.hpp"
#include "net/headers.hpp"

namespace vg::fakes {

struct twilio_request {  // one request as the fake received it
  std::string method;
  std::string path;         // target without any query
  twilio::form form;        // decoded body
  net::header_list headers;  // names lower-cased
  int status = 0;            // what the fake answered (0 while still pending)
};

struct twilio_message {  // one accepted Messages.json create
  std::string sid;         // SM + 32 hex
  std::string to;
  std::string from;
  std::string messaging_service_sid;
  std::string body;
  std::string status_callback;
  std::string status;  // queued (or accepted with a messaging service), then as deliver() sets it
  int segments = 1;
};

struct twilio_call_update {  // one accepted Calls/{CallSid}.json update
  std::string call_sid;
  std::string twiml;
  std::string url;
  std::string status;
  twilio::form form;
};

struct twilio_recording_start {  // one accepted Calls/{CallSid}/Recordings.json create
  std::string call_sid;
  std::string recording_sid;  // RE + 32 hex, as answered
  std::string channels;       // RecordingChannels as sent: dual, mono, or empty (Twilio's default, mono)
  std::string status_callback;
  std::string status_callback_method;
  std::vector<std::string> status_callback_events;  // RecordingStatusCallbackEvent values, in order
  twilio::form form;
};

struct twilio_callback {  // one status callback deliver() posted
  std::string url;
  twilio::form form;
  std::string signature;  // X-Twilio-Signature sent
  int status = 0;         // HTTP status received, 0 on a transport failure
};

class fake_twilio_rest {
 public:
  static constexpr const char* default_account_sid = "AC0123456789abcdef0123456789abcdef";
  static constexpr const char* default_auth_token = "fake-auth-token-0123456789abcdef";

  explicit fake_twilio_rest(std::string account_sid = default_account_sid,
                            std::string auth_token = default_auth_token);
  ~fake_twilio_rest();

  std::string url() const;  // http://127.0.0.1:PORT (the TWILIO_API_URL to use)
  std::uint16_t port() const;
  const std::string& account_sid() const;
  const std::string& auth_token() const;

  // The next `count` requests get `http_status` with Twilio error JSON {code, message, ...},
  // before auth or validation, as an outage would.
  void fail_next(int count, int http_status, int code, std::string message);
  // The next request is answered only after `delay` (to exercise client timeouts).
  void delay_next(std::chrono::milliseconds delay);
  // A call the fake knows as in progress; an update on any other CallSid gets 404/20404, and
  // Status=completed removes it.
  void add_live_call(std::string call_sid, std::string from = "+15125550123", std::string to = "+15125550199");
  bool call_live(const std::string& call_sid) const;

  std::vector<twilio_request> requests() const;
  std::vector<twilio_message> messages() const;
  std::vector<twilio_call_update> call_updates() const;
  std::vector<twilio_callback> callbacks() const;

  // Recordings (twilio-rest.md). A recording the adapter started has no media until add_recording() gives
  // it some; until then its media GET answers 404/20404 (Twilio's "not ready yet").
  // add_recording() creates (or refills) recording `recording_sid` of `call_sid`: its media GET
  // (.../Recordings/{Sid}, .wav, or no extension) answers 404 with Twilio's error JSON
  // `not_ready_times` times, then 200 audio/x-wav with `wav_bytes`. GET .../{Sid}.json gives the
  // metadata; DELETE .../{Sid}.json answers 204, then 404/20404.
  void add_recording(std::string recording_sid, std::string call_sid, std::string wav_bytes, int not_ready_times = 0);
  // The RecordingUrl Twilio would post in its recording callback: {url()}/2010-04-01/Accounts/{AC}/Recordings/{RE},
  // no extension.
  std::string recording_url(const std::string& recording_sid) const;
  int recording_fetches(const std::string& recording_sid) const;  // authorized media GETs, 404s included
  bool recording_deleted(const std::string& recording_sid) const;
  std::vector<twilio_recording_start> recordings_started() const;

  // Marks message `sid` as `status` and POSTs the SMS status callback, signed with the auth
  // token, to the StatusCallback it was sent with. Returns the HTTP status received; 0 when the
  // message is unknown, had no StatusCallback, or the receiver was unreachable.
  int deliver(const std::string& sid, const std::string& status);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
