// OpenAI Realtime events (docs/protocols/openai-realtime.md): the client events we write (GA and beta shapes) and
// the server events we parse (GA and beta names).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "core/openai/realtime_events.hpp"

namespace vg::openai {
namespace {
namespace js = boost::json;

session_settings sample_settings() {
  session_settings s;
  s.model = "gpt-realtime";
  s.instructions = "You are the receptionist of \"Bright Smile\" dental.\nBe brief.";
  s.voice = "cedar";
  s.transcription_model = "gpt-4o-transcribe";
  s.language = "en";
  s.vad.threshold = 0.6;
  s.vad.prefix_padding_ms = 250;
  s.vad.silence_duration_ms = 700;
  s.tools_json = R"([{"type":"function","name":"transfer_call","description":"Transfer to a human",)"
                 R"("parameters":{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]}}])";
  return s;
}

// --- session.update ------------------------------------------------------------------------------

TEST(realtime_events, session_update_ga_shape) {
  const js::value v = js::parse(session_update(sample_settings(), dialect::ga));
  EXPECT_EQ(v.at("type"), "session.update");
  const js::object& s = v.at("session").as_object();
  EXPECT_EQ(s.at("type"), "realtime");
  EXPECT_EQ(s.at("model"), "gpt-realtime");
  EXPECT_EQ(s.at("instructions"), "You are the receptionist of \"Bright Smile\" dental.\nBe brief.");
  EXPECT_EQ(s.at("output_modalities"), js::parse(R"(["audio"])"));
  const js::value& input = s.at("audio").at("input");
  const js::value& output = s.at("audio").at("output");
  EXPECT_EQ(input.at("format"), js::parse(R"({"type":"audio/pcmu"})"));
  EXPECT_EQ(output.at("format"), js::parse(R"({"type":"audio/pcmu"})"));
  EXPECT_EQ(output.at("voice"), "cedar");
  const js::value& vad = input.at("turn_detection");
  EXPECT_EQ(vad.at("type"), "server_vad");
  EXPECT_DOUBLE_EQ(vad.at("threshold").to_number<double>(), 0.6);
  EXPECT_EQ(vad.at("prefix_padding_ms").to_number<int>(), 250);
  EXPECT_EQ(vad.at("silence_duration_ms").to_number<int>(), 700);
  EXPECT_EQ(vad.at("create_response"), true);
  EXPECT_EQ(vad.at("interrupt_response"), true);
  EXPECT_EQ(input.at("transcription"), js::parse(R"({"model":"gpt-4o-transcribe","language":"en"})"));
  EXPECT_EQ(s.at("tools").at(0).at("name"), "transfer_call");
  EXPECT_EQ(s.at("tools").at(0).at("parameters").at("required").at(0), "reason");
  EXPECT_EQ(s.at("tool_choice"), "auto");
  // GA has no temperature and none of the flat beta fields.
  for (const char* beta_only : {"temperature", "modalities", "voice", "input_audio_format", "output_audio_format",
                                "input_audio_transcription", "turn_detection"}) {
    EXPECT_FALSE(s.contains(beta_only)) << beta_only;
  }
}

TEST(realtime_events, session_update_beta_shape) {
  const js::value v = js::parse(session_update(sample_settings(), dialect::beta));
  EXPECT_EQ(v.at("type"), "session.update");
  const js::object& s = v.at("session").as_object();
  EXPECT_EQ(s.at("modalities"), js::parse(R"(["text","audio"])"));
  EXPECT_EQ(s.at("voice"), "cedar");
  EXPECT_EQ(s.at("input_audio_format"), "g711_ulaw");
  EXPECT_EQ(s.at("output_audio_format"), "g711_ulaw");
  EXPECT_EQ(s.at("input_audio_transcription").at("model"), "gpt-4o-transcribe");
  EXPECT_EQ(s.at("turn_detection").at("type"), "server_vad");
  EXPECT_EQ(s.at("turn_detection").at("silence_duration_ms").to_number<int>(), 700);
  EXPECT_EQ(s.at("instructions"), "You are the receptionist of \"Bright Smile\" dental.\nBe brief.");
  EXPECT_EQ(s.at("tools").at(0).at("type"), "function");
  EXPECT_EQ(s.at("tool_choice"), "auto");
  for (const char* ga_only : {"type", "audio", "output_modalities"}) {
    EXPECT_FALSE(s.contains(ga_only)) << ga_only;
  }
}

TEST(realtime_events, session_update_defaults) {
  const session_settings defaults;
  const js::value v = js::parse(session_update(defaults, dialect::ga));
  const js::value& s = v.at("session");
  EXPECT_EQ(s.at("model"), "gpt-realtime");
  EXPECT_EQ(s.at("audio").at("output").at("voice"), "marin");
  ASSERT_TRUE(s.at("tools").is_array());
  EXPECT_TRUE(s.at("tools").as_array().empty());
  // No language: the transcription object carries the model only.
  EXPECT_EQ(s.at("audio").at("input").at("transcription"), js::parse(R"({"model":"gpt-4o-mini-transcribe"})"));
  const js::value& vad = s.at("audio").at("input").at("turn_detection");
  EXPECT_DOUBLE_EQ(vad.at("threshold").to_number<double>(), 0.5);
  EXPECT_EQ(vad.at("prefix_padding_ms").to_number<int>(), 300);
  EXPECT_EQ(vad.at("silence_duration_ms").to_number<int>(), 500);
}

// --- client events ---------------------------------------------------------------------------------

TEST(realtime_events, audio_append_splices_the_payload) {
  std::string out = "keep";
  append_audio_append(out, "no+JhoaJjpzS/w==");
  EXPECT_EQ(out, R"(keep{"type":"input_audio_buffer.append","audio":"no+JhoaJjpzS/w=="})");
  EXPECT_EQ(js::parse(out.substr(4)), js::parse(R"({"type":"input_audio_buffer.append","audio":"no+JhoaJjpzS/w=="})"));
}

TEST(realtime_events, truncate_item_shape) {
  const js::value v = js::parse(truncate_item("item_abc", 0, 1234));
  EXPECT_EQ(v, js::parse(R"({"type":"conversation.item.truncate","item_id":"item_abc","content_index":0,"audio_end_ms":1234})"));
  EXPECT_TRUE(v.at("audio_end_ms").is_int64());  // an integer, not a float
  EXPECT_TRUE(v.at("content_index").is_int64());
  EXPECT_EQ(js::parse(truncate_item("i", 2, 0)).at("content_index"), 2);
}

TEST(realtime_events, text_items) {
  const std::string text = "Line \"one\"\nline two \\ \xc3\xa9";
  const js::value user = js::parse(create_user_text(text));
  EXPECT_EQ(user, js::value({{"type", "conversation.item.create"},
                             {"item", {{"type", "message"},
                                       {"role", "user"},
                                       {"content", js::array{js::object{{"type", "input_text"}, {"text", text}}}}}}}));
  const js::value system = js::parse(create_system_text("Caller is VIP."));
  EXPECT_EQ(system.at("item").at("role"), "system");
  EXPECT_EQ(system.at("item").at("content").at(0).at("type"), "input_text");
  EXPECT_EQ(system.at("item").at("content").at(0).at("text"), "Caller is VIP.");

  const js::value ga = js::parse(create_assistant_text("Hello!", dialect::ga));
  EXPECT_EQ(ga.at("type"), "conversation.item.create");
  EXPECT_EQ(ga.at("item").at("role"), "assistant");
  EXPECT_EQ(ga.at("item").at("content").at(0).at("type"), "output_text");
  EXPECT_EQ(ga.at("item").at("content").at(0).at("text"), "Hello!");
  const js::value beta = js::parse(create_assistant_text("Hello!", dialect::beta));
  EXPECT_EQ(beta.at("item").at("content").at(0).at("type"), "text");
}

TEST(realtime_events, function_output_shape) {
  const js::value v = js::parse(create_function_output("call_abc", R"({"ok":true})"));
  EXPECT_EQ(v, js::parse(R"({"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"call_abc","output":"{\"ok\":true}"}})"));
}

TEST(realtime_events, response_create_and_cancel) {
  EXPECT_EQ(js::parse(response_create()), js::parse(R"({"type":"response.create"})"));
  EXPECT_EQ(js::parse(response_create("")), js::parse(R"({"type":"response.create"})"));
  EXPECT_EQ(js::parse(response_create("Say \"bye\".")),
            js::parse(R"({"type":"response.create","response":{"instructions":"Say \"bye\"."}})"));
  EXPECT_EQ(js::parse(response_cancel()), js::parse(R"({"type":"response.cancel"})"));
}

