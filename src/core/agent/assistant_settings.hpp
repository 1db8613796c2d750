// An assistant's settings, typed: read and checked on import (assistant_settings_json.cpp) so
// an unknown field or a bad value is refused with its path
// ("assistants[0].settings.recording.ownn: is not a known field"), never discovered mid-call.
//
// Every field is optional and kept as written (absent stays absent), so GET returns what the
// user wrote; the accessors give the defaults.
#pragma once
#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace vg::agent {

// recording: {twilio?, own?}
struct recording_settings {
  std::optional<bool> twilio;  // Twilio records the call in two channels; default false
  std::optional<bool> own;     // voxgate writes its own stereo WAV while the call runs; default false
  bool operator==(const recording_settings&) const = default;
};

// extraction: {schema, model?, instructions?}: filled after the call from the transcript.
struct extraction_settings {
  boost::json::value schema;  // a JSON schema of type object, checked on import
  std::string model;          // empty: the extraction's default model
  std::string instructions;   // empty: the default instructions
  bool operator==(const extraction_settings&) const = default;
};

// booking: {min_lead_minutes?}: how far ahead a save/update with date + time must be.
struct booking_settings {
  std::optional<int> min_lead_minutes;  // default 0
  bool operator==(const booking_settings&) const = default;
};

// How the conversation runs: a realtime audio stream, or Gather turns on the chat model.
enum class conversation_mode { realtime, gather };

// gate: {press_any_key?, digits?, prompt?, timeout_s?, attempts?, goodbye?}: what the caller must
// press before the assistant answers (a <Gather> before the stream; the model session opens on the key).
struct gate_settings {
  std::optional<bool> press_any_key;
  std::string digits;  // DTMF keys to enter (0-9, *, #); empty: none
  std::string prompt;  // what the caller is told to press
  std::optional<double> timeout_s;  // how long to wait for a key, per attempt
  std::optional<int> attempts;
  std::string goodbye;  // said when every attempt failed
  bool operator==(const gate_settings&) const = default;
};

// Where a call goes when the model is unavailable: a spoken apology and hang-up (the default),
// the Gather path of the same assistant, or a person (the organisation's fallback_number).
enum class fallback_route { apology, gather, transfer };

// gather: {model?, voice?, attempts?}: the webhook-only flow (mode: gather, or the fallback).
struct gather_settings {
  std::string model;  // Chat Completions model; empty: the server's default small, fast model
  std::string voice;  // Twilio <Say voice> ("Polly.Joanna"); empty: the server's SAY_VOICE
  std::optional<int> attempts;  // turns with no speech before goodbye; default 2
  bool operator==(const gather_settings&) const = default;
};

struct assistant_settings {
  std::optional<conversation_mode> mode;   // default realtime
  std::optional<gate_settings> gate;       // default none: answered at once
  std::optional<double> max_call_seconds;  // default: the server's MAX_CALL_DURATION_SECONDS
  std::optional<double> idle_timeout_s;    // default none: silence never ends a call
  std::optional<fallback_route> fallback;  // default apology
  std::optional<gather_settings> gather;
  std::optional<recording_settings> recording;
  std::optional<extraction_settings> extraction;
  std::optional<booking_settings> booking;

  bool records_twilio() const { return recording && recording->twilio.value_or(false); }
  bool records_own() const { return recording && recording->own.value_or(false); }
  conversation_mode conversation() const { return mode.value_or(conversation_mode::realtime); }
  fallback_route on_model_failure() const { return fallback.value_or(fallback_route::apology); }
  int min_lead_minutes() const { return booking ? booking->min_lead_minutes.value_or(0) : 0; }
  bool operator==(const assistant_settings&) const = default;
};

}  // namespace vg::agent
