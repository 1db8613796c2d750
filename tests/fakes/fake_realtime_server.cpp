#include "tests/fakes/fake_realtime_server.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/base64.hpp"
#include "net/http_server.hpp"
#include "net/log_failure.hpp"

namespace vg::fakes {
namespace js = boost::json;
using namespace asio::experimental::awaitable_operators;

std::string assistant_audio(std::size_t conn, std::size_t response, std::size_t bytes) {
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>((i * 7 + conn * 31 + response * 13) & 0xFF);
  return out;
}

struct fake_realtime_server::impl {
  struct connection {
    std::unique_ptr<net::ws_connection> ws;
    std::vector<std::string> received;
    std::string target;
    net::header_list headers;
    std::size_t responses = 0;
    std::size_t next_event = 1;
  };

  event_loop loop;
  mutable std::mutex mutex;
  realtime_script script;
  std::size_t refused = 0;
  std::vector<std::unique_ptr<connection>> conns;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;

  std::string event_id(connection& c) { return "evt_" + std::to_string(c.next_event++); }

  void emit(connection& c, js::object event) {
    event["event_id"] = event_id(c);
    if (c.ws) c.ws->send_text(js::serialize(event));
  }

  std::string name(const char* ga, const char* beta) const { return script.beta ? beta : ga; }

  void respond(connection& c, std::size_t index, const std::string& item_id, const std::string& audio) {
    const std::string resp_id = "resp_" + std::to_string(index) + "_" + item_id;
    emit(c, {{"type", "response.created"}, {"response", {{"id", resp_id}, {"object", "realtime.response"}, {"status", "in_progress"}}}});
    emit(c, {{"type", "response.output_item.added"}, {"response_id", resp_id}, {"output_index", 0},
             {"item", {{"id", item_id}, {"type", "message"}, {"role", "assistant"}}}});
    const std::size_t step = std::max<std::size_t>(1, script.delta_bytes);
    for (std::size_t off = 0; off < audio.size(); off += step) {
      emit(c, {{"type", name("response.output_audio.delta", "response.audio.delta")}, {"response_id", resp_id},
               {"item_id", item_id}, {"output_index", 0}, {"content_index", 0},
               {"delta", base64::encode(std::string_view(audio).substr(off, step))}});
    }
    emit(c, {{"type", name("response.output_audio.done", "response.audio.done")}, {"response_id", resp_id},
             {"item_id", item_id}, {"output_index", 0}, {"content_index", 0}});
    emit(c, {{"type", name("response.output_audio_transcript.done", "response.audio_transcript.done")},
             {"response_id", resp_id}, {"item_id", item_id}, {"output_index", 0}, {"content_index", 0},
             {"transcript", script.transcript}});
    emit(c, {{"type", "response.done"},
             {"response",
              {{"id", resp_id}, {"object", "realtime.response"}, {"status", "completed"},
               {"usage", {{"total_tokens", 120}, {"input_tokens", 100}, {"output_tokens", 20}}}}}});
  }

  awaitable<void> answer_later(std::size_t conn_index, std::string kind) {
    realtime_script s;
    {
      std::lock_guard lock(mutex);
      s = script;
    }
    if (s.answer_delay.count() > 0) {
      asio::steady_timer t(loop.executor());
      t.expires_after(s.answer_delay);
      co_await t.async_wait(nothrow);
    }
    std::lock_guard lock(mutex);
    connection& c = *conns[conn_index];
    if (kind == "session.update") {
      emit(c, {{"type", "session.updated"}, {"session", {{"type", "realtime"}, {"id", "sess_fake"}}}});
    } else {
      const std::size_t n = ++c.responses;
      respond(c, n, "item_" + std::to_string(conn_index) + "_" + std::to_string(n),
              assistant_audio(conn_index, n, script.response_bytes));
    }
  }

  awaitable<void> reader(std::size_t index) {
    net::ws_connection* ws = nullptr;
    {
      std::lock_guard lock(mutex);
      ws = conns[index]->ws.get();
    }
    std::string_view message;
    for (;;) {
      const bool got = co_await ws->read(message);
      if (!got) break;
      std::string type;
      {
        std::lock_guard lock(mutex);
        conns[index]->received.emplace_back(message);
        try {
          type = js::value_to<std::string>(js::parse(message).at("type"));
        } catch (...) {
        }
      }
      const bool respond_now = type == "response.create" && script.auto_respond;
      if (type == "session.update" || respond_now) {
        asio::co_spawn(loop.executor(), answer_later(index, type), net::log_failure("fake_realtime_server: a delayed answer failed"));
      }
    }
  }

