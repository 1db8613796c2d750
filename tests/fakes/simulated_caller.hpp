// A simulated Twilio caller that does what Twilio does: signs the voice webhook, reads the
// TwiML, opens the media stream with the <Parameter>s and a signed upgrade, sends 20 ms
// frames in real time, plays the assistant's audio back at real time and echoes each mark
// when playback reaches it (at once after a clear), sends DTMF and stop, and requests the
// <Connect action> URL when the server closes the stream. Thread-safe accessors.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {

struct caller_options {
  std::uint16_t server_port = 0;
  std::string auth_token;          // signs webhooks and the upgrade; empty: no signature header
  std::string public_url;          // what the server believes its public URL is
  std::string voice_path = "/twilio/voice";
  std::string call_sid;            // generated when empty
  std::string from = "+15551230001";
  std::string to = "+15550009999";
  std::string caller_audio;        // bytes sent as the caller's speech, then silence (0xFF)
  bool corrupt_signature = false;         // on webhooks
  bool corrupt_stream_signature = false;  // on the WebSocket upgrade
  bool read_stream = true;                // false: a half-dead peer that never reads
};

std::string random_sid(const char* prefix);

class simulated_caller {
 public:
  // `loop` must outlive the caller; many callers can share one loop.
  simulated_caller(event_loop& loop, caller_options options);
  ~simulated_caller();

  // POSTs the voice webhook. Returns the HTTP status; the TwiML is kept.
  int place_call();
  const std::string& twiml() const;
  std::string stream_url() const;
  std::string action_url() const;
  std::vector<std::pair<std::string, std::string>>& parameters();
  // Takes the TwiML another caller received (to open its stream somewhere else).
  void use_twiml_of(const simulated_caller& other);

  // Opens the stream (after place_call) and starts sending frames. Returns the HTTP status
  // of the upgrade (101 on success).
  int open_stream();
  void send_dtmf(char digit);
  void send_raw(std::string text);
  void send_stop();
  void hang_up();  // closes the socket without stop

  // What the caller got.
  std::string heard_audio() const;        // all assistant audio received, in order
  std::size_t media_received() const;
  std::size_t marks_received() const;
  std::size_t marks_echoed() const;
  std::size_t clears_received() const;
  double played_ms() const;               // assistant audio played so far (real-time clock)
  bool stream_closed() const;
  std::size_t frames_sent() const;
  std::string sent_audio() const;         // all caller audio sent, in order
  std::string call_sid() const;

  // <Gather>, as Twilio answers it: POSTs the latest TwiML's <Gather action> (signed; relative
  // URLs resolved against the document's URL) with Digits, or SpeechResult and Confidence.
  // Returns the HTTP status; the answer becomes the latest TwiML (its <Stream>, if any, is read).
  int press(const std::string& digits);
  int speak(const std::string& speech, double confidence = 0.9);
  // No input before the timeout: Twilio goes on to the verb after </Gather>. A <Redirect> is
  // followed (its answer becomes the latest TwiML, the status is returned); with none, or a
  // <Hangup>, the call ends and 0 is returned.
  int stay_silent();
  std::string gather_action() const;      // absolute URL; empty when the TwiML has no <Gather>
  std::string gather_attribute(const std::string& name) const;  // of the latest <Gather>
  bool twiml_hangs_up() const;            // the latest TwiML ends the call (<Hangup/>)
  std::vector<std::string> said() const;  // every <Say> text heard so far, in order

  // POSTs the <Connect action> URL, as Twilio does once the stream closed; returns its TwiML,
  // which becomes the latest (its <Say>s heard, its <Gather> answerable).
  std::string request_action();
  // POSTs a signed status callback (/twilio/status); returns the HTTP status.
  int send_status(const std::string& call_status, int sequence, int duration_s);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace vg::fakes
