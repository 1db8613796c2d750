#include "core/openai/realtime_events.hpp"

#include <boost/json.hpp>

#include "core/json_scan.hpp"

namespace vg::openai {
namespace js = boost::json;

std::string session_update(const session_settings& s, dialect d) {
  js::object session;
  js::object vad{{"type", "server_vad"},
                 {"threshold", s.vad.threshold},
                 {"prefix_padding_ms", s.vad.prefix_padding_ms},
                 {"silence_duration_ms", s.vad.silence_duration_ms},
                 {"create_response", true},
                 {"interrupt_response", true}};
  js::object transcription{{"model", s.transcription_model}};
  if (!s.language.empty()) transcription["language"] = s.language;
  js::value tools = js::array{};
  if (!s.tools_json.empty()) tools = js::parse(s.tools_json);
  if (d == dialect::ga) {
    session = {{"type", "realtime"},
               {"model", s.model},
               {"instructions", s.instructions},
               {"output_modalities", js::array{"audio"}},
               {"audio",
                {{"input",
                  {{"format", {{"type", "audio/pcmu"}}},
                   {"transcription", transcription},
                   {"turn_detection", vad}}},
                 {"output", {{"format", {{"type", "audio/pcmu"}}}, {"voice", s.voice}}}}},
               {"tools", tools},
               {"tool_choice", "auto"}};
  } else {
    session = {{"modalities", js::array{"text", "audio"}},
               {"instructions", s.instructions},
               {"voice", s.voice},
               {"input_audio_format", "g711_ulaw"},
               {"output_audio_format", "g711_ulaw"},
               {"input_audio_transcription", transcription},
               {"turn_detection", vad},
               {"tools", tools},
               {"tool_choice", "auto"}};
  }
  return js::serialize(js::object{{"type", "session.update"}, {"session", std::move(session)}});
}

void append_audio_append(std::string& out, std::string_view payload_base64) {
  out += R"({"type":"input_audio_buffer.append","audio":")";
  out += payload_base64;
  out += R"("})";
}

std::string truncate_item(std::string_view item_id, int content_index, std::int64_t audio_end_ms) {
  return js::serialize(js::object{{"type", "conversation.item.truncate"},
                                  {"item_id", item_id},
                                  {"content_index", content_index},
                                  {"audio_end_ms", audio_end_ms}});
}

namespace {
std::string create_message(std::string_view role, std::string_view content_type, std::string_view text) {
  return js::serialize(js::object{
      {"type", "conversation.item.create"},
      {"item",
       {{"type", "message"}, {"role", role}, {"content", js::array{js::object{{"type", content_type}, {"text", text}}}}}}});
}
}  // namespace

std::string create_user_text(std::string_view text) { return create_message("user", "input_text", text); }
std::string create_system_text(std::string_view text) { return create_message("system", "input_text", text); }
std::string create_assistant_text(std::string_view text, dialect d) {
  return create_message("assistant", d == dialect::ga ? "output_text" : "text", text);
}

std::string create_function_output(std::string_view call_id, std::string_view output) {
  return js::serialize(js::object{
      {"type", "conversation.item.create"},
      {"item", {{"type", "function_call_output"}, {"call_id", call_id}, {"output", output}}}});
}

std::string response_create(std::string_view instructions) {
  if (instructions.empty()) return R"({"type":"response.create"})";
  return js::serialize(js::object{{"type", "response.create"}, {"response", {{"instructions", instructions}}}});
}

std::string response_cancel() { return R"({"type":"response.cancel"})"; }

namespace {

server_event_kind kind_of(std::string_view t) {
  // GA names first, then their beta equivalents (docs/protocols/openai-realtime.md#ga-and-beta).
  if (t == "response.output_audio.delta" || t == "response.audio.delta") return server_event_kind::audio_delta;
  if (t == "input_audio_buffer.speech_started") return server_event_kind::speech_started;
  if (t == "input_audio_buffer.speech_stopped") return server_event_kind::speech_stopped;
  if (t == "response.output_audio.done" || t == "response.audio.done") return server_event_kind::audio_done;
  if (t == "response.output_audio_transcript.done" || t == "response.audio_transcript.done") {
    return server_event_kind::output_transcript_done;
  }
  if (t == "conversation.item.input_audio_transcription.completed") return server_event_kind::input_transcript_completed;
  if (t == "response.created") return server_event_kind::response_created;
  if (t == "response.done") return server_event_kind::response_done;
  if (t == "response.function_call_arguments.done") return server_event_kind::function_call_arguments_done;
  if (t == "session.created") return server_event_kind::session_created;
  if (t == "session.updated") return server_event_kind::session_updated;
  if (t == "error") return server_event_kind::error;
  return server_event_kind::other;
}

}  // namespace

result<server_event> parse_server_event(std::string_view text) {
  auto top = json::object_view::parse(text);
  if (!top) return top.failure();
  server_event e;
  e.type = top->string("type");
  if (e.type.empty()) return make_error("event without a type");
  e.kind = kind_of(e.type);
  e.item_id = top->string("item_id");
  e.response_id = top->string("response_id");
  switch (e.kind) {
    case server_event_kind::audio_delta: {
      const auto* d = top->find("delta");
      if (d == nullptr || d->type != json::kind::string) return make_error("audio delta without delta");
      e.delta = d->raw;
      e.delta_escaped = d->has_escapes;
      break;
    }
    case server_event_kind::speech_started:
      e.audio_ms = top->integer("audio_start_ms").value_or(0);
      break;
    case server_event_kind::speech_stopped:
      e.audio_ms = top->integer("audio_end_ms").value_or(0);
      break;
    case server_event_kind::output_transcript_done:
    case server_event_kind::input_transcript_completed:
      e.text = json::string_text(top->find("transcript"));
      break;
    case server_event_kind::function_call_arguments_done:
      e.call_id = json::string_text(top->find("call_id"));
      e.code = json::string_text(top->find("name"));
      e.text = json::string_text(top->find("arguments"));
      break;
    case server_event_kind::error: {
      const auto* err = top->find("error");
      if (err != nullptr && err->type == json::kind::object) {
        if (auto o = json::object_view::parse(err->raw)) {
          e.text = json::string_text(o->find("message"));
          e.code = json::string_text(o->find("code"));
        }
      }
      break;
    }
    case server_event_kind::response_created:
    case server_event_kind::response_done: {
      const auto* r = top->find("response");
      if (r != nullptr && r->type == json::kind::object) {
        if (auto o = json::object_view::parse(r->raw)) {
          e.response_id = o->string("id");
          e.code = json::string_text(o->find("status"));
          if (const auto* u = o->find("usage"); u != nullptr && u->type == json::kind::object) e.usage = u->raw;
        }
      }
      break;
    }
    default:
      break;
  }
  return e;
}

}  // namespace vg::openai