  awaitable<void> serve(net::http_request req, net::ws_upgrade upgrade) {
    bool refuse = false;
    {
      std::lock_guard lock(mutex);
      refuse = script.refuse;
      if (refuse) ++refused;
    }
    if (refuse) {
      net::http_response refusal{503, "application/json", R"({"error":{"message":"overloaded"}})", {}};
      co_await upgrade.reject(std::move(refusal));
      co_return;
    }
    net::ws_connection::limits limits;
    limits.max_queued = std::size_t{1} << 30;  // the fake may queue whole long responses at once
    auto ws = co_await upgrade.accept(limits);
    if (!ws) co_return;
    std::size_t index = 0;
    net::ws_connection* raw = ws.get();
    {
      std::lock_guard lock(mutex);
      auto c = std::make_unique<connection>();
      c->ws = std::move(ws);
      c->target = req.target;
      c->headers = req.headers;
      conns.push_back(std::move(c));
      index = conns.size() - 1;
      emit(*conns[index], {{"type", "session.created"}, {"session", {{"type", "realtime"}, {"id", "sess_fake"}}}});
    }
    co_await (reader(index) || raw->run_writer());
    std::lock_guard lock(mutex);
    conns[index]->ws->abort();
  }
};

fake_realtime_server::fake_realtime_server(realtime_script script) : impl_(std::make_unique<impl>()) {
  impl_->script = std::move(script);
  impl_->server = std::make_unique<net::http_server>(
      std::vector<asio::io_context*>{&impl_->loop.context()},
      net::http_handlers{[](net::http_request) -> awaitable<net::http_response> {
                           co_return net::http_response{404, "text/plain", "not found\n", {}};
                         },
                         [i = impl_.get()](net::http_request req, net::ws_upgrade up) {
                           return i->serve(std::move(req), std::move(up));
                         }});
  impl_->port = impl_->server->listen("127.0.0.1", 0);
}

fake_realtime_server::~fake_realtime_server() {
  impl_->loop.run_sync([](impl* i) -> awaitable<void> {
    std::lock_guard lock(i->mutex);
    for (auto& c : i->conns) {
      if (c->ws) c->ws->abort();
    }
    i->server->stop();
    co_return;
  }(impl_.get()));
  impl_->loop.stop();
  std::lock_guard lock(impl_->mutex);
  impl_->conns.clear();
  impl_->server.reset();
}

std::string fake_realtime_server::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->port) + "/v1/realtime";
}

std::uint16_t fake_realtime_server::port() const { return impl_->port; }

void fake_realtime_server::set_script(realtime_script script) {
  std::lock_guard lock(impl_->mutex);
  impl_->script = std::move(script);
}

std::size_t fake_realtime_server::refused() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refused;
}

std::size_t fake_realtime_server::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->conns.size();
}

std::vector<std::string> fake_realtime_server::received(std::size_t conn) const {
  std::lock_guard lock(impl_->mutex);
  return conn < impl_->conns.size() ? impl_->conns[conn]->received : std::vector<std::string>{};
}

std::vector<std::string> fake_realtime_server::received_types(std::size_t conn) const {
  std::vector<std::string> out;
  for (const auto& m : received(conn)) {
    try {
      out.push_back(js::value_to<std::string>(js::parse(m).at("type")));
    } catch (...) {
      out.emplace_back("<invalid>");
    }
  }
  return out;
}

std::string fake_realtime_server::request_target(std::size_t conn) const {
  std::lock_guard lock(impl_->mutex);
  return conn < impl_->conns.size() ? impl_->conns[conn]->target : std::string{};
}

std::string fake_realtime_server::request_header(std::size_t conn, const std::string& lower_name) const {
  std::lock_guard lock(impl_->mutex);
  if (conn >= impl_->conns.size()) return {};
  for (const auto& [n, v] : impl_->conns[conn]->headers) {
    if (n == lower_name) return v;
  }
  return {};
}

std::size_t fake_realtime_server::responses_started(std::size_t conn) const {
  std::lock_guard lock(impl_->mutex);
  return conn < impl_->conns.size() ? impl_->conns[conn]->responses : 0;
}

void fake_realtime_server::send(std::size_t conn, std::string json) {
  asio::post(impl_->loop.executor(), [i = impl_.get(), conn, json = std::move(json)] {
    std::lock_guard lock(i->mutex);
    if (conn < i->conns.size() && i->conns[conn]->ws) i->conns[conn]->ws->send_text(json);
  });
}

void fake_realtime_server::send_response(std::size_t conn, std::string item_id, std::string audio) {
  asio::post(impl_->loop.executor(), [i = impl_.get(), conn, item_id = std::move(item_id), audio = std::move(audio)] {
    std::lock_guard lock(i->mutex);
    if (conn >= i->conns.size()) return;
    auto& c = *i->conns[conn];
    i->respond(c, ++c.responses, item_id, audio);
  });
}

void fake_realtime_server::drop(std::size_t conn) {
  asio::post(impl_->loop.executor(), [i = impl_.get(), conn] {
    std::lock_guard lock(i->mutex);
    if (conn < i->conns.size() && i->conns[conn]->ws) i->conns[conn]->ws->abort();
  });
}

}  // namespace vg::fakes
