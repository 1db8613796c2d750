// GET /api/v1/orgs/{org}/usage: calls, minutes, tokens and cost (the after-call extraction's
// included) per day in the organisation's time zone, priced with the configured table.
// Computed from the call rows on each request.
#include <boost/json.hpp>

#include "app/api/api_routes.hpp"

namespace vg::app {
namespace json = boost::json;

priced_call price_call(const billing::price_table& prices, const ports::call_row& c, int sms_segments) {
  priced_call out;
  if (auto u = billing::usage_from_json(c.usage)) out.usage = *u;
  if (auto e = billing::usage_from_json(c.extraction_usage)) out.extraction = *e;
  out.cost = billing::compute_cost(prices, c.model, out.usage, c.duration_s, c.direction, sms_segments, c.extraction_model,
                                   out.extraction);
  return out;
}

json::object cost_json(const billing::call_cost& cost) {
  return json::object{{"model_usd", cost.model_usd},
                      {"extraction_usd", cost.extraction_usd},
                      {"twilio_voice_usd", cost.twilio_voice_usd},
                      {"sms_usd", cost.sms_usd},
                      {"total_usd", cost.total_usd()}};
}

awaitable<net::http_response> api_routes::usage(net::http_request req, std::string org_id) {
  if (req.method != "GET") co_return api::method_not_allowed("GET");
  ports::call_filter f;
  f.org_id = org_id;
  f.limit = 100000;
  for (const char* name : {"since", "until"}) {
    const std::string v = api::query_value(req, name);
    if (v.empty()) continue;
    const auto t = api::parse_time(v);
    if (!t) co_return api::invalid(std::string(name) + ": must be a time such as 2026-11-23T00:00:00Z or milliseconds since 1970");
    (std::string_view(name) == "since" ? f.since_ms : f.until_ms) = *t;
  }
  struct day_rows {
    std::vector<ports::call_row> calls;
    std::vector<std::vector<ports::message_row>> messages;
  };
  auto read = [f](ports::store& s) {
    day_rows r{s.list_calls(f), {}};
    for (const auto& c : r.calls) r.messages.push_back(s.messages_of_call(c.call_sid));
    return r;
  };
  const day_rows rows = co_await store_.run(std::move(read));
  const auto snap = dir_.current();
  const org_entry* entry = snap->find(org_id);
  std::map<std::string, json::object> days;  // "2026-11-23" -> totals, sorted
  for (std::size_t i = 0; i < rows.calls.size(); ++i) {
    const auto& c = rows.calls[i];
    const auto local = entry != nullptr ? dir_.local_now(entry->org, c.started_at_ms / 1000) : agent::local_clock{};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", local.year % 10000, local.month % 100, local.day % 100);
    int segments = 0;
    for (const auto& m : rows.messages[i]) segments += billing::sms_segments(m.body);
    const auto priced = price_call(prices_, c, segments);
    const auto& u = priced.usage;
    const auto& e = priced.extraction;
    json::object& d = days[date];
    if (d.empty()) {
      d = json::object{{"date", date},         {"calls", 0},           {"minutes", 0},           {"sms_segments", 0},
                       {"audio_tokens", 0},    {"text_tokens", 0},     {"extraction_tokens", 0}, {"model_usd", 0.0},
                       {"extraction_usd", 0.0}, {"twilio_voice_usd", 0.0}, {"sms_usd", 0.0},    {"total_usd", 0.0}};
    }
    d["calls"] = d["calls"].as_int64() + 1;
    d["minutes"] = d["minutes"].as_int64() + (c.duration_s + 59) / 60;
    d["sms_segments"] = d["sms_segments"].as_int64() + segments;
    d["audio_tokens"] = d["audio_tokens"].as_int64() + u.input_audio + u.output_audio;
    d["text_tokens"] = d["text_tokens"].as_int64() + u.input_text + u.output_text;
    d["extraction_tokens"] = d["extraction_tokens"].as_int64() + e.input_text + e.output_text;
    for (const auto& [k, v] : cost_json(priced.cost)) d[k] = d[k].as_double() + v.as_double();
  }
  json::array out;
  for (auto& [date, d] : days) out.emplace_back(std::move(d));
  co_return api::json_response(200, json::object{{"org_id", org_id}, {"data", std::move(out)}});
}

}  // namespace vg::app
