// A real voxgate server on 127.0.0.1:0, a fake Realtime model and simulated Twilio callers,
// all over loopback sockets.
#pragma once
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "app/server.hpp"
#include "app/store_writer.hpp"
#include "core/base64.hpp"
#include "core/twilio/webhook.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/fake_realtime_server.hpp"
#include "tests/fakes/simulated_caller.hpp"

namespace vg::e2e {

namespace js = boost::json;

inline std::string value_of(const std::vector<std::pair<std::string, std::string>>& params, const std::string& name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

inline constexpr const char* public_url = "https://voxgate.example.com";
inline constexpr const char* auth_token = "test-auth-token";

class bridge_test : public ::testing::Test {
 protected:
  // A node configured against the fakes, listening on a free loopback port.
  app::config base_config() const {
    app::config cfg;
    cfg.openai_api_key = "sk-test";
    cfg.twilio_auth_token = auth_token;
    cfg.public_url = public_url;
    cfg.openai_realtime_url = model.url();
    cfg.bind_address = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = 2;
    cfg.model_connect_timeout = std::chrono::milliseconds(2000);
    cfg.database_url = "sqlite::memory:";
    // Recordings go to the system's temp directory, never the working tree.
    const auto tmp = std::filesystem::temp_directory_path();
    cfg.storage_url = "file:" + (tmp / ("voxgate-e2e-blobs-" + std::to_string(::getpid()))).string();
    cfg.recording_spool = (tmp / ("voxgate-e2e-spool-" + std::to_string(::getpid()))).string();
    return cfg;
  }

  void start_server(const std::function<void(app::config&)>& tweak = {}) {
    app::config cfg = base_config();
    if (tweak) tweak(cfg);
    server = std::make_unique<app::server>(cfg, server_clock, server_model);
    port = server->start();
  }

  fakes::caller_options caller_options() const {
    fakes::caller_options o;
    o.server_port = port;
    o.auth_token = auth_token;
    o.public_url = public_url;
    return o;
  }

  std::unique_ptr<fakes::simulated_caller> make_caller(fakes::caller_options o) {
    return std::make_unique<fakes::simulated_caller>(loop, std::move(o));
  }

  // A caller whose webhook was answered and whose media stream is open; null (with the
  // failure recorded) otherwise.
  std::unique_ptr<fakes::simulated_caller> connected_caller() {
    auto caller = make_caller(caller_options());
    const int webhook = caller->place_call();
    if (webhook != 200) {
      ADD_FAILURE() << "webhook answered " << webhook << ": " << caller->twiml();
      return nullptr;
    }
    const int upgrade = caller->open_stream();
    if (upgrade != 101) {
      ADD_FAILURE() << "stream upgrade answered " << upgrade;
      return nullptr;
    }
    return caller;
  }

  // Client events of type `type` received on model connection `conn`.
  std::vector<js::object> model_events(std::size_t conn, const std::string& type) const {
    std::vector<js::object> out;
    for (const auto& text : model.received(conn)) {
      js::value v = js::parse(text);
      if (v.as_object().at("type").as_string() == type) out.push_back(v.as_object());
    }
    return out;
  }

  // The fake model calls the assistant's function `name` on connection 0; returns the parsed
  // function_call_output voxgate answered with (empty, with a failure, when none came in time).
  js::object call_tool(const std::string& call_id, const std::string& name, const std::string& args,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    js::object event{{"type", "response.function_call_arguments.done"}, {"response_id", "resp_" + call_id},
                     {"item_id", "fc_" + call_id}, {"output_index", 0}, {"call_id", call_id}, {"name", name},
                     {"arguments", args}};
    model.send(0, js::serialize(event));
    js::object output;
    const bool answered = fakes::wait_until([&] {
      for (const auto& e : model_events(0, "conversation.item.create")) {
        const auto& item = e.at("item").as_object();
        if (item.at("type") == "function_call_output" && item.at("call_id").as_string() == call_id) {
          output = js::parse(item.at("output").as_string()).as_object();
          return true;
        }
      }
      return false;
    }, limit);
    EXPECT_TRUE(answered) << "no function_call_output for " << call_id << " (" << name << ")";
    return output;
  }

  // All caller audio the model received on `conn`, decoded.
  std::string model_heard(std::size_t conn) const {
    std::string out;
    for (const auto& e : model_events(conn, "input_audio_buffer.append")) {
      out += *base64::decode(std::string(e.at("audio").as_string()));
    }
    return out;
  }

  void TearDown() override {
    if (server) server->stop();
  }

  fakes::fake_realtime_server model;
  fakes::event_loop loop;
  std::unique_ptr<app::server> server;
  std::shared_ptr<ports::clock> server_clock;  // the time calls run on; null: the system's
  std::shared_ptr<ports::realtime_model> server_model;  // what calls talk to; null: the fake Realtime server
  std::uint16_t port = 0;
  friend class bridge_test_access;
};

// Lets helper functions (outside TEST_F bodies) drive the fixture.
class bridge_test_access {
 public:
  explicit bridge_test_access(bridge_test& t) : t_(t) {}
  void start(const std::function<void(app::config&)>& tweak) { t_.start_server(tweak); }
  fakes::fake_realtime_server& model() { return t_.model; }
  fakes::caller_options options() const { return t_.caller_options(); }
  std::unique_ptr<fakes::simulated_caller> caller(fakes::caller_options o) { return t_.make_caller(std::move(o)); }
  std::size_t active_calls() const { return t_.server->active_calls(); }

 private:
  bridge_test& t_;
};

}  // namespace vg::e2e
