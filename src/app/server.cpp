#include "app/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <thread>

#include "app/call/call_registry.hpp"
#include "app/api/api_routes.hpp"
#include "app/call/call_session.hpp"
#include "app/compose.hpp"
#include "app/orgs/demo_org.hpp"
#include "app/events/log_subscriber.hpp"
#include "app/events/metrics_subscriber.hpp"
#include "app/events/store_subscriber.hpp"
#include "app/gather/gather_flow.hpp"
#include "app/retention.hpp"
#include "app/twilio/twilio_routes.hpp"
#include "net/http_server.hpp"
#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::app {

struct server::impl {
  config cfg;
  std::shared_ptr<ports::clock> clock;
  std::vector<std::unique_ptr<asio::io_context>> shards;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  call_registry registry;
  store_writer store{open_store(cfg)};
  std::unique_ptr<ports::zones> zones = open_zones();
  directory dir{*zones};
  std::unique_ptr<ports::telephony> telephony = open_telephony(cfg, tls);
  tool_runner tools{cfg, store, dir, telephony.get(), tls};
  std::unique_ptr<ports::blob_store> blobs = open_blobs(cfg, tls);
  background_work background;
  recordings recs{cfg, store, *blobs, telephony.get(), background};
  event_bus events;
  std::shared_ptr<metrics_subscriber> call_metrics = std::make_shared<metrics_subscriber>();
  std::shared_ptr<ports::realtime_model> realtime_model;  // a test's, or OpenAI's (the constructor)
  std::unique_ptr<ports::chat_model> chat_model = open_chat_model(cfg, tls);
  call_services services{cfg, registry, tls, store, dir, tools, recs, background, events, *clock, *realtime_model, *chat_model};
  gather_flow gather{services};
  twilio_routes twilio{services, gather};
  api_routes api{cfg, store, dir, tools, recs, registry};
  net::ws_router ws_routes;
  std::unique_ptr<net::http_server> http;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<bool> draining{false};

  impl(config c, std::shared_ptr<ports::clock> k, std::shared_ptr<ports::realtime_model> m)
      : cfg(std::move(c)),
        clock(k ? std::move(k) : open_clock()),
        realtime_model(m ? std::move(m) : std::shared_ptr<ports::realtime_model>(open_realtime_model(cfg, tls))) {
    events.subscribe(std::make_shared<store_subscriber>(store));
    events.subscribe(std::make_shared<log_subscriber>());
    events.subscribe(call_metrics);
    events.subscribe(std::make_shared<gather_status_subscriber>(gather));
    twilio.add_stream_routes(ws_routes);
    tls.set_default_verify_paths();
    tls.set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    store
        .query([this](ports::store& s) {
          if (cfg.demo_org && seed_demo_org(s)) log::info("empty database: created the demo organisation 'demo'");
          dir.reload(s);
          return true;
        })
        .get();
  }

  // Other nodes sharing the database may change the configuration: look for a new version.
  awaitable<void> watch_config() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      timer.expires_after(cfg.config_poll);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      store.post({}, [this](ports::store& s) { dir.reload_if_changed(s); });
    }
  }

  awaitable<net::http_response> on_request(net::http_request req) {
    auto ex = co_await asio::this_coro::executor;
    if (twilio_routes::is_gather(req.path())) {
      auto turn = twilio.gather_turn(std::move(req));
      co_return co_await std::move(turn);
    }
    if (auto res = twilio.handle(req, ex)) co_return std::move(*res);
    if (api.matches(req.path())) {
      auto res = co_await api.handle(std::move(req));
      co_return res;
    }
    const std::string_view path = req.path();
    if (path == "/healthz") co_return net::http_response{200, "text/plain", "ok\n", {}};
    if (path == "/readyz") {
      // Draining: a load balancer sends new calls elsewhere, while this node's calls go on.
      if (draining.load()) co_return net::http_response{503, "text/plain", "draining\n", {}};
      co_return net::http_response{200, "text/plain", "ok\n", {}};
    }
    if (path == "/metrics") co_return net::http_response{200, "text/plain; version=0.0.4", metrics(), {}};
    co_return net::http_response{404, "text/plain", "not found\n", {}};
  }

  std::string metrics() const {
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
    return "# HELP voxgate_active_calls Calls in progress on this node.\n# TYPE voxgate_active_calls gauge\n"
           "voxgate_active_calls " + std::to_string(registry.active()) +
           "\n# HELP voxgate_uptime_seconds Seconds since start.\n# TYPE voxgate_uptime_seconds counter\n"
           "voxgate_uptime_seconds " + std::to_string(uptime) +
           "\n# HELP voxgate_background_tasks Recording transfers and after-call work in progress.\n"
           "# TYPE voxgate_background_tasks gauge\nvoxgate_background_tasks " + std::to_string(background.running()) +
           "\n# HELP voxgate_draining 1 while the node is stopping gracefully.\n# TYPE voxgate_draining gauge\n"
           "voxgate_draining " + (draining.load() ? "1" : "0") + "\n" + call_metrics->exposition();
  }
};

