// /api/v1/calls: the call list (filters, paging), active calls, one call with its transcript,
// events and recordings, and the transcript alone (JSON or plain text).
#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "app/api/api_routes.hpp"
#include "app/recordings/recording_links.hpp"
#include "app/wall_clock.hpp"
#include "core/http/percent_encoding.hpp"
#include "app/retention.hpp"
#include "net/log.hpp"
#include "core/billing/cost.hpp"

namespace vg::app {
namespace json = boost::json;
using api::error_response;
using api::invalid;
using api::json_response;

namespace {

json::value time_or_null(std::int64_t ms) { return ms > 0 ? json::value(api::iso_time(ms)) : json::value(); }

json::object call_json(const ports::call_row& c) {
  return json::object{{"sid", c.call_sid},
                      {"account_sid", c.account_sid},
                      {"org_id", c.org_id.empty() ? json::value() : json::value(c.org_id)},
                      {"assistant_id", c.assistant_id.empty() ? json::value() : json::value(c.assistant_id)},
                      {"from", c.from},
                      {"to", c.to},
                      {"direction", c.direction},
                      {"status", c.status},
                      {"end_reason", c.end_reason.empty() ? json::value() : json::value(c.end_reason)},
                      {"started_at", time_or_null(c.started_at_ms)},
                      {"answered_at", time_or_null(c.answered_at_ms)},
                      {"ended_at", time_or_null(c.ended_at_ms)},
                      {"duration_s", c.duration_s},
                      {"first_audio_ms", c.first_audio_ms >= 0 ? json::value(c.first_audio_ms) : json::value()}};
}

json::object usage_json(const std::string& model, const std::string& usage) {
  auto u = billing::usage_from_json(usage);
  json::object o = billing::to_json(u ? *u : billing::token_usage{});
  o["model"] = model.empty() ? json::value() : json::value(model);
  return o;
}

json::array turns_json(const std::vector<ports::transcript_turn>& turns) {
  json::array out;
  for (const auto& t : turns) out.emplace_back(json::object{{"speaker", t.speaker}, {"text", t.text}, {"at", api::iso_time(t.at_ms)}});
  return out;
}

std::string turns_text(const std::vector<ports::transcript_turn>& turns) {
  std::string out;
  for (const auto& t : turns) out += api::iso_time(t.at_ms).substr(11, 8) + " " + t.speaker + ": " + t.text + "\n";
  return out;
}

// Turns and tool calls merged by time; a tool call reads "name(arguments) -> result".
std::vector<ports::transcript_turn> with_tool_calls(const std::vector<ports::transcript_turn>& turns,
                                                   const std::vector<ports::tool_call_row>& tools) {
  std::vector<ports::transcript_turn> out = turns;
  for (const auto& t : tools) {
    out.push_back({t.call_sid, "tool", t.name + "(" + t.arguments + ") -> " + (t.result.empty() ? t.outcome : t.result),
                   t.started_at_ms});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  return out;
}


// The call's recordings, oldest first; `url` is the audio endpoint's path for each stored one,
// `public_url` the blob store's permanent URL when it has one (a public Supabase bucket).
json::array recordings_json(const config& cfg, const ports::blob_store& blobs, const std::string& call_sid,
                            const std::vector<ports::recording_row>& rows) {
  const std::int64_t expires = unix_now() + recording_link_seconds;
  const auto or_null = [](const std::string& s) { return s.empty() ? json::value() : json::value(s); };
  json::array out;
  for (const auto& r : rows) {
    const bool playable = r.status == "stored";
    const auto link = playable ? recording_link(cfg, call_sid, r.id, expires) : std::nullopt;
    const auto permanent = playable ? blobs.public_url(r.blob_key) : std::nullopt;
    out.emplace_back(json::object{
        {"id", r.id},
        {"source", r.source},
        {"origin", or_null(r.origin)},
        {"status", r.status},
        {"duration_s", r.duration_s},
        {"channels", r.channels},
        {"bytes", r.bytes},
        {"content_type", or_null(r.content_type)},
        {"error", or_null(r.error)},
        {"created_at", api::iso_time(r.created_at_ms)},
        {"updated_at", api::iso_time(r.updated_at_ms)},
        {"url", playable ? json::value("/api/v1/calls/" + http::percent_encode(call_sid) + "/recording?id=" + http::percent_encode(r.id))
                         : json::value()},
        {"signed_url", link ? json::value(*link) : json::value()},
        {"public_url", permanent ? json::value(*permanent) : json::value()}});
  }
  return out;
}

// Seed 001's audio_url: the permanent public URL of the call's latest stored recording, when the
// blob store gives one (a public Supabase Storage bucket); null otherwise.
json::value audio_url(const json::array& recordings) {
  json::value out;
  for (const auto& r : recordings) {
    if (const auto* u = r.as_object().if_contains("public_url"); u != nullptr && u->is_string()) out = *u;
  }
  return out;
}

// Cursor = "<started_at_ms>.<call_sid>" of the last call of the previous page.
bool read_cursor(const std::string& cursor, ports::call_filter& f) {
  const auto dot = cursor.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == cursor.size()) return false;
  const auto ms = api::parse_time(cursor.substr(0, dot));
  if (!ms) return false;
  f.before_started_ms = *ms;
  f.before_sid = cursor.substr(dot + 1);
  return true;
}

// The query's filters, or a 400 naming the parameter.
std::optional<net::http_response> read_filter(const net::http_request& req, const api::principal& who, ports::call_filter& f) {
  f.org_id = api::query_value(req, "org");
  if (!who.admin) {
    if (!f.org_id.empty() && f.org_id != who.org_id) return error_response(403, "forbidden", "this token may not access that organisation");
    f.org_id = who.org_id;
  }
  f.status = api::query_value(req, "status");
  f.direction = api::query_value(req, "direction");
  f.number = api::query_value(req, "number");
  for (const char* name : {"since", "until"}) {
    const std::string v = api::query_value(req, name);
    if (v.empty()) continue;
    const auto t = api::parse_time(v);
    if (!t) return invalid(std::string(name) + ": must be a time such as 2026-11-23T10:00:00Z or milliseconds since 1970");
    (std::string_view(name) == "since" ? f.since_ms : f.until_ms) = *t;
  }
  if (const std::string limit = api::query_value(req, "limit"); !limit.empty()) {
    const auto n = api::parse_count(limit);
    if (!n || *n < 1 || *n > 500) return invalid("limit: must be a whole number from 1 to 500");
    f.limit = static_cast<int>(*n);
  }
  if (const std::string cursor = api::query_value(req, "cursor"); !cursor.empty() && !read_cursor(cursor, f)) {
    return invalid("cursor: must be the next_cursor of a previous page");
  }
  return std::nullopt;
}

}  // namespace

awaitable<net::http_response> api_routes::calls(net::http_request req, segments path, api::principal who) {
  if (path.size() > 3 || (path.size() == 3 && path[2] != "transcript")) {
    co_return error_response(404, "not_found", "resource not found");
  }
  if (path.size() == 2 && path[1] != "active" && req.method == "DELETE") {
    // Privacy: the call with its transcript, events, tool calls, messages and recordings.
    auto find = [sid = path[1]](ports::store& s) { return s.find_call(sid); };
    const auto row = co_await store_.run(std::move(find));
    if (!row) co_return api::not_found("call " + path[1]);
    if (!who.may_access(row->org_id)) co_return api::forbidden();
    co_await erase_call(store_, recs_.blobs(), path[1], true);
    log::info(path[1], "deleted with everything attached, on request through the API");
    co_return api::no_content();
  }
  if (req.method != "GET") co_return api::method_not_allowed(path.size() == 2 && path[1] != "active" ? "GET, DELETE" : "GET");
  if (path.size() == 1 || (path.size() == 2 && path[1] == "active")) {
    ports::call_filter f;
    if (auto bad = read_filter(req, who, f)) co_return *bad;
    f.active_only = path.size() == 2;
    auto read = [f](ports::store& s) { return s.list_calls(f); };
    const auto rows = co_await store_.run(std::move(read));
    json::array items;
    for (const auto& c : rows) items.emplace_back(call_json(c));
    json::value next;
    if (static_cast<int>(rows.size()) == f.limit) next = std::to_string(rows.back().started_at_ms) + "." + rows.back().call_sid;
    co_return json_response(200, json::object{{"data", std::move(items)}, {"next_cursor", next}});
  }
  if (path.size() > 3 || (path.size() == 3 && path[2] != "transcript")) {
    co_return error_response(404, "not_found", "resource not found");
  }
  struct full_call {
    std::optional<ports::call_row> row;
    std::vector<ports::transcript_turn> turns;
    std::vector<ports::call_event> events;
    std::vector<ports::message_row> messages;
    std::vector<ports::tool_call_row> tools;
    std::vector<ports::recording_row> recordings;
  };
  auto read = [sid = path[1], detail = path.size() == 2](ports::store& s) {
    full_call c{s.find_call(sid), {}, {}, {}, {}, {}};
    if (c.row) {
      c.turns = s.transcript(sid);
      c.events = s.events(sid);
      c.messages = s.messages_of_call(sid);
      c.tools = s.tool_calls(sid);
      if (detail) c.recordings = s.recordings_of_call(sid);
    }
    return c;
  };
  const full_call call = co_await store_.run(std::move(read));
  if (!call.row) co_return error_response(404, "not_found", "call " + path[1] + " not found");
  if (!who.may_access(call.row->org_id)) co_return error_response(403, "forbidden", "this token may not access that organisation");
  if (path.size() == 3) {
    // The transcript with the tool calls in place, as they happened.
    const auto turns = with_tool_calls(call.turns, call.tools);
    const std::string format = api::query_value(req, "format");
    if (format == "text") co_return net::http_response{200, "text/plain; charset=utf-8", turns_text(turns), {}};
    if (!format.empty() && format != "json") co_return invalid("format: must be json or text");
    co_return json_response(200, json::object{{"data", turns_json(turns)}});
  }
  json::object out = call_json(*call.row);
  int segments = 0;
  for (const auto& m : call.messages) segments += billing::sms_segments(m.body);
  out["usage"] = usage_json(call.row->model, call.row->usage);
  out["cost"] = cost_json(price_call(prices_, *call.row, segments).cost);
  out["sms_sent"] = static_cast<std::int64_t>(call.messages.size());
  json::value extracted;
  if (!call.row->extraction.empty()) {
    boost::system::error_code ec;
    extracted = json::parse(call.row->extraction, ec);
    if (ec) extracted = nullptr;
  }
  out["extraction"] = json::object{
      {"status", call.row->extraction_status.empty() ? json::value() : json::value(call.row->extraction_status)},
      {"data", extracted},
      {"error", call.row->extraction_error.empty() ? json::value() : json::value(call.row->extraction_error)},
      {"usage", call.row->extraction_usage.empty() ? json::value()
                                                   : json::value(usage_json(call.row->extraction_model, call.row->extraction_usage))}};
  out["transcript"] = turns_json(call.turns);
  json::array events;
  for (const auto& e : call.events) {
    events.emplace_back(json::object{{"kind", e.kind}, {"detail", e.detail}, {"value", e.value}, {"at", api::iso_time(e.at_ms)}});
  }
  out["events"] = std::move(events);
  json::array recordings = recordings_json(cfg_, recs_.blobs(), call.row->call_sid, call.recordings);
  out["audio_url"] = audio_url(recordings);
  out["recordings"] = std::move(recordings);
  co_return json_response(200, out);
}

}  // namespace vg::app
