// A fake OpenAI Realtime server speaking the GA protocol (beta names behind a switch), over a
// real WebSocket on 127.0.0.1. Scriptable per test: answer response.create with audio, push
// any event (speech started, a function call), drop a socket, refuse connections, answer
// slowly. Records every client event per connection. Thread-safe accessors for the test.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {

struct realtime_script {
  bool beta = false;
  bool auto_respond = true;           // answer each response.create with a spoken response
  std::size_t response_bytes = 1600;  // mu-law bytes per response (1600 = 200 ms)
  std::size_t delta_bytes = 800;      // bytes per audio delta
  std::string transcript = "Hello! How can I help you today?";
  std::chrono::milliseconds answer_delay{0};  // before session.updated and responses
  bool refuse = false;                        // reply 503 to the upgrade
};

// Deterministic audio for response `n` on connection `conn`, so tests can check bytes exactly.
std::string assistant_audio(std::size_t conn, std::size_t response, std::size_t bytes);

class fake_realtime_server {
 public:
  explicit fake_realtime_server(realtime_script script = {});
  ~fake_realtime_server();

  std::string url() const;  // ws://127.0.0.1:PORT/v1/realtime
  std::uint16_t port() const;
  void set_script(realtime_script script);

  std::size_t connections() const;
  std::size_t refused() const;  // upgrades refused (script.refuse)
  std::vector<std::string> received(std::size_t conn) const;        // raw client events
  std::vector<std::string> received_types(std::size_t conn) const;  // their "type"s
  std::string request_target(std::size_t conn) const;
  std::string request_header(std::size_t conn, const std::string& lower_name) const;
  std::size_t responses_started(std::size_t conn) const;

  // Pushes a server event to connection `conn`.
  void send(std::size_t conn, std::string json);
  // Sends one response with `bytes` of audio as item `item_id` (deltas of delta_bytes).
  void send_response(std::size_t conn, std::string item_id, std::string audio);
  // Closes connection `conn` abruptly (no close frame).
  void drop(std::size_t conn);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
