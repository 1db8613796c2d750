// The call bridge: the pure state machine at the heart of a call. It takes Twilio stream
// messages, Realtime model events and clock ticks, and answers through `bridge_output`:
// messages to send each way, notes to record, and the decision to end the call.
// It never touches a socket or reads a clock (`now` is an argument), so every behaviour
// (greeting first, exact barge-in, DTMF, max duration, restore after a reconnect) is unit
// tested without I/O. Not thread-safe: one call, one strand. `out` must outlive the bridge.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

#include "core/call/follow_up.hpp"
#include "core/call/idle_watch.hpp"
#include "core/call/playback.hpp"
#include "core/call/stereo_recording.hpp"
#include "core/openai/realtime_events.hpp"

namespace vg::call {

enum class end_reason {
  stream_stopped,     // Twilio sent stop (caller hung up or the call was redirected)
  max_duration,       // the configured limit, after a spoken goodbye
  idle,               // nobody spoke for two idle periods (a nudge, then a spoken goodbye)
  model_unavailable,  // the model could not be reached or restored
  bridge_error,       // anything else that ended the call on our side
};
std::string_view to_string(end_reason r);

enum class note_kind {
  stream_started,
  first_audio,        // value: ms from stream start to the first assistant frame sent
  caller_said,        // text: transcript of the caller's turn
  assistant_said,     // text: transcript of the assistant's turn
  barge_in,           // value: ms of the interrupted item the caller heard
  dtmf,               // text: the digit
  tool_call,          // text: name, code: call id
  model_error,        // text: message from the model
  bad_message,        // text: why a message was refused
  unknown_event,      // text: the event name
  model_restored,     // value: turns replayed
  usage,              // text: a response.done's usage object (JSON)
  idle_nudge,         // the assistant was asked whether the caller is still there
};

// "stream_started", "caller_said", ...: the name stored and logged for a note.
std::string_view to_string(note_kind k);

struct note {
  note_kind kind;
  std::string_view text;
  std::int64_t value = 0;
};

class bridge_output {
 public:
  virtual ~bridge_output() = default;
  virtual void send_twilio(std::string_view json) = 0;
  virtual void send_model(std::string_view json) = 0;
  virtual void record(const note& n) = 0;
  virtual void end_call(end_reason why) = 0;
  // The model called a function (only when settings.tools_bound): run it, then answer with
  // call_bridge::on_tool_result. Called once per call_id.
  virtual void call_tool(std::string_view /*call_id*/, std::string_view /*name*/, std::string_view /*arguments*/) {}
  // A tool asked for a follow-up (transfer, hang up, digits, conference) after its spoken
  // reply: that reply has now played (or the wait for it ran out).
  virtual void after_reply(const follow_up& /*action*/) {}
  // What each side hears, as 8 kHz mu-law, while the audio tap is on (set_audio_tap): for live
  // listeners. `caller`: the caller's audio; otherwise what is played to the caller.
  virtual void heard(bool /*caller*/, std::string_view /*mulaw*/, micros /*now*/) {}
};

struct bridge_settings {
  openai::dialect dialect = openai::dialect::ga;
  openai::session_settings session;
  // What the assistant is asked to do as soon as the call is answered.
  std::string greeting_prompt = "The caller has just been connected. Greet them briefly and ask how you can help.";
  std::string goodbye_prompt = "The call has reached its time limit. Say a short, polite goodbye now.";
  std::string resume_prompt = "The connection dropped for a moment. Apologise in one short sentence and carry on.";
  std::uint32_t frame_bytes = 160;  // 20 ms of 8 kHz mu-law per media message (+1 mark)
  micros max_duration{0};           // 0 = no limit
  micros goodbye_grace{std::chrono::seconds(15)};
  // Silence (settings.idle_timeout_s; 0 = never): after one period the assistant asks whether
  // the caller is still there, after a second it says goodbye (docs/architecture.md#the-call-session).
  micros idle_timeout{0};
  std::string idle_prompt =
      "The caller has been silent for a while. In the language of the conversation, briefly ask whether they are still there.";
  std::string idle_goodbye_prompt =
      "The caller has still not answered. In the language of the conversation, say a short, polite goodbye now.";
  std::size_t max_restore_turns = 40;
  bool tools_bound = false;  // function calls go to bridge_output::call_tool
  bool record_audio = false;  // keep a stereo recording of what each side heard (drain_recording)
  micros handoff_grace{std::chrono::seconds(20)};  // longest wait for the reply before a hand-off
};

class call_bridge {
 public:
  call_bridge(bridge_settings settings, bridge_output& out);

  void on_twilio_message(std::string_view text, micros now);
  void on_model_message(std::string_view text, micros now);
  // The model socket is open: configure the session, then greet (first time) or restore.
  void on_model_connected(micros now);
  void on_model_lost(micros now);
  void on_tick(micros now);
  // A tool's result (a JSON text) for the model; it then speaks (response.create, deferred
  // while a response is still running). With `then`, bridge_output::after_reply follows once
  // that spoken reply has played to the caller (mark-based), or after handoff_grace.
  void on_tool_result(std::string_view call_id, std::string_view output, std::optional<follow_up> then, micros now);
  // voxgate's own recording (settings.record_audio): interleaved stereo mu-law, caller left,
  // assistant right as the caller heard it. Appends what is final up to `now` (minus a short
  // hold for late frames); finish_recording appends the rest up to `end`.
  std::size_t drain_recording(micros now, std::string& out);
  std::size_t finish_recording(micros end, std::string& out);