server::server(config cfg, std::shared_ptr<ports::clock> clock, std::shared_ptr<ports::realtime_model> model)
    : impl_(std::make_unique<impl>(std::move(cfg), std::move(clock), std::move(model))) {}
server::~server() { stop(); }

std::uint16_t server::start() {
  unsigned n = impl_->cfg.threads != 0 ? impl_->cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<asio::io_context*> contexts;
  for (unsigned i = 0; i < n; ++i) {
    // Concurrency hint 1: each context runs on exactly one thread, so Asio skips its locks.
    impl_->shards.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->shards.back()));
    contexts.push_back(impl_->shards.back().get());
  }
  impl_->http = std::make_unique<net::http_server>(
      contexts, net::http_handlers{
                    [this](net::http_request req) { return impl_->on_request(std::move(req)); },
                    [this](net::http_request req, net::ws_upgrade up) {
                      return impl_->ws_routes.route(std::move(req), std::move(up));
                    }});
  const std::uint16_t port = impl_->http->listen(impl_->cfg.bind_address, impl_->cfg.port);
  impl_->gather.start(impl_->shards.front()->get_executor());
  asio::co_spawn(*impl_->shards.front(), impl_->watch_config(), net::log_failure("the configuration watcher stopped"));
  impl_->recs.recover_spool(impl_->shards.front()->get_executor());
  impl_->recs.start_resuming_stale_downloads(impl_->shards.front()->get_executor());
  asio::co_spawn(*impl_->shards.front(), retention_loop(impl_->cfg, impl_->store, impl_->dir, *impl_->blobs),
                 net::log_failure("the retention sweep stopped"));
  for (auto& ctx : impl_->shards) {
    impl_->threads.emplace_back([c = ctx.get()] {
      for (;;) {
        try {
          c->run();
          return;
        } catch (const std::exception& e) {
          log::error(std::string("worker caught an unexpected error: ") + e.what());
        }
      }
    });
  }
  return port;
}

void server::stop() {
  if (!impl_ || impl_->threads.empty()) return;
  if (impl_->http) impl_->http->stop();
  impl_->guards.clear();
  for (auto& ctx : impl_->shards) ctx->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

void server::begin_drain() { impl_->draining = true; }

bool server::idle() const { return impl_->registry.active() == 0 && impl_->background.running() == 0; }

void server::run_until_signal() {
  // The first signal drains: calls in progress go on (new ones are still answered, /readyz says
  // 503 so a load balancer stops sending them), recordings and after-call work finish, for at
  // most SHUTDOWN_GRACE_MS. A second signal, or the end of the grace, stops at once.
  asio::io_context signals_ctx(1);
  asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  asio::steady_timer poll(signals_ctx);
  const auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> check = [&] {
    if (idle()) {
      log::info("drained: no calls or background work left; stopping");
      signals.cancel();
      return;
    }
    if (std::chrono::steady_clock::now() >= *deadline) {
      log::warn("grace period over with " + std::to_string(active_calls()) + " calls and " +
                std::to_string(impl_->background.running()) + " background tasks left; stopping");
      signals.cancel();
      return;
    }
    poll.expires_after(std::chrono::milliseconds(100));
    poll.async_wait([&](const error_code& ec) {
      if (!ec) check();
    });
  };
  signals.async_wait([&](const error_code& ec, int sig) {
    if (ec) return;
    const auto grace = impl_->cfg.shutdown_grace;
    log::info("signal " + std::to_string(sig) + ": draining " + std::to_string(active_calls()) + " calls and " +
              std::to_string(impl_->background.running()) + " background tasks for up to " +
              std::to_string(grace.count()) + " ms (signal again to stop now)");
    begin_drain();
    *deadline = std::chrono::steady_clock::now() + grace;
    signals.async_wait([&](const error_code& again, int sig2) {
      if (again) return;
      log::warn("signal " + std::to_string(sig2) + " while draining: stopping now");
      poll.cancel();
    });
    check();
  });
  signals_ctx.run();
  stop();
}

std::size_t server::active_calls() const { return impl_->registry.active(); }

store_writer& server::store() { return impl_->store; }

call_registry& server::calls() { return impl_->registry; }

event_bus& server::events() { return impl_->events; }

}  // namespace vg::app
