// End to end over real sockets: webhook -> TwiML -> media stream -> fake model -> audio back.
#include <algorithm>

#include "tests/e2e/e2e_fixture.hpp"

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

std::string pattern(std::size_t n, int seed) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 13 + static_cast<std::size_t>(seed)) & 0xFF);
  return out;
}

TEST_F(bridge_test, greeting_comes_first_and_audio_is_byte_exact_both_ways) {
  start_server([](app::config& c) { c.threads = 1; });
  auto opts = caller_options();
  opts.caller_audio = pattern(800, 3);
  auto caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200) << caller->twiml();
  EXPECT_NE(caller->twiml().find("<Connect action=\"https://voxgate.example.com/twilio/stream-ended?org=demo&amp;assistant="), std::string::npos);
  EXPECT_EQ(caller->stream_url(), "wss://voxgate.example.com/twilio/stream");
  EXPECT_EQ(value_of(caller->parameters(), "callSid"), caller->call_sid());
  EXPECT_FALSE(value_of(caller->parameters(), "token").empty());

  // The model session is opened and configured while the webhook is answered, before the stream.
  ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
  const auto types = model.received_types(0);
  EXPECT_EQ(types[0], "session.update");
  EXPECT_EQ(types[1], "conversation.item.create");
  EXPECT_EQ(types[2], "response.create");
  EXPECT_EQ(model.request_header(0, "authorization"), "Bearer sk-test");
  EXPECT_NE(model.request_target(0).find("model=gpt-realtime"), std::string::npos);
  const auto update = model_events(0, "session.update").at(0);
  EXPECT_EQ(update.at("session").at("type"), "realtime");
  EXPECT_EQ(update.at("session").at("audio").at("input").at("format").at("type"), "audio/pcmu");
  EXPECT_EQ(update.at("session").at("audio").at("output").at("format").at("type"), "audio/pcmu");
  EXPECT_EQ(update.at("session").at("audio").at("output").at("voice"), "marin");
  EXPECT_EQ(update.at("session").at("audio").at("input").at("turn_detection").at("type"), "server_vad");

  ASSERT_EQ(caller->open_stream(), 101);
  // The greeting (held until Twilio's start) arrives byte-exact, 20 ms per media message, a mark each.
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().size() >= 1600; }));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
  EXPECT_EQ(caller->media_received(), 10u);
  // Each mark follows its media message, so the last one may still be on its way.
  ASSERT_TRUE(wait_until([&] { return caller->marks_received() >= 10; }));
  EXPECT_EQ(caller->marks_received(), 10u);
  ASSERT_TRUE(wait_until([&] { return caller->marks_echoed() == 10; }, 3000ms));

  // The caller's audio reaches the model untouched.
  ASSERT_TRUE(wait_until([&] { return model_heard(0).size() >= 1600; }));
  const std::string heard = model_heard(0);
  const std::string sent = caller->sent_audio();
  ASSERT_GE(sent.size(), heard.size());
  // (Compared as booleans: gtest would print kilobytes of binary on a mismatch.)
  EXPECT_TRUE(heard == sent.substr(0, heard.size())) << "model heard " << heard.size() << " bytes, caller sent " << sent.size()
      << ", first mismatch at " << std::mismatch(heard.begin(), heard.end(), sent.begin()).first - heard.begin()
      << ", heard starts at sent offset " << sent.find(heard.substr(0, 32)) << " caller_audio at heard offset " << heard.find(opts.caller_audio.substr(0, 32));
  EXPECT_TRUE(heard.substr(0, 800) == opts.caller_audio);


  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  EXPECT_NE(caller->request_action().find("<Hangup/>"), std::string::npos);
}

