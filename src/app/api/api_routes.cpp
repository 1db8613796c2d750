#include "app/api/api_routes.hpp"

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "app/api/api_tokens.hpp"
#include "app/recordings/recording_links.hpp"
#include "app/wall_clock.hpp"
#include "core/agent/document_checks.hpp"
#include "core/agent/org_config_json.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "net/log.hpp"

namespace vg::app {
namespace json = boost::json;
using api::error_response;
using api::invalid;
using api::json_response;
using api::not_found;
using api::forbidden;
using api::admin_only;
using api::method_not_allowed;
using api::parse_body;
using api::list_of;

namespace {
// PRICES_FILE (JSON) over the built-in price table; a bad file stops the start with its reason.
billing::price_table load_prices(const config& cfg) {
  if (cfg.prices_file.empty()) return billing::default_prices();
  std::ifstream in(cfg.prices_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read PRICES_FILE " + cfg.prices_file);
  std::stringstream text;
  text << in.rdbuf();
  auto table = billing::parse_price_table(text.str());
  if (!table) throw std::runtime_error("PRICES_FILE " + cfg.prices_file + ": " + table.error_message());
  return *table;
}
}  // namespace

api_routes::api_routes(const config& cfg, store_writer& store, directory& dir, tool_runner& tools, recordings& recs,
                       call_registry& calls)
    : cfg_(cfg), store_(store), dir_(dir), tools_(tools), recs_(recs), calls_(calls), prices_(load_prices(cfg)) {}

bool api_routes::matches(std::string_view path) const {
  for (std::string_view alias : {"/assistant/get-prompt", "/assistant/send-sms", "/assistant/transfer-call", "/call-status"}) {
    if (path == alias || (path.size() == alias.size() + 1 && path.starts_with(alias) && path.back() == '/')) return true;
  }
  // Seed 004's management paths (GET /call-status is seed 001's; twilio_routes keeps the POST).
  if (path == "/api/phone/active-calls" || path.starts_with("/api/phone/call-status/")) return true;
  return path == "/api/v1" || path.starts_with("/api/v1/");
}

namespace {
// The seeds' read-only views of calls, as the API path they stand for: seed 001's
// GET /call-status?callSid=SID and seed 004's GET /api/phone/active-calls and
// GET /api/phone/call-status/{sid}. nullopt for any other path; a call SID left empty when the
// request names none.
std::optional<std::vector<std::string>> seed_call_view(const net::http_request& req) {
  const std::string_view p = req.path();
  if (p == "/call-status" || p == "/call-status/") {
    std::string sid = api::query_value(req, "callSid");
    if (sid.empty()) sid = api::query_value(req, "call_sid");
    return std::vector<std::string>{"calls", sid};
  }
  if (p == "/api/phone/active-calls") return std::vector<std::string>{"calls", "active"};
  if (p.starts_with("/api/phone/call-status/")) {
    auto rest = api::path_segments(p, "/api/phone/call-status");
    if (!rest) return std::nullopt;  // a malformed %-escape: the 400 of any such path
    if (rest->size() != 1) return std::vector<std::string>{"calls", "", "unknown"};  // answered 404
    return std::vector<std::string>{"calls", rest->front()};
  }
  return std::nullopt;
}
}  // namespace

awaitable<std::optional<api::principal>> api_routes::authenticate(net::http_request req) {
  std::string_view auth = req.header("authorization");
  // The scheme name is case-insensitive (RFC 9110 11.1).
  if (auth.size() < 8 || auth[6] != ' ') co_return std::nullopt;
  if (text::lower(auth.substr(0, 6)) != "bearer") co_return std::nullopt;
  const std::string token(auth.substr(7));
  const std::string hash = token_hash(token);
  if (!cfg_.api_token.empty() && crypto::constant_time_equal(hash, token_hash(cfg_.api_token))) {
    co_return api::principal{true, {}};
  }
  auto lookup = [hash](ports::store& s) { return s.find_token_by_hash(hash); };
  const auto found = co_await store_.run(std::move(lookup));
  if (!found) co_return std::nullopt;
  co_return api::principal{found->org_id.empty(), found->org_id};
}

awaitable<std::shared_ptr<const directory_snapshot>> api_routes::fresh_snapshot() {
  // One cheap version check, so a change another node made is visible at once.
  auto check = [this](ports::store& s) {
    dir_.reload_if_changed(s);
    return true;
  };
  co_await store_.run(std::move(check));
  co_return dir_.current();
}

awaitable<net::http_response> api_routes::handle(net::http_request req) {
  std::optional<std::vector<std::string>> path;
  const auto seed_view = seed_call_view(req);
  if (seed_view) {
    path = seed_view;
  } else if (req.path().starts_with("/assistant/get-prompt")) {
    // Seed 000's GET /assistant/get-prompt/?org_id=1
    path = std::vector<std::string>{"orgs", api::query_value(req, "org_id"), "prompt"};
  } else if (req.path().starts_with("/assistant/send-sms")) {
    path = std::vector<std::string>{"sms"};
  } else if (req.path().starts_with("/assistant/transfer-call")) {
    path = std::vector<std::string>{"calls", "", "transfer"};  // the call SID is in the body
  } else {
    path = api::path_segments(req.path(), "/api/v1");
  }
  if (!path) co_return error_response(400, "invalid_path", "the path has a malformed %-escape");
  try {
    // A signed link plays one recording without a token (a browser's <audio src>): the signature
    // binds the call and the recording, so the request may read that recording and nothing else.
    if (path->size() == 3 && (*path)[0] == "calls" && (*path)[2] == "recording" && !api::query_value(req, "signature").empty()) {
      if (!recording_link_valid(cfg_, (*path)[1], api::query_value(req, "id"), api::query_value(req, "expires"),
                                api::query_value(req, "signature"), unix_now())) {
        co_return error_response(401, "unauthorized", "the recording link is not valid or has expired; list the call again for a new one");
      }
      const api::principal link{true, {}};
      auto r = co_await call_recording(std::move(req), (*path)[1], link);
      co_return r;
    }
    const auto who = co_await authenticate(req);
    if (!who) {
      auto r = error_response(401, "unauthorized", "send an API token as 'Authorization: Bearer TOKEN' (voxgate token create)");
      r.headers.emplace_back("www-authenticate", "Bearer");
      co_return r;
    }
    if (req.path().starts_with("/assistant/get-prompt") && (*path)[1].empty()) co_return invalid("org_id: is required");
    if (seed_view) {
      // Read-only aliases: GET only. A call another organisation owns is answered as one that
      // does not exist (404, not the API's 403): the seeds' frontends poll SIDs they were given.
      if (req.method != "GET") co_return method_not_allowed("GET");
      if (path->size() == 3) co_return not_found("resource");
      if (path->size() == 2 && (*path)[1].empty()) co_return invalid("callSid: is required (?callSid=CA...)");
      if ((*path)[1] != "active") {
        auto find = [sid = (*path)[1]](ports::store& s) { return s.find_call(sid); };
        const auto row = co_await store_.run(std::move(find));
        if (!row || !who->may_access(row->org_id)) co_return not_found("call " + (*path)[1]);
      }
    }
    if (path->empty()) co_return not_found("resource");
    const std::string& root = path->front();
    if (root == "orgs") {
      auto r = co_await orgs(std::move(req), std::move(*path), *who);
      co_return r;
    }
    if (root == "calls" && path->size() == 3 && (*path)[2] == "recording") {
      auto r = co_await call_recording(std::move(req), (*path)[1], *who);
      co_return r;
    }
    if (root == "calls" && path->size() == 3 && (*path)[2] == "transfer") {
      auto r = co_await transfer(std::move(req), (*path)[1], *who);
      co_return r;
    }
    if (root == "calls") {
      auto r = co_await calls(std::move(req), std::move(*path), *who);
      co_return r;
    }
    if (root == "sms" && path->size() == 1) {
      auto r = co_await send_sms(std::move(req), *who);
      co_return r;
    }
    if (root == "tokens") {
      auto r = co_await tokens(std::move(req), std::move(*path), *who);
      co_return r;
    }
    co_return not_found("resource");
  } catch (const ports::store_conflict& e) {
    co_return error_response(409, "conflict", e.what());
  } catch (const std::exception& e) {
    log::error(std::string("API ") + req.method + " " + std::string(req.path()) + " failed: " + e.what());
    co_return error_response(503, "store_unavailable", "the database could not be reached; nothing was changed");
  }
}

// -------------------------------------------------------------------------------------------
// Organisations

std::optional<net::http_response> api_routes::check_timezone(const agent::organization& org) {
  auto zone = dir_.zones().check(org.timezone);
  if (!zone) return invalid("timezone: " + zone.error_message());
  return std::nullopt;
}

std::optional<net::http_response> api_routes::refuse_added_problems(const agent::org_document& before,
                                                                  const agent::org_document& after, int written) {
  const auto added = agent::problems_added(before, after);
  if (added.empty()) return std::nullopt;
  std::string message;
  for (const auto& p : added) {
    const std::string path = p.assistant == written && written >= 0 ? p.path_in_assistant() : p.path;
    message += (message.empty() ? "" : "; ") + path + ": " + p.message;
  }
  return invalid(message);
}

awaitable<std::optional<net::http_response>> api_routes::save(agent::organization org,
                                                              std::optional<std::vector<agent::assistant>> assistants) {
  if (auto bad = check_timezone(org)) co_return bad;
  {
    // The organisation's fields and numbers take part in the checks of its assistants (a
    // transfer to `fallback` needs a fallback_number).
    const auto snap = dir_.current();
    const org_entry* entry = snap->find(org.id);
    agent::org_document before;  // a new organisation had nothing, and so no problem
    if (entry != nullptr) before = {entry->org, entry->assistants};
    agent::org_document after{org, assistants ? *assistants : before.assistants};
    if (auto bad = refuse_added_problems(before, after)) co_return bad;
  }
  auto write = [this, org, assistants](ports::store& s) {
    if (assistants) {
      std::vector<ports::assistant_record> recs;
      for (const auto& a : *assistants) recs.push_back(to_record(org.id, a));
      s.save_org_document(to_record(org), recs);
    } else {
      s.save_org(to_record(org));
    }
    dir_.reload(s);
    return true;
  };
  co_await store_.run(std::move(write));
  co_return std::nullopt;
}

awaitable<net::http_response> api_routes::orgs(net::http_request req, segments path, api::principal who) {
  if (path.size() >= 2) {
    auto r = co_await one_org(std::move(req), std::move(path), who);
    co_return r;
  }
  if (req.method == "GET") {
    const auto snap = co_await fresh_snapshot();
    json::array items;
    for (const auto& [id, entry] : snap->orgs) {
      if (who.may_access(id)) items.emplace_back(agent::to_json(entry.org));
    }
    co_return json_response(200, list_of(std::move(items)));
  }
  if (req.method != "POST") co_return method_not_allowed("GET, POST");
  if (!who.admin) co_return admin_only();
  net::http_response error;
  const auto body = parse_body(req, error);
  if (!body) co_return error;
  auto org = agent::organization_from_json(*body);
  if (!org) co_return invalid(org.error_message());
  const auto snap = co_await fresh_snapshot();
  if (snap->find(org->id) != nullptr) co_return error_response(409, "conflict", "organisation '" + org->id + "' exists");
  const agent::organization created = *org;
  auto failed = co_await save(std::move(*org), std::nullopt);
  if (failed) co_return *failed;
  co_return json_response(201, agent::to_json(created));
}

awaitable<net::http_response> api_routes::one_org(net::http_request req, segments path, api::principal who) {
  const std::string org_id = path[1];
  if (!who.may_access(org_id)) co_return forbidden();
  const auto snap = co_await fresh_snapshot();
  const org_entry* entry = snap->find(org_id);
  if (entry == nullptr) co_return not_found("organisation '" + org_id + "'");
  if (path.size() > 2) {
    const std::string& sub = path[2];
    if (sub == "assistants") {
      auto r = co_await assistants(std::move(req), std::move(path), who);
      co_return r;
    }
    if (sub == "numbers") {
      auto r = co_await numbers(std::move(req), std::move(path), who);
      co_return r;
    }
    if (sub == "usage" && path.size() == 3) {
      auto r = co_await usage(std::move(req), org_id);
      co_return r;
    }
    if (sub == "records" && path.size() >= 4) {
      auto r = co_await records(std::move(req), std::move(path), who);
      co_return r;
    }
    if (sub == "document" && path.size() == 3) {
      auto r = co_await document(std::move(req), org_id);
      co_return r;
    }
    if (sub == "prompt" && path.size() == 3) {
      if (req.method != "GET") co_return method_not_allowed("GET");
      const agent::assistant* a = agent::pick_assistant(entry->assistants, api::query_value(req, "assistant"));
      if (a == nullptr) co_return not_found("assistant");
      co_return net::http_response{200, "text/plain; charset=utf-8", dir_.prompt(*entry, *a, unix_now()), {}};
    }
    co_return not_found("resource");
  }
  if (req.method == "GET") co_return json_response(200, agent::to_json(entry->org));
  if (req.method == "DELETE") {
    if (!who.admin) co_return admin_only();
    auto remove = [this, org_id](ports::store& s) {
      const bool found = s.delete_org(org_id);
      dir_.reload(s);
      return found;
    };
    const bool found = co_await store_.run(std::move(remove));
    if (!found) co_return not_found("organisation '" + org_id + "'");
    co_return api::no_content();
  }
  if (req.method != "PUT") co_return method_not_allowed("GET, PUT, DELETE");
  net::http_response error;
  auto body = parse_body(req, error);
  if (!body) co_return error;
  if (auto* o = body->if_object()) {
    if (const auto* id = o->if_contains("id"); id != nullptr && !(id->is_string() && id->get_string() == org_id)) {
      co_return invalid("id: must be '" + org_id + "' (the organisation in the path), or left out");
    }
    (*o)["id"] = org_id;
  }
  auto org = agent::organization_from_json(*body);
  if (!org) co_return invalid(org.error_message());
  // Numbers have their own resource: a body without them keeps the current ones.
  if (body->as_object().if_contains("numbers") == nullptr) org->numbers = entry->org.numbers;
  const agent::organization updated = *org;
  auto failed = co_await save(std::move(*org), std::nullopt);
  if (failed) co_return *failed;
  co_return json_response(200, agent::to_json(updated));
}

awaitable<net::http_response> api_routes::document(net::http_request req, std::string org_id) {
  const auto snap = dir_.current();
  const org_entry* entry = snap->find(org_id);
  if (entry == nullptr) co_return not_found("organisation '" + org_id + "'");
  if (req.method == "GET") co_return json_response(200, agent::to_json(agent::org_document{entry->org, entry->assistants}));
  if (req.method != "PUT") co_return method_not_allowed("GET, PUT");
  net::http_response error;
  auto body = parse_body(req, error);
  if (!body) co_return error;
  auto doc = agent::document_from_json(*body);
  if (!doc) co_return invalid(doc.error_message());
  if (doc->org.id != org_id) co_return invalid("organization.id: must be '" + org_id + "' (the organisation in the path)");
  const agent::org_document saved = *doc;
  auto failed = co_await save(std::move(doc->org), std::move(doc->assistants));
  if (failed) co_return *failed;
  co_return json_response(200, agent::to_json(saved));
}

// -------------------------------------------------------------------------------------------
// Assistants and numbers (the organisation exists and may be accessed: checked by one_org)

awaitable<net::http_response> api_routes::assistants(net::http_request req, segments path, api::principal) {
  const std::string org_id = path[1];
  const auto snap = dir_.current();
  const org_entry* entry = snap->find(org_id);
  if (entry == nullptr) co_return not_found("organisation '" + org_id + "'");
  const std::string wanted = path.size() > 3 ? path[3] : std::string();
  if (path.size() > 4) co_return not_found("resource");
  const agent::assistant* existing = wanted.empty() ? nullptr : agent::pick_assistant(entry->assistants, wanted);
  if (path.size() == 3 && req.method == "GET") {
    json::array items;
    for (const auto& a : entry->assistants) items.emplace_back(agent::to_json(a));
    co_return json_response(200, list_of(std::move(items)));
  }
  if (path.size() == 4 && existing == nullptr) co_return not_found("assistant '" + wanted + "'");
  if (path.size() == 4 && req.method == "GET") co_return json_response(200, agent::to_json(*existing));
  if (path.size() == 4 && req.method == "DELETE") {
    // Another assistant may rely on this one (a lookup of what only it saves).
    agent::org_document before{entry->org, entry->assistants};
    agent::org_document after = before;
    std::erase_if(after.assistants, [&](const agent::assistant& a) { return a.id == wanted; });
    if (const auto added = agent::problems_added(before, after); !added.empty()) {
      co_return error_response(409, "conflict", "the organisation would no longer pass its checks without assistant '" +
                                                    wanted + "': " + agent::describe(added));
    }
    auto remove = [this, org_id, wanted](ports::store& s) {
      const bool found = s.delete_assistant(org_id, wanted);
      dir_.reload(s);
      return found;
    };
    const bool found = co_await store_.run(std::move(remove));
    if (!found) co_return not_found("assistant '" + wanted + "'");
    co_return api::no_content();
  }
  const bool create = path.size() == 3 && req.method == "POST";
  const bool replace = path.size() == 4 && req.method == "PUT";
  if (!create && !replace) co_return method_not_allowed(path.size() == 3 ? "GET, POST" : "GET, PUT, DELETE");
  net::http_response error;
  auto body = parse_body(req, error);
  if (!body) co_return error;
  if (replace) {
    if (auto* o = body->if_object()) {
      if (const auto* id = o->if_contains("id"); id != nullptr && !(id->is_string() && id->get_string() == wanted)) {
        co_return invalid("id: must be '" + wanted + "' (the assistant in the path), or left out");
      }
      (*o)["id"] = wanted;
    }
  }
  auto a = agent::assistant_from_json(*body);
  if (!a) co_return invalid(a.error_message());
  for (const auto& other : entry->assistants) {
    if (create && other.id == a->id) co_return error_response(409, "conflict", "assistant '" + a->id + "' exists");
  }
  {
    // What the assistant names in its organisation (templates are its own; collections, the
    // fallback number and the owner's contacts are the organisation's).
    agent::org_document before{entry->org, entry->assistants};
    agent::org_document after = before;
    int written = -1;
    for (std::size_t i = 0; i < after.assistants.size(); ++i) {
      if (after.assistants[i].id == a->id) {
        after.assistants[i] = *a;
        written = static_cast<int>(i);
      }
    }
    if (written < 0) {
      after.assistants.push_back(*a);
      written = static_cast<int>(after.assistants.size()) - 1;
    }
    if (auto bad = refuse_added_problems(before, after, written)) co_return *bad;
  }
  ports::assistant_record rec = to_record(org_id, *a);
  auto write = [this, rec](ports::store& s) {
    s.save_assistant(rec);
    dir_.reload(s);
    return true;
  };
  co_await store_.run(std::move(write));
  co_return json_response(create ? 201 : 200, agent::to_json(*a));
}

awaitable<net::http_response> api_routes::numbers(net::http_request req, segments path, api::principal) {
  const std::string org_id = path[1];
  const auto snap = dir_.current();
  const org_entry* entry = snap->find(org_id);
  if (entry == nullptr) co_return not_found("organisation '" + org_id + "'");
  if (path.size() > 4) co_return not_found("resource");
  agent::organization org = entry->org;
  std::string added;
  if (path.size() == 3 && req.method == "GET") co_return json_response(200, list_of(json::value_from(org.numbers).as_array()));
  if (path.size() == 4 && req.method == "DELETE") {
    const auto it = std::find(org.numbers.begin(), org.numbers.end(), path[3]);
    if (it == org.numbers.end()) co_return not_found("number " + path[3]);
    org.numbers.erase(it);
  } else if (path.size() == 3 && req.method == "POST") {
    net::http_response error;
    auto body = parse_body(req, error);
    if (!body) co_return error;
    const auto* o = body->if_object();
    if (o != nullptr) {
      for (const auto& kv : *o) {
        if (kv.key() != "number") co_return invalid(std::string(kv.key()) + ": is not a known field");
      }
    }
    const auto* n = o != nullptr ? o->if_contains("number") : nullptr;
    if (n == nullptr || !n->is_string() || !agent::is_e164(n->get_string())) {
      co_return invalid("number: must be an E.164 phone number such as +15125550100");
    }
    const std::string number(n->get_string());
    if (std::find(org.numbers.begin(), org.numbers.end(), number) != org.numbers.end()) {
      co_return error_response(409, "conflict", "the number " + number + " is already this organisation's");
    }
    org.numbers.push_back(number);
    added = number;
  } else {
    co_return method_not_allowed(path.size() == 3 ? "GET, POST" : "DELETE");
  }
  auto failed = co_await save(std::move(org), std::nullopt);
  if (failed) co_return *failed;
  if (!added.empty()) co_return json_response(201, json::object{{"number", added}, {"org_id", org_id}});
  co_return api::no_content();
}

// -------------------------------------------------------------------------------------------
// Tokens (administrators only)

awaitable<net::http_response> api_routes::tokens(net::http_request req, segments path, api::principal who) {
  if (!who.admin) co_return admin_only();
  if (path.size() > 2) co_return not_found("resource");
  if (path.size() == 1 && req.method == "GET") {
    auto read = [](ports::store& s) { return s.list_tokens(); };
    const auto list = co_await store_.run(std::move(read));
    json::array items;
    for (const auto& t : list) {
      items.emplace_back(json::object{{"id", t.id}, {"org_id", t.org_id.empty() ? json::value() : json::value(t.org_id)},
                                      {"name", t.name}, {"created_at", api::iso_time(t.created_at_ms)}});
    }
    co_return json_response(200, list_of(std::move(items)));
  }
  if (path.size() == 1 && req.method == "POST") {
    net::http_response error;
    auto body = parse_body(req, error);
    if (!body) co_return error;
    const auto* o = body->if_object();
    if (o == nullptr) co_return invalid("body: must be an object");
    std::string name, org_id;
    for (const auto& kv : *o) {
      if (kv.key() != "name" && kv.key() != "org_id") co_return invalid(std::string(kv.key()) + ": is not a known field");
    }
    if (const auto* n = o->if_contains("name"); n != nullptr && !n->is_null()) {
      if (!n->is_string()) co_return invalid("name: must be text");
      name = n->get_string();
    }
    if (const auto* g = o->if_contains("org_id"); g != nullptr && !g->is_null()) {
      if (!g->is_string()) co_return invalid("org_id: must be text, or null for an administrator's token");
      org_id = g->get_string();
      const auto snap = co_await fresh_snapshot();
      if (snap->find(org_id) == nullptr) co_return invalid("org_id: no organisation '" + org_id + "'");
    }
    const std::int64_t now_ms = unix_ms();
    auto made = make_token(org_id, name, now_ms);
    auto write = [rec = made.record](ports::store& s) {
      s.add_token(rec);
      return true;
    };
    co_await store_.run(std::move(write));
    co_return json_response(201, json::object{{"id", made.record.id}, {"token", made.secret},
                                              {"org_id", org_id.empty() ? json::value() : json::value(org_id)},
                                              {"name", name}, {"created_at", api::iso_time(now_ms)}});
  }
  if (path.size() == 2 && req.method == "DELETE") {
    auto remove = [id = path[1]](ports::store& s) { return s.delete_token(id); };
    const bool found = co_await store_.run(std::move(remove));
    if (!found) co_return not_found("token " + path[1]);
    co_return api::no_content();
  }
  co_return method_not_allowed(path.size() == 1 ? "GET, POST" : "DELETE");
}

}  // namespace vg::app
