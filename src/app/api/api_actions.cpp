// REST actions: send an SMS (POST /api/v1/sms, seed 000's /assistant/send-sms/), transfer a
// live call (POST /api/v1/calls/{sid}/transfer, /assistant/transfer-call/), and the records
// tools saved (list, read, update, CSV export).
#include <boost/json.hpp>
#include "app/wall_clock.hpp"

#include "app/api/api_routes.hpp"
#include "core/json_fields.hpp"
#include "core/twilio/twiml.hpp"

namespace vg::app {
namespace json = boost::json;
using api::error_response;
using api::invalid;
using api::json_response;

namespace {

using json_fields::text_at;

json::object record_json(const ports::record_row& r) {
  boost::system::error_code ec;
  json::value data = json::parse(r.data, ec);
  return json::object{{"reference", r.ref}, {"collection", r.collection}, {"status", r.status},
                      {"data", ec ? json::value(json::object{}) : data}, {"call_sid", r.call_sid}, {"caller", r.caller},
                      {"created_at", api::iso_time(r.created_at_ms)}, {"updated_at", api::iso_time(r.updated_at_ms)}};
}

// RFC 4180: quote every field, double the quotes inside.
std::string csv_field(std::string_view v) {
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string records_csv(const std::vector<ports::record_row>& rows) {
  // Columns: the fixed ones, then every data field seen, in first-seen order.
  std::vector<std::string> fields;
  std::vector<json::object> datas;
  for (const auto& r : rows) {
    boost::system::error_code ec;
    json::value v = json::parse(r.data, ec);
    datas.push_back(!ec && v.is_object() ? v.as_object() : json::object{});
    for (const auto& kv : datas.back()) {
      if (std::find(fields.begin(), fields.end(), kv.key()) == fields.end()) fields.emplace_back(kv.key());
    }
  }
  std::string out = "reference,status,created_at,caller,call_sid";
  for (const auto& f : fields) out += "," + csv_field(f);
  out += "\r\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out += csv_field(r.ref) + "," + csv_field(r.status) + "," + csv_field(api::iso_time(r.created_at_ms)) + "," +
           csv_field(r.caller) + "," + csv_field(r.call_sid);
    for (const auto& f : fields) {
      const auto* v = datas[i].if_contains(f);
      out += ",";
      if (v != nullptr) out += csv_field(v->is_string() ? std::string(v->get_string()) : json::serialize(*v));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

awaitable<net::http_response> api_routes::send_sms(net::http_request req, api::principal who) {
  if (req.method != "POST") co_return api::method_not_allowed("POST");
  net::http_response error;
  auto body = api::parse_body(req, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return invalid("body: must be an object");
  const auto& o = body->as_object();
  const std::string to = text_at(o, "to");
  std::string message = text_at(o, "message");
  if (message.empty()) message = text_at(o, "body");
  std::string org_id = text_at(o, "org_id");
  if (org_id.empty()) org_id = text_at(o, "organization_id");
  if (!who.admin) {
    if (!org_id.empty() && org_id != who.org_id) co_return api::forbidden();
    org_id = who.org_id;
  }
  if (!agent::is_e164(to)) co_return invalid("to: must be an E.164 phone number such as +15125550100");
  if (message.empty()) co_return invalid("message: is required");
  // From: the number given (it must be the organisation's), else its first, else TWILIO_PHONE_NUMBER.
  std::string from = text_at(o, "from");
  const auto snap = dir_.current();
  const org_entry* entry = org_id.empty() ? nullptr : snap->find(org_id);
  if (!org_id.empty() && entry == nullptr) co_return invalid("org_id: no organisation '" + org_id + "'");
  if (!from.empty() && entry != nullptr &&
      std::find(entry->org.numbers.begin(), entry->org.numbers.end(), from) == entry->org.numbers.end()) {
    co_return invalid("from: is not one of the organisation's numbers");
  }
  if (from.empty() && entry != nullptr && !entry->org.numbers.empty()) from = entry->org.numbers.front();
  if (from.empty()) from = cfg_.twilio_phone_number;
  auto sent = co_await tools_.send_sms(org_id, text_at(o, "call_sid"), to, from, message);
  if (!sent) co_return error_response(502, "sms_failed", sent.error_message());
  const std::string status = sent->status.empty() ? std::string("queued") : sent->status;  // as Twilio said
  co_return json_response(201, json::object{{"sid", sent->sid}, {"to", to}, {"from", from}, {"status", status}});
}

awaitable<net::http_response> api_routes::transfer(net::http_request req, std::string call_sid, api::principal who) {
  if (req.method != "POST") co_return api::method_not_allowed("POST");
  net::http_response error;
  json::value body = json::object{};
  if (!req.body.empty()) {
    auto parsed = api::parse_body(req, error);
    if (!parsed) co_return error;
    body = std::move(*parsed);
  }
  if (!body.is_object()) co_return invalid("body: must be an object");
  const auto& o = body.as_object();
  if (call_sid.empty()) call_sid = text_at(o, "call_sid");  // seed 000's body form
  if (call_sid.empty()) co_return invalid("call_sid: is required");
  auto find = [call_sid](ports::store& s) { return s.find_call(call_sid); };
  const auto call = co_await store_.run(std::move(find));
  if (!call) co_return api::not_found("call " + call_sid);
  if (!who.may_access(call->org_id)) co_return api::forbidden();
  std::string to = text_at(o, "to");
  if (to.empty()) {
    const auto snap = dir_.current();
    if (const org_entry* entry = snap->find(call->org_id)) to = entry->org.fallback_number;
  }
  if (!agent::is_e164(to)) {
    co_return invalid(text_at(o, "to").empty() ? "to: no fallback number is configured; give an E.164 number"
                                               : "to: must be an E.164 phone number such as +15125550100");
  }
  if (call->ended_at_ms != 0) co_return error_response(409, "call_ended", "call " + call_sid + " has already ended");
  if (auto inbox = calls_.find(call_sid)) {
    // Live on this node: the call carries the transfer out itself (and records it).
    // Started outside the co_await: no temporaries in a co_await expression (docs/decisions/0002).
    auto sending = send_command(std::move(inbox), call::transfer_to{to});
    const command_result done = co_await std::move(sending);
    if (done.ok()) co_return json_response(200, json::object{{"call_sid", call_sid}, {"transferred_to", to}});
    if (done.code == "unavailable") co_return error_response(503, "telephony_unavailable", done.error);
    if (done.code == "not_found") co_return error_response(409, "call_ended", "call " + call_sid + " has already ended");
    co_return error_response(502, "transfer_failed", done.error);
  }
  // Live on another node (or its session is gone): Twilio owns the call wherever its stream
  // is, so the redirect goes straight to Twilio; the owning node sees its stream end.
  if (tools_.telephony() == nullptr) co_return error_response(503, "telephony_unavailable", "Twilio credentials are not configured");
  ports::call_update update{twiml::document({twiml::dial(to)}), false};
  auto done = co_await tools_.telephony()->update_call(call_sid, std::move(update));
  if (!done) co_return error_response(502, "transfer_failed", done.error_message());
  const ports::call_event event{call_sid, "transferred", to, 0,
                                unix_ms()};
  store_.post(call_sid, [event](ports::store& s) { s.add_event(event); });
  co_return json_response(200, json::object{{"call_sid", call_sid}, {"transferred_to", to}});
}

awaitable<net::http_response> api_routes::records(net::http_request req, segments path, api::principal) {
  // /api/v1/orgs/{org}/records/{collection}[/{ref}]
  const std::string org_id = path[1], collection = path[3];
  if (path.size() > 5) co_return api::not_found("resource");
  // Collection names are words (they also name the CSV file in a header).
  if (!agent::is_slug(collection)) co_return api::not_found("collection '" + collection + "'");
  if (path.size() == 4) {
    if (req.method != "GET") co_return api::method_not_allowed("GET");
    ports::record_filter f{org_id, collection, api::query_value(req, "field"), api::query_value(req, "value"),
                           api::query_value(req, "caller"), api::query_value(req, "status"), 100, 0};
    const std::string format = api::query_value(req, "format");
    if (!format.empty() && format != "csv" && format != "json") co_return invalid("format: must be json or csv");
    const bool csv = format == "csv";
    for (const char* name : {"limit", "offset"}) {
      const std::string v = api::query_value(req, name);
      if (v.empty()) continue;
      const auto n = api::parse_count(v);
      const std::int64_t most = std::string_view(name) == "offset" ? 10'000'000 : (csv ? 100000 : 1000);
      if (!n || *n > most) co_return invalid(std::string(name) + ": must be a whole number from 0 to " + std::to_string(most));
      (std::string_view(name) == "limit" ? f.limit : f.offset) = static_cast<int>(*n);
    }
    if (csv && api::query_value(req, "limit").empty()) f.limit = 100000;
    auto read = [f](ports::store& s) { return s.list_records(f); };
    const auto rows = co_await store_.run(std::move(read));
    if (csv) {
      net::http_response r{200, "text/csv; charset=utf-8", records_csv(rows), {}};
      r.headers.emplace_back("content-disposition", "attachment; filename=\"" + collection + ".csv\"");
      co_return r;
    }
    json::array items;
    for (const auto& r : rows) items.emplace_back(record_json(r));
    co_return json_response(200, api::list_of(std::move(items)));
  }
  const std::string ref = path[4];
  auto find = [org_id, collection, ref](ports::store& s) { return s.find_record(org_id, collection, ref); };
  auto found = co_await store_.run(std::move(find));
  if (!found) co_return api::not_found("record " + ref);
  if (req.method == "GET") co_return json_response(200, record_json(*found));
  if (req.method != "PATCH") co_return api::method_not_allowed("GET, PATCH");
  // PATCH: {"status": "...", "data": {fields to set; null removes}}
  net::http_response error;
  auto body = api::parse_body(req, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return invalid("body: must be an object");
  const auto& o = body->as_object();
  boost::system::error_code ec;
  json::value data = json::parse(found->data, ec);
  if (ec || !data.is_object()) data = json::object{};
  if (const auto* d = o.if_contains("data")) {
    if (!d->is_object()) co_return invalid("data: must be an object of fields to change");
    for (const auto& [k, v] : d->as_object()) {
      if (v.is_null()) data.as_object().erase(k);
      else data.as_object()[k] = v;
    }
  }
  if (const auto* st = o.if_contains("status")) {
    if (!st->is_string() || st->get_string().empty()) co_return invalid("status: must be text such as active or cancelled");
    found->status = std::string(st->get_string());
  }
  for (const auto& kv : o) {
    if (kv.key() != "data" && kv.key() != "status") co_return invalid(std::string(kv.key()) + ": is not a known field");
  }
  found->data = json::serialize(data);
  found->updated_at_ms = unix_ms();
  auto write = [row = *found](ports::store& s) { return s.update_record(row); };
  co_await store_.run(std::move(write));
  co_return json_response(200, record_json(*found));
}

}  // namespace vg::app
