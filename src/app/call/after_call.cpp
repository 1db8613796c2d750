#include "app/call/after_call.hpp"

#include <boost/json.hpp>

#include "app/call/extraction.hpp"
#include "app/wall_clock.hpp"
#include "app/tools/webhook_sender.hpp"
#include "core/billing/cost.hpp"
#include "net/log.hpp"
#include "net/log_failure.hpp"

namespace vg::app {
namespace json = boost::json;

namespace {

awaitable<void> extract(const config& cfg, asio::ssl::context& tls, ports::chat_model& chat, store_writer& store,
                        call_setup setup, std::string call_sid, agent::extraction_settings extraction) {
  store.post(call_sid, [call_sid](ports::store& s) { s.set_extraction(call_sid, "running", "", ""); });
  auto read = [call_sid](ports::store& s) { return transcript_text(s.transcript(call_sid), s.tool_calls(call_sid)); };
  const std::string text = co_await store.run(std::move(read));
  const auto result = co_await run_extraction(chat, extraction.model, text, extraction.schema, std::chrono::seconds(1),
                                              extraction.instructions);
  if (result.usage.responses > 0) {
    // What the answer cost is kept even when the answer is refused: OpenAI bills it.
    const std::string usage = json::serialize(billing::to_json(result.usage));
    store.post(call_sid, [call_sid, model = result.model, usage](ports::store& s) { s.set_extraction_usage(call_sid, model, usage); });
  }
  const std::string status = result.ok ? "done" : "failed";
  store.post(call_sid, [call_sid, status, data = result.json, error = result.error](ports::store& s) {
    s.set_extraction(call_sid, status, data, error);
  });
  if (!result.ok) {
    log::warn(call_sid, "extraction failed after " + std::to_string(result.attempts) + " attempt(s): " + result.error);
    co_return;
  }
  log::info(call_sid, "extraction done");
  const std::string url = setup.org != nullptr ? setup.org->org.webhook_url : std::string();
  if (url.empty()) co_return;
  // The receiver may look the call up at once, on any node: the "done" state must be in the
  // store before the webhook leaves. Writes run in order on the store's one thread, so waiting
  // for a no-op there waits for the write above (and its retry).
  auto written = [](ports::store&) { return true; };
  co_await store.run(std::move(written));
  json::object body{{"event", "call.extracted"},
                    {"call_sid", call_sid},
                    {"org_id", setup.org_id},
                    {"assistant_id", setup.assistant_id},
                    {"data", json::parse(result.json)}};
  auto sent = co_await post_signed_webhook(tls, cfg, url, json::serialize(body));
  if (!sent) {
    log::warn(call_sid, "extraction webhook failed: " + sent.error_message());
    // On the call too, where the organisation can see it (GET /api/v1/calls/{sid} -> events).
    const ports::call_event event{call_sid, "webhook_failed", "call.extracted: " + sent.error_message(), 0, unix_ms()};
    store.post(call_sid, [event](ports::store& s) { s.add_event(event); });
  }
}

}  // namespace

void after_call(asio::any_io_executor ex, const config& cfg, asio::ssl::context& tls, ports::chat_model& chat,
                store_writer& store, call_setup setup, std::string call_sid, background_work::ticket busy) {
  if (setup.assistant == nullptr) return;
  if (!setup.assistant->settings.extraction) return;
  agent::extraction_settings extraction = *setup.assistant->settings.extraction;
  asio::co_spawn(ex, extract(cfg, tls, chat, store, std::move(setup), call_sid, std::move(extraction)),
                 net::log_failure(call_sid, "extraction stopped by an unexpected error", [busy = std::move(busy)](auto&&...) {}));
}

}  // namespace vg::app
