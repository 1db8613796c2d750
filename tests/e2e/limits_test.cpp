// Per-assistant limits on one server, on the call's manual clock: settings.max_call_seconds
// ends only its own organisation's calls (with a spoken goodbye), and settings.idle_timeout_s
// nudges a silent caller, then says goodbye and ends the call; speech starts the count over.
// Nothing sleeps: the clock moves when the test says, and the test waits on what it expects.
#include "tests/e2e/api_client.hpp"
#include "tests/fakes/manual_clock.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;
using namespace std::chrono_literals;

constexpr const char* admin = "admin-token-for-limits-tests-0123456789";
constexpr const char* demo_number = "+15550100201";   // max_call_seconds: 60
constexpr const char* plain_number = "+15550100301";  // no limit of its own (the server has none)
constexpr const char* quiet_number = "+15550100401";  // idle_timeout_s: 10

class limits_test : public bridge_test {
 protected:
  limits_test() {
    clock = std::make_shared<fakes::manual_clock>();
    server_clock = clock;
  }

  void SetUp() override {
    start_server([](app::config& c) { c.api_token = admin; });
    add_org("vox-demo", demo_number, R"({"max_call_seconds": 60})");
    add_org("reception", plain_number, R"({})");
    add_org("quiet-line", quiet_number, R"({"idle_timeout_s": 10})");
  }

  void add_org(const std::string& id, const std::string& number, const std::string& settings) {
    const std::string doc = R"({"organization": {"id": ")" + id + R"(", "name": ")" + id +
                            R"(", "timezone": "America/Chicago", "numbers": [")" + number +
                            R"("]}, "assistants": [{"name": "Ava", "settings": )" + settings + "}]}";
    auto r = call_api(loop, port, "POST", "/api/v1/orgs", R"({"id":")" + id + R"(","name":")" + id + R"("})", admin);
    ASSERT_EQ(r.status, 201) << r.body;
    r = call_api(loop, port, "PUT", "/api/v1/orgs/" + id + "/document", doc, admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // A call to `number` whose model session is connection `conn` and whose greeting has played
  // to the last mark; null (with the failure recorded) otherwise.
  std::unique_ptr<fakes::simulated_caller> call(const std::string& number, std::size_t conn) {
    auto o = caller_options();
    o.to = number;
    auto caller = make_caller(o);
    EXPECT_EQ(caller->place_call(), 200);
    EXPECT_TRUE(wait_until([&] { return model.connections() == conn + 1; }));
    EXPECT_EQ(caller->open_stream(), 101);
    const bool played = heard(*caller, 10);
    EXPECT_TRUE(played) << "the greeting did not play";
    return played ? std::move(caller) : nullptr;
  }

  // Waits until the caller has heard `frames` of the assistant's audio and the call has taken
  // in every mark echo (the assistant's audio ended on the call's clock now, before the test
  // moves it): an event Twilio might send and voxgate only notes goes after the last echo on
  // the same socket, and its stored note shows the call has read that far.
  bool heard(fakes::simulated_caller& caller, std::size_t frames) {
    if (!wait_until([&] { return caller.media_received() >= frames && caller.marks_echoed() >= frames; })) return false;
    const std::string sid = caller.call_sid();
    const std::size_t before = stored_events(sid, "unknown_event");
    caller.send_raw(R"({"event":"voxgate_test_marker","sequenceNumber":"999"})");
    return wait_until([&] { return stored_events(sid, "unknown_event") > before; });
  }

  // Moves the call's clock once every call's ticker is waiting on it, and waits until they
  // have all looked at the new time (they wait again).
  void advance(std::chrono::milliseconds d, std::size_t tickers) {
    ASSERT_TRUE(wait_until([&] { return clock->waiting() >= tickers; }));
    clock->advance(d);
    ASSERT_TRUE(wait_until([&] { return clock->waiting() >= tickers || server->active_calls() < tickers; }));
  }

  std::vector<std::string> response_instructions(std::size_t conn) const {
    std::vector<std::string> out;
    for (const auto& e : model_events(conn, "response.create")) {
      const auto* r = e.if_contains("response");
      out.push_back(r != nullptr ? std::string(r->at("instructions").as_string()) : std::string());
    }
    return out;
  }

  std::string stored_end_reason(const std::string& sid) {
    auto row = server->store().query([sid](ports::store& s) { return s.find_call(sid); }).get();
    return row && row->ended_at_ms != 0 ? row->end_reason : std::string();
  }

  std::size_t stored_events(const std::string& sid, const std::string& kind) {
    std::size_t n = 0;
    for (const auto& e : server->store().query([sid](ports::store& s) { return s.events(sid); }).get()) n += e.kind == kind;
    return n;
  }

  std::shared_ptr<fakes::manual_clock> clock;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(limits_test, an_assistants_time_limit_ends_its_own_calls_only_with_a_goodbye) {
  auto demo = call(demo_number, 0);
  ASSERT_TRUE(demo);
  auto plain = call(plain_number, 1);
  ASSERT_TRUE(plain);
  advance(59s, 2);
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);  // the greeting only
  advance(1s, 2);
  // At 60 s the demo call's assistant is asked for a goodbye...
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 2u; }));
  EXPECT_TRUE(contains(response_instructions(0)[1], "goodbye")) << response_instructions(0)[1];
  // ...and the call ends once the goodbye has played (10 more frames, every mark echoed).
  ASSERT_TRUE(wait_until([&] { return demo->stream_closed(); }));
  EXPECT_EQ(demo->media_received(), 20u);
  EXPECT_EQ(demo->marks_echoed(), demo->marks_received());
  ASSERT_TRUE(wait_until([&] { return !stored_end_reason(demo->call_sid()).empty(); }));
  EXPECT_EQ(stored_end_reason(demo->call_sid()), "max_duration");
  EXPECT_NE(demo->request_action().find("<Hangup/>"), std::string::npos);

  // The other organisation's call goes on, an hour later still.
  advance(3600s, 1);
  EXPECT_EQ(server->active_calls(), 1u);
  EXPECT_FALSE(plain->stream_closed());
  EXPECT_EQ(model_events(1, "response.create").size(), 1u);
  EXPECT_EQ(stored_end_reason(plain->call_sid()), "");
}

