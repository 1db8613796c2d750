// A recording bridge_output and message builders for the call bridge's unit tests.
#pragma once
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/base64.hpp"
#include "core/call/call_bridge.hpp"

namespace vg::call::bridge_testing {
namespace js = boost::json;

inline micros at_ms(std::int64_t ms) { return micros{ms * 1000}; }

// --- the recording output -------------------------------------------------------------------------

struct recorded_note {
  note_kind kind;
  std::string text;  // copied: note::text is only valid during record()
  std::int64_t value;
};

struct recorder final : bridge_output {
  enum class to { twilio, model };
  struct sent {
    to where;
    std::string json;
  };
  std::vector<sent> timeline;  // both directions, in order
  std::vector<recorded_note> notes;
  std::vector<end_reason> ends;

  void send_twilio(std::string_view j) override { timeline.push_back({to::twilio, std::string(j)}); }
  void send_model(std::string_view j) override { timeline.push_back({to::model, std::string(j)}); }
  void record(const note& n) override { notes.push_back({n.kind, std::string(n.text), n.value}); }
  void end_call(end_reason why) override { ends.push_back(why); }
  struct tool_request {
    std::string call_id, name, arguments;
  };
  std::vector<tool_request> tool_calls;
  std::vector<follow_up> follow_ups;
  struct heard_audio {
    bool caller;
    std::string mulaw;
  };
  std::vector<heard_audio> tapped;
  void call_tool(std::string_view id, std::string_view name, std::string_view args) override {
    tool_calls.push_back({std::string(id), std::string(name), std::string(args)});
  }
  void after_reply(const follow_up& f) override { follow_ups.push_back(f); }
  void heard(bool caller, std::string_view mulaw, micros) override { tapped.push_back({caller, std::string(mulaw)}); }

  void clear() {
    timeline.clear();
    notes.clear();
  }
  std::vector<std::string> messages(to where) const {
    std::vector<std::string> out;
    for (const auto& s : timeline) {
      if (s.where == where) out.push_back(s.json);
    }
    return out;
  }
  std::vector<std::string> model() const { return messages(to::model); }
  std::vector<std::string> twilio() const { return messages(to::twilio); }
  std::vector<js::value> model_json() const {
    std::vector<js::value> out;
    for (const auto& m : model()) out.push_back(js::parse(m));
    return out;
  }
  std::vector<std::string> model_types() const {
    std::vector<std::string> out;
    for (const auto& v : model_json()) out.push_back(js::value_to<std::string>(v.at("type")));
    return out;
  }
  std::vector<std::string> twilio_events() const {
    std::vector<std::string> out;
    for (const auto& m : twilio()) out.push_back(js::value_to<std::string>(js::parse(m).at("event")));
    return out;
  }
  // Every payload sent to Twilio, decoded, in order.
  std::vector<std::string> twilio_frames() const {
    std::vector<std::string> out;
    for (const auto& m : twilio()) {
      const auto v = js::parse(m);
      if (v.at("event") == "media") {
        const auto bytes = base64::decode(js::value_to<std::string>(v.at("media").at("payload")));
        EXPECT_TRUE(bytes.has_value()) << m;
        out.push_back(bytes.value_or(""));
      }
    }
    return out;
  }
  std::string twilio_audio() const {
    std::string out;
    for (const auto& f : twilio_frames()) out += f;
    return out;
  }
  std::vector<std::string> mark_names() const {
    std::vector<std::string> out;
    for (const auto& m : twilio()) {
      const auto v = js::parse(m);
      if (v.at("event") == "mark") out.push_back(js::value_to<std::string>(v.at("mark").at("name")));
    }
    return out;
  }
  const recorded_note* find_note(note_kind k) const {
    for (const auto& n : notes) {
      if (n.kind == k) return &n;
    }
    return nullptr;
  }
  std::size_t count_notes(note_kind k) const {
    return static_cast<std::size_t>(std::count_if(notes.begin(), notes.end(), [k](const recorded_note& n) { return n.kind == k; }));
  }
};

// --- messages -------------------------------------------------------------------------------------

inline const std::string start_msg =
    R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1",)"
    R"("tracks":["inbound"],"customParameters":{"token":"t"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ1"})";
inline const std::string stop_msg = R"({"event":"stop","sequenceNumber":"99","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"})";
inline const std::string speech_started = R"({"type":"input_audio_buffer.speech_started","audio_start_ms":900,"item_id":"u1"})";

inline std::string audio(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + static_cast<std::size_t>(seed) * 13 + (i >> 8)) & 0xFF);
  return s;
}
inline std::string delta(const std::string& item, const std::string& bytes, const std::string& type = "response.output_audio.delta") {
  return R"({"type":")" + type + R"(","response_id":"r1","item_id":")" + item + R"(","output_index":0,"content_index":0,"delta":")" +
         base64::encode(bytes) + R"("})";
}
inline std::string audio_done(const std::string& item, const std::string& type = "response.output_audio.done") {
  return R"({"type":")" + type + R"(","response_id":"r1","item_id":")" + item + R"("})";
}
inline std::string mark_echo(std::uint64_t n) {
  return R"({"event":"mark","sequenceNumber":"9","streamSid":"MZ1","mark":{"name":")" + std::to_string(n) + R"("}})";
}
inline std::string media_msg(const std::string& payload, std::int64_t timestamp) {
  return R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":")" +
         std::to_string(timestamp) + R"(","payload":")" + payload + R"("},"streamSid":"MZ1"})";
}
inline std::string response_created(const std::string& id) {
  return R"({"type":"response.created","response":{"id":")" + id + R"(","status":"in_progress"}})";
}
inline std::string response_done(const std::string& id, const std::string& status = "completed") {
  return R"({"type":"response.done","response":{"id":")" + id + R"(","status":")" + status + R"("}})";
}
inline std::string user_transcript(const std::string& text) {
  return R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u","content_index":0,"transcript":")" +
         text + R"("})";
}
inline std::string assistant_transcript(const std::string& text, const std::string& type = "response.output_audio_transcript.done") {
  return R"({"type":")" + type + R"(","item_id":"a","transcript":")" + text + R"("})";
}

// A bridge with the model connected and the stream started; the recorder is cleared.
struct live_call {
  recorder out;
  call_bridge bridge;
  explicit live_call(bridge_settings s = {}) : bridge(std::move(s), out) {
    bridge.on_model_connected(at_ms(0));
    bridge.on_twilio_message(start_msg, at_ms(0));
    out.clear();
  }
};

}  // namespace vg::call::bridge_testing
