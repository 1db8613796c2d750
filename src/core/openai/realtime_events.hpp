// OpenAI Realtime API events (docs/protocols/openai-realtime.md): the client events voxgate sends and the server
// events a bridge handles, for both the GA names and the older beta names. Parsing accepts
// either name set; writing follows `dialect`. Audio deltas are parsed without allocating.
// Pure.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace vg::openai {

enum class dialect { ga, beta };

struct turn_detection {
  double threshold = 0.5;
  int prefix_padding_ms = 300;
  int silence_duration_ms = 500;
};

struct session_settings {
  std::string model = "gpt-realtime";
  std::string instructions;
  std::string voice = "marin";
  std::string transcription_model = "gpt-4o-mini-transcribe";
  std::string language;      // ISO-639-1 hint for input transcription; empty = auto
  turn_detection vad;
  std::string tools_json;    // a JSON array of flat Realtime tools, or empty
};

std::string session_update(const session_settings& s, dialect d);
// {"type":"input_audio_buffer.append","audio":"<payload>"}; payload is spliced as is.
void append_audio_append(std::string& out, std::string_view payload_base64);
std::string truncate_item(std::string_view item_id, int content_index, std::int64_t audio_end_ms);
std::string create_user_text(std::string_view text);
std::string create_system_text(std::string_view text);
std::string create_assistant_text(std::string_view text, dialect d);
std::string create_function_output(std::string_view call_id, std::string_view output);
// response.create, optionally with instructions for this response only.
std::string response_create(std::string_view instructions = {});
std::string response_cancel();

enum class server_event_kind {
  session_created,
  session_updated,
  error,
  speech_started,
  speech_stopped,
  audio_delta,
  audio_done,
  output_transcript_done,
  input_transcript_completed,
  response_created,
  response_done,
  function_call_arguments_done,
  other
};

struct server_event {
  server_event_kind kind = server_event_kind::other;
  std::string_view type;
  std::string_view item_id;
  std::string_view response_id;
  std::string_view delta;          // audio_delta: base64 as sent (escaped form)
  bool delta_escaped = false;
  std::int64_t audio_ms = 0;       // speech_started: audio_start_ms; speech_stopped: audio_end_ms
  std::string text;                // transcripts, error message, function arguments
  std::string code;                // error code, response status, function name
  std::string call_id;             // function call
  std::string_view usage;          // response.done usage object, raw JSON
};

result<server_event> parse_server_event(std::string_view text);

}  // namespace vg::openai
