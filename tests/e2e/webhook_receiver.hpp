// An organisation's webhook endpoint for the end-to-end tests: a real HTTP server on
// 127.0.0.1 from its own loop thread that answers every POST with a fixed JSON reply (or a
// failure status for the next few requests) and keeps what it received, with the time each
// request arrived. Every public method is thread-safe.
#pragma once
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg::e2e {

class webhook_receiver {
 public:
  explicit webhook_receiver(std::string reply = R"({"ok":true})")
      : reply_(std::move(reply)),
        server_({&loop_.context()}, net::http_handlers{[this](net::http_request req) { return on_request(std::move(req)); }, {}}) {
    port_ = server_.listen("127.0.0.1", 0);
  }
  // The loop stops (and joins) before the server is destroyed: nothing can run on a dead server.
  ~webhook_receiver() {
    server_.stop();
    loop_.stop();
  }
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/voxgate"; }

  // The next `count` requests are answered `status` (a 5xx by default), before the normal reply.
  void fail_next(int count, int status = 503) {
    std::lock_guard l(mu_);
    failures_left_ = count;
    failure_status_ = status;
  }

  // Runs on each request before it is answered (on the receiver's thread), as an integrator
  // would look something up on a notification; what it returns is kept as the delivery's `seen`.
  void on_request_look(std::function<std::string(const net::http_request&)> look) {
    std::lock_guard l(mu_);
    look_ = std::move(look);
  }

  struct delivery {
    net::http_request request;
    int answered = 0;  // the status this receiver replied with
    std::chrono::steady_clock::time_point at;
    std::string seen;  // what on_request_look returned
  };
  std::vector<delivery> deliveries() const {
    std::lock_guard l(mu_);
    return received_;
  }
  std::vector<net::http_request> received() const {
    std::vector<net::http_request> out;
    for (auto& d : deliveries()) out.push_back(std::move(d.request));
    return out;
  }

 private:
  awaitable<net::http_response> on_request(net::http_request req) {
    const auto at = std::chrono::steady_clock::now();
    std::function<std::string(const net::http_request&)> look;
    {
      std::lock_guard l(mu_);
      look = look_;
    }
    std::string seen = look ? look(req) : std::string();
    std::lock_guard l(mu_);
    int status = 200;
    if (failures_left_ > 0) {
      --failures_left_;
      status = failure_status_;
    }
    received_.push_back({std::move(req), status, at, std::move(seen)});
    if (status != 200) co_return net::http_response{status, "text/plain", "busy", {}};
    co_return net::http_response{200, "application/json", reply_, {}};
  }

  fakes::event_loop loop_;
  std::string reply_;
  net::http_server server_;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  int failures_left_ = 0;
  int failure_status_ = 503;
  std::function<std::string(const net::http_request&)> look_;
  std::vector<delivery> received_;
};

}  // namespace vg::e2e
