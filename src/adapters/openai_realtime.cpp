#include "adapters/openai_realtime.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "net/ws_client.hpp"
#include "net/ws_connection.hpp"

namespace vg::adapters {
namespace {

class ws_model_session final : public ports::model_session {
 public:
  explicit ws_model_session(std::unique_ptr<net::ws_connection> ws) : ws_(std::move(ws)) {}
  void send(std::string_view event) override { ws_->send_text(event); }
  awaitable<void> run(std::function<void(std::string_view)> on_event) override {
    using namespace asio::experimental::awaitable_operators;
    ws_->start_reading(std::move(on_event));
    co_await (ws_->run_reader() || ws_->run_writer());
  }
  bool send_stalled(time_point now, std::chrono::milliseconds limit) const override {
    return ws_->write_stalled(now, limit);
  }
  bool overflowed() const override { return ws_->overflowed(); }
  void abort() override { ws_->abort(); }
  awaitable<void> close(std::chrono::milliseconds grace) override { co_await ws_->close_gracefully(grace); }

 private:
  std::unique_ptr<net::ws_connection> ws_;
};

}  // namespace

openai_realtime::openai_realtime(openai_realtime_settings settings, asio::ssl::context& tls)
    : settings_(std::move(settings)), url_(settings_.url), tls_(tls) {
  if (url_.find("model=") == std::string::npos) {
    url_ += url_.find('?') == std::string::npos ? "?model=" : "&model=";
    url_ += settings_.model;
  }
}

awaitable<result<std::unique_ptr<ports::model_session>>> openai_realtime::open() {
  net::ws_client_options options;
  options.tls = &tls_;
  options.timeout = settings_.connect_timeout;
  options.limits.max_queued = settings_.max_queued;
  options.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
  if (settings_.beta) options.headers.emplace_back("OpenAI-Beta", "realtime=v1");
  auto ex = co_await asio::this_coro::executor;
  auto connection = co_await net::ws_connect(ex, url_, options);
  if (!connection) co_return connection.failure();
  co_return std::unique_ptr<ports::model_session>(std::make_unique<ws_model_session>(std::move(*connection)));
}

}  // namespace vg::adapters