TEST_F(bridge_test, barge_in_clears_twilio_and_truncates_to_what_the_caller_heard) {
  fakes::realtime_script script;
  script.response_bytes = 24000;  // 3 s of speech, sent to Twilio much faster than real time
  model.set_script(script);
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->played_ms() >= 700; }));
  const double heard_before = caller->played_ms();
  model.send(0, R"({"type":"input_audio_buffer.speech_started","event_id":"evt_x","audio_start_ms":1200,"item_id":"item_user_1"})");
  ASSERT_TRUE(wait_until([&] { return caller->clears_received() == 1; }));
  const double heard_after = caller->played_ms();
  ASSERT_TRUE(wait_until([&] { return !model_events(0, "conversation.item.truncate").empty(); }));
  const auto truncate = model_events(0, "conversation.item.truncate").at(0);
  EXPECT_EQ(truncate.at("item_id"), "item_0_1");
  EXPECT_EQ(truncate.at("content_index"), 0);
  const auto end_ms = truncate.at("audio_end_ms").as_int64();
  // Known to the frame: within the two measurements, allowing a frame of scheduling slack.
  EXPECT_GE(end_ms, static_cast<std::int64_t>(heard_before) - 20);
  EXPECT_LE(end_ms, static_cast<std::int64_t>(heard_after) + 20);
  EXPECT_LE(end_ms, 3000);
  // Every outstanding mark came back at once after the clear, as Twilio does.
  ASSERT_TRUE(wait_until([&] { return caller->marks_echoed() == caller->marks_received(); }));
}

TEST_F(bridge_test, no_barge_in_when_nothing_is_playing) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->marks_echoed() == 10; }, 3000ms));  // greeting played
  model.send(0, R"({"type":"input_audio_buffer.speech_started","event_id":"evt_x","audio_start_ms":900,"item_id":"item_u"})");
  model.send(0, R"({"type":"input_audio_buffer.speech_stopped","event_id":"evt_y","audio_end_ms":1500,"item_id":"item_u"})");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(caller->clears_received(), 0u);
  EXPECT_TRUE(model_events(0, "conversation.item.truncate").empty());
}

TEST_F(bridge_test, wrong_or_missing_webhook_signature_gets_403) {
  start_server();
  auto opts = caller_options();
  opts.corrupt_signature = true;
  EXPECT_EQ(make_caller(opts)->place_call(), 403);
  opts.corrupt_signature = false;
  opts.auth_token.clear();  // no header at all
  EXPECT_EQ(make_caller(opts)->place_call(), 403);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(model.connections(), 0u);  // nobody's money was spent
}

TEST_F(bridge_test, stream_upgrade_with_wrong_signature_gets_403) {
  start_server();
  auto opts = caller_options();
  opts.corrupt_stream_signature = true;
  auto caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_EQ(caller->open_stream(), 403);
}

TEST_F(bridge_test, stream_without_a_valid_token_is_refused) {
  start_server();
  auto caller = make_caller(caller_options());
  ASSERT_EQ(caller->place_call(), 200);
  auto other = make_caller(caller_options());
  ASSERT_EQ(other->place_call(), 200);
  // A token minted for another call.
  for (auto& [n, v] : caller->parameters()) {
    if (n == "token") v = value_of(other->parameters(), "token");
  }
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));
  EXPECT_EQ(caller->media_received(), 0u);

  // A forged token.
  auto forged = make_caller(caller_options());
  ASSERT_EQ(forged->place_call(), 200);
  for (auto& [n, v] : forged->parameters()) {
    if (n == "token") v = "9999999999.AAAA";
  }
  ASSERT_EQ(forged->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return forged->stream_closed(); }));
  EXPECT_EQ(forged->media_received(), 0u);
}