TEST_F(limits_test, a_silent_caller_is_asked_whether_they_are_there_then_hears_goodbye) {
  auto caller = call(quiet_number, 0);
  ASSERT_TRUE(caller);
  advance(9500ms, 1);
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);
  advance(500ms, 1);  // 10 s without a word
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 2u; }));
  EXPECT_TRUE(contains(response_instructions(0)[1], "still there")) << response_instructions(0)[1];
  // The nudge plays; the second period starts when it has played.
  ASSERT_TRUE(heard(*caller, 20));
  EXPECT_FALSE(caller->stream_closed());
  advance(9500ms, 1);
  EXPECT_EQ(model_events(0, "response.create").size(), 2u);
  advance(500ms, 1);
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 3u; }));
  EXPECT_TRUE(contains(response_instructions(0)[2], "goodbye")) << response_instructions(0)[2];
  ASSERT_TRUE(wait_until([&] { return caller->stream_closed(); }));  // once the goodbye has played
  EXPECT_EQ(caller->media_received(), 30u);
  ASSERT_TRUE(wait_until([&] { return !stored_end_reason(caller->call_sid()).empty(); }));
  EXPECT_EQ(stored_end_reason(caller->call_sid()), "idle");
  EXPECT_EQ(stored_events(caller->call_sid(), "idle_nudge"), 1u);
  EXPECT_NE(caller->request_action().find("<Hangup/>"), std::string::npos);
}

TEST_F(limits_test, the_caller_speaking_starts_the_silence_over) {
  auto caller = call(quiet_number, 0);
  ASSERT_TRUE(caller);
  const std::string sid = caller->call_sid();
  const auto caller_turns = [&] {
    std::size_t n = 0;
    for (const auto& t : server->store().query([sid](ports::store& s) { return s.transcript(sid); }).get()) n += t.speaker == "caller";
    return n;
  };
  advance(6s, 1);
  // At 6 s the caller says "Hello?" and goes on talking (the model's server VAD and
  // transcription say so; the stored turn shows the call has taken it all in).
  model.send(0, R"({"type":"input_audio_buffer.speech_started","audio_start_ms":6000,"item_id":"u1"})");
  model.send(0, R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":6500,"item_id":"u1"})");
  model.send(0, R"({"type":"input_audio_buffer.speech_started","audio_start_ms":6700,"item_id":"u2"})");
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"Hello?"})");
  ASSERT_TRUE(wait_until([&] { return caller_turns() == 1; }));
  advance(6s, 1);
  advance(5s, 1);  // 17 s: 11 s after "Hello?", but the caller is still talking
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);
  model.send(0, R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":17000,"item_id":"u2"})");
  model.send(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u2","content_index":0,"transcript":"Let me find my card."})");
  ASSERT_TRUE(wait_until([&] { return caller_turns() == 2; }));
  // The silence counts from 17 s: nothing at 26.5 s, the nudge at 27 s.
  advance(9500ms, 1);
  EXPECT_EQ(model_events(0, "response.create").size(), 1u);
  advance(500ms, 1);
  ASSERT_TRUE(wait_until([&] { return model_events(0, "response.create").size() == 2u; }));
  EXPECT_TRUE(contains(response_instructions(0)[1], "still there")) << response_instructions(0)[1];
  EXPECT_FALSE(caller->stream_closed());
}

}  // namespace
}  // namespace vg::e2e