// --- server events ---------------------------------------------------------------------------------

TEST(realtime_events, audio_delta_in_both_dialects) {
  for (const char* type : {"response.output_audio.delta", "response.audio.delta"}) {
    const std::string text = std::string(R"({"type":")") + type +
                             R"(","event_id":"ev1","response_id":"resp_1","item_id":"item_1","output_index":0,)"
                             R"("content_index":0,"delta":"no+JhoaJjpzS/w=="})";
    auto e = parse_server_event(text);
    ASSERT_TRUE(e.ok()) << e.error_message();
    EXPECT_EQ(e->kind, server_event_kind::audio_delta) << type;
    EXPECT_EQ(e->type, type);
    EXPECT_EQ(e->item_id, "item_1");
    EXPECT_EQ(e->response_id, "resp_1");
    EXPECT_EQ(e->delta, "no+JhoaJjpzS/w==");
    EXPECT_FALSE(e->delta_escaped);
  }
  const std::string escaped = R"({"type":"response.output_audio.delta","item_id":"i","delta":"AAA\/"})";
  auto e = parse_server_event(escaped);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->delta, R"(AAA\/)");
  EXPECT_TRUE(e->delta_escaped);
}

TEST(realtime_events, audio_delta_without_delta_is_an_error) {
  EXPECT_FALSE(parse_server_event(R"({"type":"response.output_audio.delta","item_id":"i"})").ok());
  EXPECT_FALSE(parse_server_event(R"({"type":"response.audio.delta","item_id":"i","delta":5})").ok());
  EXPECT_FALSE(parse_server_event(R"({"type":"response.audio.delta","item_id":"i","delta":null})").ok());
}