TEST_F(bridge_test, malformed_json_and_unknown_events_are_logged_and_the_call_survives) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() == 10; }));
  caller->send_raw("{not json");
  caller->send_raw(R"({"event":"bogus","streamSid":"MZ1"})");
  caller->send_raw(R"({"event":"media","media":{}})");
  model.send(0, "{garbage");
  model.send(0, R"({"type":"weird.new_event","event_id":"evt_z"})");
  model.send(0, R"({"type":"error","event_id":"evt_e","error":{"type":"invalid_request_error","code":"invalid_event","message":"bad"}})");
  model.send_response(0, "item_later", fakes::assistant_audio(0, 9, 800));
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().size() == 1600 + 800; }));
  EXPECT_TRUE(caller->heard_audio().substr(1600) == fakes::assistant_audio(0, 9, 800));
  EXPECT_FALSE(caller->stream_closed());
  EXPECT_EQ(server->active_calls(), 1u);
}

TEST_F(bridge_test, dtmf_reaches_the_model_as_text) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
  caller->send_dtmf('7');
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : model_events(0, "conversation.item.create")) {
      if (js::serialize(e).find("pressed the key 7") != std::string::npos) return true;
    }
    return false;
  }));
}

TEST_F(bridge_test, dropped_model_socket_reconnects_and_restores_the_conversation) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() == 10; }));
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","event_id":"e1","item_id":"item_u1","content_index":0,"transcript":"I would like a cleaning on Friday."})");
  std::this_thread::sleep_for(50ms);
  model.drop(0);
  ASSERT_TRUE(wait_until([&] { return model.connections() == 2; }));
  ASSERT_TRUE(wait_until([&] { return !model_events(1, "response.create").empty(); }));
  const auto types = model.received_types(1);
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types[0], "session.update");
  const auto items = model_events(1, "conversation.item.create");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("item").at("role"), "assistant");
  EXPECT_EQ(items[0].at("item").at("content").at(0).at("type"), "output_text");
  EXPECT_EQ(items[0].at("item").at("content").at(0).at("text"), "Hello! How can I help you today?");
  EXPECT_EQ(items[1].at("item").at("role"), "user");
  EXPECT_EQ(items[1].at("item").at("content").at(0).at("text"), "I would like a cleaning on Friday.");
  // The caller keeps hearing the assistant on the new session.
  ASSERT_TRUE(wait_until([&] { return caller->media_received() == 20; }));
  EXPECT_TRUE(caller->heard_audio().substr(1600) == fakes::assistant_audio(1, 1, 1600));
  EXPECT_FALSE(caller->stream_closed());
}

TEST_F(bridge_test, unreachable_model_ends_the_call_with_a_spoken_apology) {
  fakes::realtime_script script;
  script.refuse = true;
  model.set_script(script);
  start_server([](app::config& c) { c.model_reconnect_attempts = 1; });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }, 10000ms));
  const std::string twiml = caller->request_action();
  EXPECT_NE(twiml.find("<Say>"), std::string::npos) << twiml;
  EXPECT_NE(twiml.find("<Hangup/>"), std::string::npos) << twiml;
}

TEST_F(bridge_test, max_call_duration_says_goodbye_then_ends) {
  start_server([](app::config& c) { c.max_call_duration = std::chrono::seconds(1); });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }, 8000ms));
  const auto creates = model_events(0, "response.create");
  ASSERT_EQ(creates.size(), 2u);  // greeting, goodbye
  EXPECT_NE(js::serialize(creates[1]).find("goodbye"), std::string::npos);
  EXPECT_EQ(caller->media_received(), 20u);  // the goodbye was played before the end
  EXPECT_EQ(caller->marks_echoed(), 20u);
  EXPECT_EQ(caller->request_action().find("<Say>"), std::string::npos);
}

TEST_F(bridge_test, without_an_openai_key_the_call_hears_an_apology) {
  start_server([](app::config& c) { c.openai_api_key.clear(); });
  auto caller = make_caller(caller_options());
  ASSERT_EQ(caller->place_call(), 200);
  EXPECT_NE(caller->twiml().find("<Say>"), std::string::npos);
  EXPECT_EQ(caller->twiml().find("<Connect"), std::string::npos);
  EXPECT_EQ(model.connections(), 0u);
}

