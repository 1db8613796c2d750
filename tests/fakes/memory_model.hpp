// The realtime_model port in memory: no socket, no server. Each session the call opens is kept;
// the test reads what the call sent and pushes model events into it (they run on the call's
// own thread), or ends it as a dropped connection would. Thread-safe accessors.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ports/realtime_model.hpp"

namespace vg::fakes {

class memory_model final : public ports::realtime_model {
 public:
  boost::asio::awaitable<result<std::unique_ptr<ports::model_session>>> open() override;

  std::size_t sessions() const;
  std::vector<std::string> sent(std::size_t session) const;        // events the call sent, in order
  std::vector<std::string> sent_types(std::size_t session) const;  // their "type"s
  // Delivers a server event to session `session`, on the call's thread.
  void push(std::size_t session, std::string event);
  // Ends session `session` as a dropped connection would.
  void drop(std::size_t session);

  struct shared;  // one session's state, shared by the session and this fake

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<shared>> sessions_;
};

}  // namespace vg::fakes