TEST(realtime_events, audio_done_in_both_dialects) {
  for (const char* type : {"response.output_audio.done", "response.audio.done"}) {
    const std::string text = std::string(R"({"type":")") + type + R"(","response_id":"r","item_id":"item_9"})";
    auto e = parse_server_event(text);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->kind, server_event_kind::audio_done) << type;
    EXPECT_EQ(e->item_id, "item_9");
  }
}

TEST(realtime_events, speech_started_and_stopped) {
  auto started = parse_server_event(R"({"type":"input_audio_buffer.speech_started","event_id":"e","audio_start_ms":1500,"item_id":"u1"})");
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->kind, server_event_kind::speech_started);
  EXPECT_EQ(started->audio_ms, 1500);
  EXPECT_EQ(started->item_id, "u1");
  auto stopped = parse_server_event(R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":2750,"item_id":"u1"})");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->kind, server_event_kind::speech_stopped);
  EXPECT_EQ(stopped->audio_ms, 2750);
  auto no_ms = parse_server_event(R"({"type":"input_audio_buffer.speech_started"})");
  ASSERT_TRUE(no_ms.ok());
  EXPECT_EQ(no_ms->audio_ms, 0);
}

TEST(realtime_events, transcripts) {
  auto caller = parse_server_event(
      R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,)"
      R"("transcript":"I need a \"cleaning\"\n\u00e9","usage":{"type":"duration","seconds":2}})");
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->kind, server_event_kind::input_transcript_completed);
  EXPECT_EQ(caller->text, "I need a \"cleaning\"\n\xc3\xa9");
  EXPECT_EQ(caller->item_id, "u1");
  for (const char* type : {"response.output_audio_transcript.done", "response.audio_transcript.done"}) {
    const std::string text = std::string(R"({"type":")") + type + R"(","item_id":"a1","transcript":"Hello, Bright Smile."})";
    auto e = parse_server_event(text);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->kind, server_event_kind::output_transcript_done) << type;
    EXPECT_EQ(e->text, "Hello, Bright Smile.");
  }
  // Deltas of transcripts are not handled by the bridge.
  EXPECT_EQ(parse_server_event(R"({"type":"response.output_audio_transcript.delta","delta":"He"})")->kind,
            server_event_kind::other);
}