TEST_F(bridge_test, beta_event_names_work_behind_the_switch) {
  fakes::realtime_script script;
  script.beta = true;
  model.set_script(script);
  start_server([](app::config& c) { c.realtime_beta = true; });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().size() >= 1600; }));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
  EXPECT_EQ(model.request_header(0, "openai-beta"), "realtime=v1");
  const auto update = model_events(0, "session.update").at(0);
  EXPECT_EQ(update.at("session").at("input_audio_format"), "g711_ulaw");
  EXPECT_EQ(update.at("session").at("output_audio_format"), "g711_ulaw");
}

TEST_F(bridge_test, seed_paths_work_as_aliases) {
  start_server();
  auto opts = caller_options();
  opts.voice_path = "/incoming-call";
  auto caller = make_caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() == 10; }));
}

TEST_F(bridge_test, fifty_calls_at_once_all_pass) {
  start_server();
  constexpr int calls = 50;
  std::vector<std::unique_ptr<fakes::simulated_caller>> callers;
  for (int i = 0; i < calls; ++i) {
    auto opts = caller_options();
    opts.from = "+1555000" + std::to_string(1000 + i);
    opts.caller_audio = pattern(480, i);
    callers.push_back(make_caller(opts));
  }
  for (auto& c : callers) ASSERT_EQ(c->place_call(), 200);
  for (auto& c : callers) ASSERT_EQ(c->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] {
    for (auto& c : callers) {
      if (c->heard_audio().size() < 1600) return false;
    }
    return true;
  }, 15000ms));
  ASSERT_EQ(model.connections(), static_cast<std::size_t>(calls));
  // Each caller heard exactly its own session's greeting, and its own audio reached its session.
  for (std::size_t k = 0; k < model.connections(); ++k) {
    const std::string update = model.received(k).at(0);
    int owner = -1;
    for (int i = 0; i < calls; ++i) {
      if (update.find("+1555000" + std::to_string(1000 + i)) != std::string::npos) owner = i;
    }
    ASSERT_GE(owner, 0);
    EXPECT_TRUE(callers[static_cast<std::size_t>(owner)]->heard_audio() == fakes::assistant_audio(k, 1, 1600)) << k;
    ASSERT_TRUE(wait_until([&] { return model_heard(k).size() >= 480; }));
    EXPECT_TRUE(model_heard(k).substr(0, 480) == pattern(480, owner)) << k;
  }
  for (auto& c : callers) c->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }, 10000ms));
}

}  // namespace
}  // namespace vg::e2e

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

// A peer that stops reading while the assistant talks: far more audio than loopback socket
// buffers hold. Either safety net must end the call instead of freezing it.
void half_dead_twilio_peer(bridge_test_access& t, std::chrono::milliseconds send_timeout, std::size_t queue_limit) {
  fakes::realtime_script script;
  script.response_bytes = 8 * 1024 * 1024;
  script.delta_bytes = 64 * 1024;
  t.model().set_script(script);
  t.start([&](app::config& c) {
    c.send_timeout = send_timeout;
    c.max_send_queue = queue_limit;
  });
  auto opts = t.options();
  opts.read_stream = false;
  auto caller = t.caller(opts);
  ASSERT_EQ(caller->place_call(), 200);
  ASSERT_EQ(caller->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return t.active_calls() == 0; }, 15000ms));
  EXPECT_EQ(t.model().connections(), 1u);  // the model side was never the problem
}

TEST_F(bridge_test, a_twilio_peer_that_stops_reading_hits_the_send_timeout) {
  bridge_test_access t(*this);
  half_dead_twilio_peer(t, std::chrono::milliseconds(300), std::size_t{1} << 30);
}

TEST_F(bridge_test, a_twilio_peer_that_stops_reading_hits_the_queue_limit) {
  bridge_test_access t(*this);
  half_dead_twilio_peer(t, std::chrono::milliseconds(600000), 4 * 1024 * 1024);
}

