#include "core/call/call_bridge.hpp"

#include <algorithm>

#include "core/base64.hpp"
#include "core/json_scan.hpp"
#include "core/twilio/media_stream.hpp"

namespace vg::call {

std::string_view to_string(end_reason r) {
  switch (r) {
    case end_reason::stream_stopped: return "stream_stopped";
    case end_reason::max_duration: return "max_duration";
    case end_reason::idle: return "idle";
    case end_reason::model_unavailable: return "model_unavailable";
    case end_reason::bridge_error: return "bridge_error";
  }
  return "unknown";
}

std::string_view to_string(note_kind k) {
  switch (k) {
    case note_kind::stream_started: return "stream_started";
    case note_kind::first_audio: return "first_audio";
    case note_kind::caller_said: return "caller_said";
    case note_kind::assistant_said: return "assistant_said";
    case note_kind::barge_in: return "barge_in";
    case note_kind::dtmf: return "dtmf";
    case note_kind::tool_call: return "tool_call";
    case note_kind::model_error: return "model_error";
    case note_kind::bad_message: return "bad_message";
    case note_kind::unknown_event: return "unknown_event";
    case note_kind::model_restored: return "model_restored";
    case note_kind::usage: return "usage";
    case note_kind::idle_nudge: return "idle_nudge";
  }
  return "unknown";
}

call_bridge::call_bridge(bridge_settings settings, bridge_output& out)
    : settings_(std::move(settings)), out_(out), idle_(settings_.idle_timeout) {
  if (settings_.frame_bytes == 0) settings_.frame_bytes = 160;
  pending_.reserve(settings_.frame_bytes);
  scratch_.reserve(512);
  if (settings_.record_audio) recorder_.emplace();
}

std::size_t call_bridge::drain_recording(micros now, std::string& out) {
  return recorder_ ? recorder_->drain(now, out) : 0;
}

std::size_t call_bridge::finish_recording(micros end, std::string& out) {
  return recorder_ ? recorder_->finish(end, out) : 0;
}

// ---------------------------------------------------------------------------------------------
// Twilio side

void call_bridge::on_twilio_message(std::string_view text, micros now) {
  if (ended_) return;
  auto parsed = twilio::parse_stream_event(text);
  if (!parsed) {
    out_.record({note_kind::bad_message, parsed.error_message()});
    return;
  }
  const twilio::stream_event& e = *parsed;
  switch (e.kind) {
    case twilio::stream_event_kind::media: {
      if (!model_ready_ && !recorder_ && !audio_tap_) return;  // nothing listens yet; the audio cannot be queued usefully
      std::string_view payload = e.payload;
      if (e.payload_escaped) {
        if (!json::unescape(payload, unescape_)) return;
        payload = unescape_;
      }
      if (recorder_) {
        // Only when recording (the caller is recorded even while the model reconnects): the hot
        // path otherwise never decodes the caller's audio.
        recorder_scratch_.resize(base64::decoded_max(payload.size()));
        if (const auto n = base64::decode(payload, reinterpret_cast<std::uint8_t*>(recorder_scratch_.data()))) {
          recorder_->on_caller_audio(std::string_view(recorder_scratch_.data(), *n), e.timestamp_ms);
        }
      }
      if (audio_tap_) {
        tap_scratch_.resize(base64::decoded_max(payload.size()));
        if (const auto n = base64::decode(payload, reinterpret_cast<std::uint8_t*>(tap_scratch_.data()))) {
          out_.heard(true, std::string_view(tap_scratch_.data(), *n), now);
        }
      }
      if (!model_ready_) return;
      scratch_.clear();
      openai::append_audio_append(scratch_, payload);
      out_.send_model(scratch_);
      return;
    }
    case twilio::stream_event_kind::mark: {
      const auto seq = json::to_integer(e.mark_name);
      if (seq && *seq > 0) playback_.acked(static_cast<std::uint64_t>(*seq), now);
      idle_.assistant_active(now);  // the assistant's audio was playing until now
      maybe_finish_goodbye();
      maybe_hand_off(now);
      return;
    }
    case twilio::stream_event_kind::start:
      if (!stream_sid_.empty()) return;  // `start` comes once; ignore a repeat
      stream_sid_ = e.start.stream_sid;
      if (call_sid_.empty()) call_sid_ = e.start.call_sid;
      stream_started_at_ = now;
      if (recorder_) recorder_->on_stream_start(now);
      idle_.start(now);
      out_.record({note_kind::stream_started, stream_sid_});
      // The greeting may already be waiting, even complete (then its tail frame goes too).
      emit_frames(current_item_audio_done_, now);
      return;
    case twilio::stream_event_kind::dtmf: {
      out_.record({note_kind::dtmf, e.digit});
      idle_.caller_active(now);
      if (!model_ready_) return;
      std::string digit;
      json::unescape(e.digit, digit);
      out_.send_model(openai::create_user_text("[The caller pressed the key " + digit + " on the phone keypad.]"));
      if (!response_active_ && !taken_over_) out_.send_model(openai::response_create());
      return;
    }
    case twilio::stream_event_kind::stop:
      finish(end_reason::stream_stopped);
      return;
    case twilio::stream_event_kind::connected:
      return;
    case twilio::stream_event_kind::unknown:
      out_.record({note_kind::unknown_event, e.event_name});
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Model side

void call_bridge::on_model_connected(micros /*now*/) {
  if (ended_) return;
  out_.send_model(openai::session_update(settings_.session, settings_.dialect));
  model_ready_ = true;
  response_active_ = false;
  if (!greeted_) {
    greeted_ = true;
    out_.send_model(openai::create_user_text(settings_.greeting_prompt));
    out_.send_model(openai::response_create());
    return;
  }
  // A new session after a drop: replay the conversation so the assistant knows where it was.
  const std::size_t n = std::min(transcript_.size(), settings_.max_restore_turns);
  for (std::size_t i = transcript_.size() - n; i < transcript_.size(); ++i) {
    const turn& t = transcript_[i];
    out_.send_model(t.caller ? openai::create_user_text(t.text)
                             : openai::create_assistant_text(t.text, settings_.dialect));
  }
  out_.record({note_kind::model_restored, {}, static_cast<std::int64_t>(n)});
  if (ending_ == ending::none) out_.send_model(openai::response_create(settings_.resume_prompt));
}

void call_bridge::on_model_lost(micros /*now*/) {
  model_ready_ = false;
  response_active_ = false;
  caller_speaking_ = false;  // a new session hears the caller afresh
  // Audio already at Twilio keeps playing; a partial frame of a dead response is dropped.
  pending_.clear();
}

void call_bridge::on_model_message(std::string_view text, micros now) {
  if (ended_) return;
  auto parsed = openai::parse_server_event(text);
  if (!parsed) {
    out_.record({note_kind::bad_message, parsed.error_message()});
    return;
  }
  const openai::server_event& e = *parsed;
  using k = openai::server_event_kind;
  switch (e.kind) {
    case k::audio_delta:
      handle_audio_delta(e, now);
      return;
    case k::audio_done:
      if (e.item_id == current_item_ && e.item_id != cut_item_) {
        current_item_audio_done_ = true;
        emit_frames(true, now);
      }
      return;
    case k::speech_started:
      caller_speaking_ = true;
      idle_.caller_active(now);
      barge_in(now);
      return;
    case k::speech_stopped:
      caller_speaking_ = false;
      idle_.caller_active(now);
      return;
    case k::response_created:
      response_active_ = true;
      if (taken_over_) {
        // The model answers the caller by itself (server VAD) while a person has the call.
        out_.send_model(openai::response_cancel());
        return;
      }
      if (handoff_.waiting && handoff_.reply_requested && handoff_.reply_id.empty()) {
        handoff_.reply_id = e.response_id.empty() ? std::string("?") : std::string(e.response_id);
      }
      // The first response created after the goodbye request is the goodbye (a response we
      // cancelled to make room for it was created before).
      if (ending_ == ending::goodbye && goodbye_response_id_.empty()) {
        goodbye_response_id_ = e.response_id.empty() ? std::string("?") : std::string(e.response_id);
      }
      return;
    case k::response_done:
      response_active_ = false;
      if (!e.usage.empty()) out_.record({note_kind::usage, e.usage});
      if (handoff_.waiting && !handoff_.reply_id.empty() &&
          (handoff_.reply_id == "?" || handoff_.reply_id == e.response_id)) {
        handoff_.reply_done = true;
      }
      if (response_create_pending_) {
        response_create_pending_ = false;
        request_response();
      }
      maybe_hand_off(now);
      if (ending_ == ending::goodbye && !goodbye_response_id_.empty() &&
          (goodbye_response_id_ == "?" || goodbye_response_id_ == e.response_id)) {
        goodbye_response_seen_ = true;
        maybe_finish_goodbye();
      }
      return;
    case k::input_transcript_completed:
      if (!e.text.empty()) {
        out_.record({note_kind::caller_said, e.text});
        add_turn(true, e.text);
      }
      return;
    case k::output_transcript_done:
      if (!e.text.empty()) {
        out_.record({note_kind::assistant_said, e.text});
        add_turn(false, e.text);
      }
      return;
    case k::function_call_arguments_done: {
      out_.record({note_kind::tool_call, e.code});
      const std::string call_id(e.call_id);
      if (std::find(tool_call_ids_.begin(), tool_call_ids_.end(), call_id) != tool_call_ids_.end()) {
        out_.record({note_kind::bad_message, "repeated function call " + call_id + " ignored"});
        return;
      }
      tool_call_ids_.push_back(call_id);
      ++tools_running_;
      if (settings_.tools_bound) {
        out_.call_tool(call_id, e.code, e.text);
        return;
      }
      // Without a tool runner the model hears the truth.
      on_tool_result(call_id, R"({"error":"This tool is not available on this line."})", std::nullopt, now);
      return;
    }
    case k::error:
      out_.record({note_kind::model_error, e.text.empty() ? e.code : e.text});
      return;
    case k::session_created:
    case k::session_updated:
    case k::other:
      return;
  }
}

void call_bridge::handle_audio_delta(const openai::server_event& e, micros now) {
  if (taken_over_) return;  // a person is speaking for the assistant
  if (!e.item_id.empty() && e.item_id == cut_item_) return;  // in flight when the caller barged in
  if (e.item_id != current_item_) {
    // A new assistant item: anything left of the previous one is flushed first.
    emit_frames(true, now);
    current_item_.assign(e.item_id);
    current_item_audio_done_ = false;
    ++current_item_no_;
    recent_items_[current_item_no_ % recent_items_.size()] = current_item_;
  }
  std::string_view b64 = e.delta;
  if (e.delta_escaped) {
    if (!json::unescape(b64, unescape_)) return;
    b64 = unescape_;
  }
  const std::size_t old = pending_.size();
  pending_.resize(old + base64::decoded_max(b64.size()));
  const auto n = base64::decode(b64, pending_.data() + old);
  if (!n) {
    pending_.resize(old);
    out_.record({note_kind::bad_message, "audio delta is not valid base64"});
    return;
  }
  pending_.resize(old + *n);
  emit_frames(false, now);
}

void call_bridge::emit_frames(bool flush_partial, micros now) {
  if (stream_sid_.empty() || pending_.empty()) return;  // held until Twilio's `start`
  const std::uint32_t frame = settings_.frame_bytes;
  std::size_t offset = 0;
  while (pending_.size() - offset >= frame) {
    send_frame(pending_.data() + offset, frame, now);
    offset += frame;
  }
  if (flush_partial && offset < pending_.size()) {
    send_frame(pending_.data() + offset, static_cast<std::uint32_t>(pending_.size() - offset), now);
    offset = pending_.size();
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(offset));
}

void call_bridge::send_frame(const std::uint8_t* data, std::uint32_t n, micros now) {
  b64_.resize(base64::encoded_size(n));
  base64::encode(data, n, b64_.data());
  scratch_.clear();
  twilio::append_media(scratch_, stream_sid_, b64_);
  out_.send_twilio(scratch_);

  const std::uint64_t seq = next_mark_++;
  char name[24];
  const auto len = static_cast<std::size_t>(std::snprintf(name, sizeof name, "%llu", static_cast<unsigned long long>(seq)));
  scratch_.clear();
  twilio::append_mark(scratch_, stream_sid_, std::string_view(name, len));
  out_.send_twilio(scratch_);
  playback_.sent(seq, current_item_no_, n, now);
  if (recorder_) recorder_->on_assistant_frame(std::string_view(reinterpret_cast<const char*>(data), n), now);
  if (audio_tap_) out_.heard(false, std::string_view(reinterpret_cast<const char*>(data), n), now);

  if (!first_audio_sent_) {
    first_audio_sent_ = true;
    out_.record({note_kind::first_audio, {}, (now - stream_started_at_).count() / 1000});
  }
}

void call_bridge::barge_in(micros now) {
  if (taken_over_) return;  // the caller is talking to a person; nothing of the model's plays
  stop_playing(now);
}

// Clears what the caller hears: Twilio's buffer, the model's item (truncated at what was
// heard, so its memory matches the caller's), the recording's assistant track.
void call_bridge::stop_playing(micros now) {
  const auto heard = playback_.heard(now);
  if (!heard) {
    pending_.clear();
    return;  // nothing playing: the caller interrupted nobody
  }
  scratch_.clear();
  twilio::append_clear(scratch_, stream_sid_);
  out_.send_twilio(scratch_);
  const std::string_view item = item_id_of(heard->item);
  if (!item.empty()) out_.send_model(openai::truncate_item(item, 0, heard->ms));
  cut_item_.assign(item);
  if (recorder_) recorder_->on_clear(now);
  playback_.clear();
  pending_.clear();
  out_.record({note_kind::barge_in, item, heard->ms});
}

std::string_view call_bridge::item_id_of(std::uint32_t item_no) const {
  if (current_item_no_ - item_no >= recent_items_.size()) return {};
  return recent_items_[item_no % recent_items_.size()];
}

// ---------------------------------------------------------------------------------------------
// Time and endings

void call_bridge::on_tick(micros now) {
  if (ended_ || stream_sid_.empty()) return;
  if (ending_ == ending::none && settings_.max_duration.count() > 0 &&
      now - stream_started_at_ >= settings_.max_duration) {
    begin_goodbye(end_reason::max_duration, settings_.goodbye_prompt, now);
    return;
  }
  if (ending_ == ending::goodbye && now >= goodbye_deadline_) finish(goodbye_reason_);
  if (handoff_.waiting && now >= handoff_.deadline) {
    handoff_.reply_done = true;
    playback_.clear();  // give up waiting for marks: the hand-off must happen
    maybe_hand_off(now);
  }
  watch_idle(now);
}

void call_bridge::begin_goodbye(end_reason why, std::string_view prompt, micros now) {
  if (!model_ready_) {
    finish(why);
    return;
  }
  ending_ = ending::goodbye;
  goodbye_reason_ = why;
  goodbye_deadline_ = now + settings_.goodbye_grace;
  if (response_active_) out_.send_model(openai::response_cancel());
  out_.send_model(openai::response_create(prompt));
}

// Silence is counted only while nothing is happening: the caller mid-sentence, the
// assistant's audio playing or on its way, a response or a tool running, a person holding the
// call, the model reconnecting (our pause, not the caller's) all restart the period.
void call_bridge::watch_idle(micros now) {
  if (!idle_.enabled() || ended_ || ending_ != ending::none) return;
  if (caller_speaking_) {
    idle_.caller_active(now);
    return;
  }
  const bool busy = playback_.playing() || !pending_.empty() || response_active_ || response_create_pending_ ||
                    tools_running_ > 0 || handoff_.waiting || taken_over_ || !model_ready_;
  if (busy) {
    idle_.assistant_active(now);
    return;
  }
  switch (idle_.on_tick(now)) {
    case idle_watch::action::none: return;
    case idle_watch::action::nudge:
      out_.record({note_kind::idle_nudge, {}, 0});
      out_.send_model(openai::response_create(settings_.idle_prompt));
      return;
    case idle_watch::action::goodbye:
      begin_goodbye(end_reason::idle, settings_.idle_goodbye_prompt, now);
      return;
  }
}

void call_bridge::on_tool_result(std::string_view call_id, std::string_view output, std::optional<follow_up> then, micros now) {
  if (ended_) return;
  if (tools_running_ > 0) --tools_running_;
  out_.send_model(openai::create_function_output(call_id, output));
  if (then) {
    handoff_ = {};
    handoff_.waiting = true;
    handoff_.deadline = now + settings_.handoff_grace;
    handoff_.action = std::move(then);
  }
  ask_for_response();
}

// One response at a time: ask now, or when the running one is done. Never while a person has
// the call (what was added stays in the conversation for after the hand-back).
void call_bridge::ask_for_response() {
  if (taken_over_) return;
  if (response_active_) response_create_pending_ = true;
  else request_response();
}

void call_bridge::ask_model(std::string_view instructions, micros /*now*/) {
  if (ended_ || !model_ready_) return;
  if (response_active_) out_.send_model(openai::response_cancel());
  out_.send_model(openai::response_create(instructions));
}

void call_bridge::inject(std::string_view text, bool respond, micros /*now*/) {
  if (ended_ || !model_ready_) return;
  out_.send_model(openai::create_system_text(text));
  if (respond) ask_for_response();
}

void call_bridge::play_audio(std::string_view mulaw, micros now) {
  if (ended_ || mulaw.empty()) return;
  emit_frames(true, now);  // whatever of the assistant's is queued goes first
  current_item_.clear();   // an item of our own: nothing to truncate at the model
  current_item_audio_done_ = true;
  ++current_item_no_;
  recent_items_[current_item_no_ % recent_items_.size()].clear();
  pending_.insert(pending_.end(), mulaw.begin(), mulaw.end());
  emit_frames(true, now);
}

void call_bridge::take_over(micros now) {
  if (ended_ || taken_over_) return;
  taken_over_ = true;
  if (response_active_) out_.send_model(openai::response_cancel());
  response_create_pending_ = false;
  stop_playing(now);
}

void call_bridge::hand_back(micros now) {
  if (ended_ || !taken_over_) return;
  taken_over_ = false;
  inject("A human operator was speaking with the caller and has now handed the call back to you. "
         "The caller's words meanwhile are in the conversation. Carry on from where things stand.",
         true, now);
}

void call_bridge::request_response() {
  if (handoff_.waiting) handoff_.reply_requested = true;
  out_.send_model(openai::response_create());
}

void call_bridge::maybe_hand_off(micros /*now*/) {
  if (!handoff_.waiting || !handoff_.reply_done || playback_.playing() || !pending_.empty()) return;
  const auto action = std::move(handoff_.action);
  handoff_ = {};
  if (action) out_.after_reply(*action);
}

void call_bridge::maybe_finish_goodbye() {
  if (ending_ == ending::goodbye && goodbye_response_seen_ && !playback_.playing()) {
    finish(goodbye_reason_);
  }
}

void call_bridge::finish(end_reason why) {
  if (ended_) return;
  ended_ = true;
  ending_ = ending::done;
  out_.end_call(why);
}

void call_bridge::add_turn(bool caller, std::string text) {
  transcript_.push_back(turn{caller, std::move(text)});
  // Bounded: only the most recent turns are ever replayed.
  if (transcript_.size() > settings_.max_restore_turns * 2) {
    transcript_.erase(transcript_.begin(),
                      transcript_.begin() + static_cast<std::ptrdiff_t>(transcript_.size() - settings_.max_restore_turns));
  }
}

}  // namespace vg::call