  // Asks the model to say something now (a failed transfer, say), with these instructions.
  void ask_model(std::string_view instructions, micros now);
  // Adds a system message to the model's conversation; with `respond`, the model answers it.
  void inject(std::string_view text, bool respond, micros now);
  // Plays audio of our own (8 kHz mu-law: DTMF tones, an operator's voice) to the caller,
  // framed and marked like the assistant's; a barge-in does not cut it.
  void play_audio(std::string_view mulaw, micros now);

  // Human takeover: the assistant stops speaking (what is playing is cleared) and stops
  // answering while the caller's words still reach the model, so they stay transcribed and in
  // its conversation. hand_back tells the model and lets it answer again.
  void take_over(micros now);
  void hand_back(micros now);
  bool taken_over() const noexcept { return taken_over_; }

  // While on, bridge_output::heard gets both sides' audio (a live listener is attached).
  void set_audio_tap(bool on) noexcept { audio_tap_ = on; }

  bool stream_started() const noexcept { return !stream_sid_.empty(); }
  const std::string& stream_sid() const noexcept { return stream_sid_; }
  const std::string& call_sid() const noexcept { return call_sid_; }
  bool ended() const noexcept { return ended_; }
  const playback& audio_playback() const noexcept { return playback_; }

  struct turn {
    bool caller;
    std::string text;
  };
  const std::vector<turn>& transcript() const noexcept { return transcript_; }

  // Lets the session attach a stream whose `start` was read before the bridge existed.
  void set_call_sid(std::string sid) { call_sid_ = std::move(sid); }

 private:
  void handle_audio_delta(const openai::server_event& e, micros now);
  void emit_frames(bool flush_partial, micros now);
  void send_frame(const std::uint8_t* data, std::uint32_t n, micros now);
  void barge_in(micros now);
  void maybe_finish_goodbye();
  // Asks for a spoken goodbye (cancelling a running response), then the call ends with `why`
  // once it has played, or at goodbye_grace.
  void begin_goodbye(end_reason why, std::string_view prompt, micros now);
  void watch_idle(micros now);
  void maybe_hand_off(micros now);
  void stop_playing(micros now);
  void request_response();
  void ask_for_response();
  void finish(end_reason why);
  void add_turn(bool caller, std::string text);
  std::string_view item_id_of(std::uint32_t item_no) const;

  bridge_settings settings_;
  bridge_output& out_;

  std::string stream_sid_;
  std::string call_sid_;
  micros stream_started_at_{0};
  bool first_audio_sent_ = false;

  bool model_ready_ = false;
  bool greeted_ = false;
  bool response_active_ = false;

  // The assistant item whose audio is arriving, numbered so playback entries stay small.
  std::string current_item_;
  std::uint32_t current_item_no_ = 0;
  std::array<std::string, 4> recent_items_;  // item ids by item number modulo 4
  std::string cut_item_;                     // interrupted: later deltas of it are dropped
  bool current_item_audio_done_ = false;     // its last partial frame may be sent

  std::vector<std::uint8_t> pending_;  // decoded audio not yet sent (< one frame once streaming)
  std::uint64_t next_mark_ = 1;
  playback playback_;

  enum class ending { none, goodbye, done } ending_ = ending::none;
  end_reason goodbye_reason_ = end_reason::max_duration;
  micros goodbye_deadline_{0};
  std::string goodbye_response_id_;
  bool goodbye_response_seen_ = false;
  bool ended_ = false;

  // Tools: call ids already seen (a repeated one is never run twice), a response.create held
  // back while a response is running, and a hand-off waiting for its spoken reply.
  std::vector<std::string> tool_call_ids_;
  bool response_create_pending_ = false;
  struct {
    bool waiting = false;
    bool reply_requested = false;  // our response.create is out; the next response is the reply
    std::string reply_id;
    bool reply_done = false;
    micros deadline{0};
    std::optional<follow_up> action;
  } handoff_;
  bool taken_over_ = false;
  bool audio_tap_ = false;

  idle_watch idle_;
  bool caller_speaking_ = false;  // between the model's speech_started and speech_stopped
  int tools_running_ = 0;         // function calls whose results have not come back
  std::string tap_scratch_;  // decoded caller audio for the tap

  std::optional<stereo_recording> recorder_;  // only when settings.record_audio
  std::string recorder_scratch_;             // decoded caller audio

  std::vector<turn> transcript_;
  std::string scratch_;   // reused for outgoing JSON
  std::string unescape_;  // reused when a payload carries JSON escapes
  std::string b64_;       // reused for re-encoding frames
};

}  // namespace vg::call