TEST_F(bridge_test, a_stream_whose_webhook_another_node_answered_starts_its_session_there) {
  start_server();
  // A second node sharing the Twilio account (same auth token, hence same stream secret).
  app::config cfg = base_config();
  cfg.threads = 1;
  app::server other(cfg);
  const auto other_port = other.start();

  auto caller = make_caller(caller_options());
  ASSERT_EQ(caller->place_call(), 200);  // answered by the first node, which pre-connects
  ASSERT_TRUE(wait_until([&] { return model.connections() == 1; }));
  auto opts = caller_options();
  opts.server_port = other_port;
  opts.call_sid = caller->call_sid();
  auto on_other = make_caller(opts);
  on_other->use_twiml_of(*caller);
  // The stream lands on the second node: it has no waiting session, so it connects now.
  ASSERT_EQ(on_other->open_stream(), 101);
  ASSERT_TRUE(wait_until([&] { return model.connections() == 2; }));
  ASSERT_TRUE(wait_until([&] { return on_other->heard_audio().size() >= 1600; }));
  EXPECT_EQ(other.active_calls(), 1u);
  on_other->send_stop();
  ASSERT_TRUE(wait_until([&] { return other.active_calls() == 0; }));
  other.stop();
}

}  // namespace
}  // namespace vg::e2e

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

TEST_F(bridge_test, a_slow_model_still_greets_first) {
  fakes::realtime_script script;
  script.answer_delay = 400ms;  // session.updated and every response come late
  model.set_script(script);
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().size() >= 1600; }, 5000ms));
  EXPECT_TRUE(caller->heard_audio() == fakes::assistant_audio(0, 1, 1600));
}

TEST_F(bridge_test, a_function_call_without_a_bound_tool_gets_a_truthful_error) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->media_received() == 10; }));
  model.send(0, R"({"type":"response.function_call_arguments.done","event_id":"e9","response_id":"r","item_id":"fc1","output_index":0,"call_id":"call_42","name":"book_service","arguments":"{\"name\":\"Ann\"}"})");
  ASSERT_TRUE(wait_until([&] {
    for (const auto& e : model_events(0, "conversation.item.create")) {
      if (e.at("item").at("type") == "function_call_output" && e.at("item").at("call_id") == "call_42") return true;
    }
    return false;
  }));
  // Greeting, then the reply to the error (held until the greeting's response is done).
  EXPECT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 2u; }));
}

TEST_F(bridge_test, a_get_webhook_with_query_parameters_is_signed_over_the_url) {
  start_server();
  // Seed 000 configures GET /assistant/incoming-call/?org_id=1; Twilio signs the full URL.
  const std::string target = "/assistant/incoming-call/?org_id=1&CallSid=CAget1&From=%2B15551230009&To=%2B15550009999";
  const std::string signature = twilio::compute_signature(auth_token, std::string(public_url) + target, {});
  auto fetch = [&](std::string sig) {
    return loop.run_sync([](asio::any_io_executor ex, std::string url, std::string s) -> awaitable<int> {
      net::client_request req;
      req.url = std::move(url);
      req.headers.emplace_back("X-Twilio-Signature", std::move(s));
      auto r = co_await net::http_fetch(ex, std::move(req));
      co_return r ? r->status : -1;
    }(loop.executor(), "http://127.0.0.1:" + std::to_string(port) + target, std::move(sig)));
  };
  EXPECT_EQ(fetch(signature), 200);
  EXPECT_EQ(fetch("AAAA" + signature.substr(4)), 403);
}

}  // namespace
}  // namespace vg::e2e

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