TEST(realtime_events, response_created_and_done) {
  auto created = parse_server_event(R"({"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}})");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->kind, server_event_kind::response_created);
  EXPECT_EQ(created->response_id, "resp_1");
  EXPECT_EQ(created->code, "in_progress");

  for (const char* status : {"completed", "cancelled", "failed", "incomplete"}) {
    const std::string text = std::string(R"({"type":"response.done","response":{"id":"resp_2","status":")") + status +
                             R"(","status_details":{"type":"cancelled","reason":"turn_detected"},"output":[],)"
                             R"("usage":{"total_tokens":3,"input_tokens":1,"output_tokens":2}}})";
    auto done = parse_server_event(text);
    ASSERT_TRUE(done.ok()) << done.error_message();
    EXPECT_EQ(done->kind, server_event_kind::response_done);
    EXPECT_EQ(done->response_id, "resp_2");
    EXPECT_EQ(done->code, status);
    EXPECT_EQ(js::parse(done->usage), js::parse(R"({"total_tokens":3,"input_tokens":1,"output_tokens":2})"));
  }
  auto bare = parse_server_event(R"({"type":"response.done"})");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->kind, server_event_kind::response_done);
  EXPECT_EQ(bare->response_id, "");
  EXPECT_EQ(bare->usage, "");
}

TEST(realtime_events, function_call_arguments_done) {
  auto e = parse_server_event(
      R"({"type":"response.function_call_arguments.done","response_id":"r","item_id":"fc_1","output_index":0,)"
      R"("call_id":"call_abc","name":"transfer_call","arguments":"{\"reason\":\"billing \\\"now\\\"\"}"})");
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, server_event_kind::function_call_arguments_done);
  EXPECT_EQ(e->call_id, "call_abc");
  EXPECT_EQ(e->code, "transfer_call");
  EXPECT_EQ(e->text, R"({"reason":"billing \"now\""})");
  EXPECT_EQ(js::parse(e->text).at("reason"), "billing \"now\"");
  EXPECT_EQ(e->item_id, "fc_1");
}

TEST(realtime_events, error_event) {
  auto e = parse_server_event(
      R"({"type":"error","event_id":"ev","error":{"type":"invalid_request_error","code":"invalid_event",)"
      R"("message":"The 'type' field is \"bad\".","param":null,"event_id":"client_1"}})");
  ASSERT_TRUE(e.ok()) << e.error_message();
  EXPECT_EQ(e->kind, server_event_kind::error);
  EXPECT_EQ(e->text, "The 'type' field is \"bad\".");
  EXPECT_EQ(e->code, "invalid_event");
  auto no_detail = parse_server_event(R"({"type":"error"})");
  ASSERT_TRUE(no_detail.ok());
  EXPECT_EQ(no_detail->kind, server_event_kind::error);
  EXPECT_EQ(no_detail->text, "");
}

TEST(realtime_events, session_and_other_events) {
  EXPECT_EQ(parse_server_event(R"({"type":"session.created","session":{"type":"realtime"}})")->kind,
            server_event_kind::session_created);
  EXPECT_EQ(parse_server_event(R"({"type":"session.updated","session":{}})")->kind, server_event_kind::session_updated);
  for (const char* other : {"rate_limits.updated", "conversation.item.added", "conversation.item.created",
                            "response.output_item.added", "input_audio_buffer.committed", "response.text.delta",
                            "something.new"}) {
    const std::string text = std::string(R"({"type":")") + other + R"("})";
    auto e = parse_server_event(text);
    ASSERT_TRUE(e.ok()) << other;
    EXPECT_EQ(e->kind, server_event_kind::other) << other;
    EXPECT_EQ(e->type, other);
  }
}

TEST(realtime_events, malformed_events_are_errors) {
  for (const char* bad : {"", "[1,2]", "{nope", R"({"delta":"x"})", R"({"type":""})", R"({"type":3})",
                          R"({"type":"response.done"} x)", R"({"type":"error","error":{"message":"x"})"}) {
    EXPECT_FALSE(parse_server_event(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vg::openai
