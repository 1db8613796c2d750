// The call session against the realtime_model port's in-memory fake: no model server, no
// model socket. What the session sends the model and how it handles the model's events and a
// dropped session are checked event by event (Twilio's side is still the simulated caller).
#include "core/base64.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/fakes/memory_model.hpp"

namespace vg::e2e {
namespace {
using fakes::wait_until;

bool has_all(const std::vector<std::string>& types, std::initializer_list<const char*> wanted) {
  for (const char* w : wanted) {
    if (std::find(types.begin(), types.end(), w) == types.end()) return false;
  }
  return true;
}

std::string pattern(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 13 + static_cast<std::size_t>(seed) * 7) & 0x7F);
  return s;
}

class session_model_port_test : public bridge_test {
 protected:
  session_model_port_test() {
    memory = std::make_shared<fakes::memory_model>();
    server_model = memory;
  }
  // One spoken response from the model, as the Realtime API sends it.
  void speak(std::size_t session, const std::string& item, const std::string& mulaw) {
    memory->push(session, R"({"type":"response.created","response":{"id":"r_)" + item + R"(","status":"in_progress"}})");
    memory->push(session, R"({"type":"response.output_audio.delta","response_id":"r_)" + item + R"(","item_id":")" + item +
                              R"(","output_index":0,"content_index":0,"delta":")" + base64::encode(mulaw) + R"("})");
    memory->push(session, R"({"type":"response.output_audio.done","response_id":"r_)" + item + R"(","item_id":")" + item + R"("})");
    memory->push(session, R"({"type":"response.done","response":{"id":"r_)" + item + R"(","status":"completed"}})");
  }
  std::shared_ptr<fakes::memory_model> memory;
};

TEST_F(session_model_port_test, the_session_greets_first_then_carries_audio_both_ways) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return memory->sessions() == 1 && memory->sent_types(0).size() >= 3; }));
  const auto first = memory->sent_types(0);
  EXPECT_EQ(first[0], "session.update");
  EXPECT_EQ(first[1], "conversation.item.create");  // the greeting request
  EXPECT_EQ(first[2], "response.create");
  const std::string greeting = pattern(480, 1);
  speak(0, "item_greet", greeting);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio() == greeting; }));
  ASSERT_TRUE(wait_until([&] { return has_all(memory->sent_types(0), {"input_audio_buffer.append"}); }));
  EXPECT_EQ(model.connections(), 0u);  // the WebSocket fake was never asked
}

TEST_F(session_model_port_test, a_dropped_model_session_is_reopened_with_the_conversation) {
  start_server();
  auto caller = connected_caller();
  ASSERT_TRUE(caller);
  ASSERT_TRUE(wait_until([&] { return memory->sent_types(0).size() >= 3; }));
  memory->push(0, R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"u1","content_index":0,"transcript":"I need a cleaning on Friday."})");
  memory->drop(0);
  ASSERT_TRUE(wait_until([&] { return memory->sessions() == 2 && memory->sent_types(1).size() >= 3; }));
  const auto sent = memory->sent(1);
  EXPECT_NE(sent[0].find("session.update"), std::string::npos);
  EXPECT_NE(sent[1].find("I need a cleaning on Friday."), std::string::npos) << sent[1];  // the conversation, replayed
  // Then the model is asked to carry on (the caller's audio flows meanwhile, so look for it).
  EXPECT_TRUE(has_all(memory->sent_types(1), {"response.create"}));
  // The caller hears the new session.
  const std::string resumed = pattern(320, 2);
  speak(1, "item_resume", resumed);
  ASSERT_TRUE(wait_until([&] { return caller->heard_audio().find(resumed) != std::string::npos; }));
  EXPECT_FALSE(caller->stream_closed());
}

}  // namespace
}  // namespace vg::e2e