TEST_F(bridge_test, the_call_its_transcript_events_and_status_are_stored_as_they_happen) {
  fakes::realtime_script script;
  script.response_bytes = 16000;  // 2 s, so the caller can barge in
  model.set_script(script);
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return caller->played_ms() >= 300; }));
  model.send(0, R"({"type":"input_audio_buffer.speech_started","audio_start_ms":300,"item_id":"u1"})");
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Can I book a cleaning?"})");
  caller->send_dtmf('3');
  ASSERT_EQ(caller->send_status("in-progress", 1, 0), 204);
  const std::string sid = caller->call_sid();
  auto& store = server->store();
  // Written while the call is still up, not at the end.
  ASSERT_TRUE(wait_until([&] {
    return store.query([sid](ports::store& s) { return s.transcript(sid).size(); }).get() >= 2;
  })) << store.query([sid](ports::store& s) { return s.transcript(sid).size(); }).get() << " turns, call row "
      << store.query([sid](ports::store& s) { return s.find_call(sid).has_value(); }).get();
  EXPECT_EQ(server->active_calls(), 1u);
  const auto turns = store.query([sid](ports::store& s) { return s.transcript(sid); }).get();
  ASSERT_GE(turns.size(), 2u);  // (the DTMF then makes the assistant answer again)
  EXPECT_EQ(turns[0].speaker, "assistant");
  EXPECT_EQ(turns[0].text, "Hello! How can I help you today?");
  EXPECT_EQ(turns[1].speaker, "caller");
  EXPECT_EQ(turns[1].text, "Can I book a cleaning?");
  ASSERT_TRUE(wait_until([&] {
    const auto events = store.query([sid](ports::store& s) { return s.events(sid); }).get();
    bool barge = false, dtmf = false;
    for (const auto& e : events) {
      barge = barge || e.kind == "barge_in";
      dtmf = dtmf || (e.kind == "dtmf" && e.detail == "3");
    }
    return barge && dtmf;
  }));

  caller->send_stop();
  ASSERT_TRUE(wait_until([&] { return server->active_calls() == 0; }));
  // Status callbacks may arrive out of order: the later SequenceNumber wins.
  ASSERT_EQ(caller->send_status("completed", 3, 42), 204);
  ASSERT_EQ(caller->send_status("ringing", 0, 0), 204);
  ASSERT_TRUE(wait_until([&] {
    const auto row = store.query([sid](ports::store& s) { return s.find_call(sid); }).get();
    return row && row->status == "completed" && row->end_reason == "stream_stopped";
  }));
  const auto row = store.query([sid](ports::store& s) { return s.find_call(sid); }).get();
  EXPECT_EQ(row->from, "+15551230001");
  EXPECT_EQ(row->to, "+15550009999");
  EXPECT_EQ(row->direction, "inbound");
  EXPECT_EQ(row->duration_s, 42);
  EXPECT_GE(row->first_audio_ms, 0);
  EXPECT_GT(row->ended_at_ms, row->started_at_ms - 1);
}

}  // namespace
}  // namespace vg::e2e

namespace vg::e2e {
namespace {

using fakes::wait_until;
using namespace std::chrono_literals;

TEST_F(bridge_test, calls_are_stored_in_postgresql_when_database_url_says_so) {
  const char* url = std::getenv("VOXGATE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') GTEST_SKIP() << "no PostgreSQL here (set VOXGATE_TEST_POSTGRES_URL; CI does)";
  start_server([&](app::config& c) { c.database_url = url; });
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  // The model connection must exist before the fake can speak on it.
  ASSERT_TRUE(wait_until([&] { return model.received(0).size() >= 3; }));
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Is it open on Sunday?"})");
  const std::string sid = caller->call_sid();
  auto& store = server->store();
  ASSERT_TRUE(wait_until([&] {
    const auto turns = store.query([sid](ports::store& s) { return s.transcript(sid); }).get();
    return turns.size() >= 2 && turns[1].text == "Is it open on Sunday?";
  }));
  caller->send_stop();
  ASSERT_TRUE(wait_until([&] {
    const auto row = store.query([sid](ports::store& s) { return s.find_call(sid); }).get();
    return row && row->end_reason == "stream_stopped" && row->from == "+15551230001";
  }));
}

}  // namespace
}  // namespace vg::e2e
