#include "core/agent/org_config_json.hpp"

#include <set>

#include <boost/json.hpp>

#include "core/agent/assistant_settings_json.hpp"
#include "core/agent/business_hours.hpp"
#include "core/agent/config_fields.hpp"
#include "core/agent/config_reader.hpp"
#include "core/agent/document_checks.hpp"
#include "core/agent/json_schema.hpp"
#include "core/agent/tool_action_json.hpp"

namespace vg::agent {
namespace json = boost::json;
namespace {

using reader = config_reader;

std::string slugify(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) out += c;
    else if (!out.empty() && out.back() != '-') out += '-';
    if (out.size() == 64) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

void check_phone(reader& r, const std::string& path, const std::string& value) {
  if (!value.empty() && !is_e164(value)) r.fail(path, "must be an E.164 phone number such as +15125550100");
}

void read_id(reader& r, const json::object& o, const std::string& path, std::string& id, const std::string& name) {
  id = r.text(o, path, "id", false, 64, true);
  if (id.empty()) id = slugify(name);
  if (!is_slug(id)) r.fail(reader::join(path, "id"), "must be lowercase letters, digits, '-' or '_' (at most 64)");
}

void read_organization(reader& r, const json::value& v, const std::string& path, organization& o) {
  const auto* obj = r.object(v, path, fields::organization);
  if (obj == nullptr) return;
  o.name = r.text(*obj, path, "name", true, 200);
  read_id(r, *obj, path, o.id, o.name);
  if (auto tz = r.text(*obj, path, "timezone", false, 64); !tz.empty()) o.timezone = tz;
  o.description = r.text(*obj, path, "description");
  o.address = r.text(*obj, path, "address", false, 400);
  o.website = r.text(*obj, path, "website", false, 400);
  if (auto cur = r.text(*obj, path, "currency", false, 3); !cur.empty()) o.currency = cur;
  if (const auto* owner = obj->if_contains("owner"); owner != nullptr && !owner->is_null()) {
    const std::string opath = reader::join(path, "owner");
    if (const auto* ob = r.object(*owner, opath, fields::owner)) {
      o.owner.phone = r.text(*ob, opath, "phone", false, 16);
      check_phone(r, reader::join(opath, "phone"), o.owner.phone);
      o.owner.email = r.text(*ob, opath, "email", false, 254);
      if (!o.owner.email.empty() && !is_email(o.owner.email)) {
        r.fail(reader::join(opath, "email"), "must be an email address such as name@example.com");
      }
    }
  }
  o.fallback_number = r.text(*obj, path, "fallback_number", false, 16);
  check_phone(r, reader::join(path, "fallback_number"), o.fallback_number);
  o.numbers = r.texts(*obj, path, "numbers");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < o.numbers.size(); ++i) {
    const std::string npath = reader::join(path, "numbers") + "[" + std::to_string(i) + "]";
    if (o.numbers[i].empty()) r.fail(npath, "must be an E.164 phone number such as +15125550100");
    check_phone(r, npath, o.numbers[i]);
    if (!seen.insert(o.numbers[i]).second) r.fail(npath, "is listed twice");
  }
  o.webhook_url = r.text(*obj, path, "webhook_url", false, 2000);
  if (!o.webhook_url.empty() && o.webhook_url.rfind("https://", 0) != 0 && o.webhook_url.rfind("http://", 0) != 0) {
    r.fail(reader::join(path, "webhook_url"), "must be an http:// or https:// URL");
  }
  o.retention_days = r.whole(*obj, path, "retention_days", 36500);
}

void read_tool(reader& r, const json::value& v, const std::string& path, tool_def& t) {
  const auto* obj = r.object(v, path, fields::tool);
  if (obj == nullptr) return;
  t.name = r.text(*obj, path, "name", true, 64);
  // OpenAI function names: ^[a-zA-Z0-9_-]{1,64}$
  for (char c : t.name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      r.fail(reader::join(path, "name"), "may hold only letters, digits, '_' and '-'");
      break;
    }
  }
  t.description = r.text(*obj, path, "description", false, 1024);
  if (const auto* p = obj->if_contains("parameters"); p != nullptr && !p->is_null()) {
    t.parameters = *p;
    if (!p->is_object() || p->as_object().if_contains("type") == nullptr || p->as_object().at("type") != "object") {
      r.fail(reader::join(path, "parameters"), "must be an object schema ({type: object, properties: ...})");
    } else {
      for (const auto& e : check_schema(*p)) r.fail(reader::join(reader::join(path, "parameters"), e.path), e.message);
    }
  } else {
    t.parameters = json::object{{"type", "object"}, {"properties", json::object{}}};
  }
  if (const auto* a = obj->if_contains("action"); a != nullptr && !a->is_null()) {
    if (auto action = read_action(r, *a, reader::join(path, "action"))) t.action = std::move(*action);
  } else {
    r.fail(reader::join(path, "action"), "is required");
  }
}

void read_assistant(reader& r, const json::value& v, const std::string& path, assistant& a) {
  const auto* obj = r.object(v, path, fields::assistant);
  if (obj == nullptr) return;
  a.name = r.text(*obj, path, "name", true, 100);
  read_id(r, *obj, path, a.id, a.name);
  a.voice = r.text(*obj, path, "voice", false, 40);
  a.languages = r.texts(*obj, path, "languages");
  a.greeting = r.text(*obj, path, "greeting", false, 1000);
  a.instructions = r.text(*obj, path, "instructions", false, 20000);
  if (const auto* h = obj->if_contains("hours")) {
    auto hours = parse_hours(*h);
    if (!hours) r.fail(reader::join(path, "hours"), hours.error_message());
    else a.hours = std::move(*hours);
  }
  r.each(*obj, path, "services", [&](const json::value& sv, const std::string& spath) {
    const auto* so = r.object(sv, spath, fields::service);
    if (so == nullptr) return;
    service s;
    s.name = r.text(*so, spath, "name", true, 200);
    s.description = r.text(*so, spath, "description", false, 1000);
    s.minutes = r.whole(*so, spath, "minutes", 24 * 60);
    s.price = r.number(*so, spath, "price");
    r.each(*so, spath, "add_ons", [&](const json::value& av, const std::string& apath) {
      const auto* ao = r.object(av, apath, fields::add_on);
      if (ao == nullptr) return;
      add_on x;
      x.name = r.text(*ao, apath, "name", true, 200);
      x.price = r.number(*ao, apath, "price");
      x.minutes = r.whole(*ao, apath, "minutes", 24 * 60);
      s.add_ons.push_back(std::move(x));
    });
    a.services.push_back(std::move(s));
  });
  r.each(*obj, path, "faqs", [&](const json::value& fv, const std::string& fpath) {
    const auto* fo = r.object(fv, fpath, fields::faq);
    if (fo == nullptr) return;
    a.faqs.push_back({r.text(*fo, fpath, "q", true), r.text(*fo, fpath, "a", true)});
  });
  a.booking_rules = r.texts(*obj, path, "booking_rules");
  if (const auto* t = obj->if_contains("templates"); t != nullptr && !t->is_null()) {
    const std::string tpath = reader::join(path, "templates");
    if (const auto* to = t->if_object()) {
      for (const auto& kv : *to) {
        if (!is_slug(kv.key())) r.fail(reader::join(tpath, kv.key()), "template names are lowercase words joined by '_'");
        if (!kv.value().is_string()) r.fail(reader::join(tpath, kv.key()), "must be text");
        else a.templates.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
      }
    } else {
      r.fail(tpath, "must be a map of template names to text");
    }
  }
  std::set<std::string> tool_names;
  r.each(*obj, path, "tools", [&](const json::value& tv, const std::string& tpath) {
    tool_def t;
    read_tool(r, tv, tpath, t);
    if (!t.name.empty() && !tool_names.insert(t.name).second) r.fail(reader::join(tpath, "name"), "is used by another tool");
    a.tools.push_back(std::move(t));
  });
  if (const auto* s = obj->if_contains("settings")) a.settings = read_settings(r, *s, reader::join(path, "settings"));
}

template <class T>
result<T> finish(std::vector<std::string>& errors, T value) {
  if (errors.empty()) return value;
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "; ") + e;
  return make_error(msg);
}

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

}  // namespace

// One value read from the root of `v` with `read`, or every problem found.
template <class T>
result<T> read_root(const json::value& v, void (*read)(reader&, const json::value&, const std::string&, T&)) {
  std::vector<std::string> errors;
  reader r(errors);
  T value;
  read(r, v, "", value);
  return finish(errors, std::move(value));
}

result<organization> organization_from_json(const json::value& v) { return read_root<organization>(v, read_organization); }

result<assistant> assistant_from_json(const json::value& v) { return read_root<assistant>(v, read_assistant); }

result<org_document> document_from_json(const json::value& v) {
  std::vector<std::string> errors;
  reader r(errors);
  org_document d;
  if (const auto* obj = r.object(v, "", fields::document)) {
    if (const auto* o = obj->if_contains("organization")) read_organization(r, *o, "organization", d.org);
    else r.fail("organization", "is required");
    std::set<std::string> ids;
    r.each(*obj, "", "assistants", [&](const json::value& av, const std::string& apath) {
      assistant a;
      read_assistant(r, av, apath, a);
      if (!a.id.empty() && !ids.insert(a.id).second) r.fail(apath + ".id", "'" + a.id + "' is used by another assistant");
      d.assistants.push_back(std::move(a));
    });
  }
  // What the parts name in each other, once each part reads on its own.
  if (errors.empty()) {
    for (const auto& p : check_document(d)) errors.push_back(p.text());
  }
  return finish(errors, std::move(d));
}

json::object to_json(const organization& o) {
  json::object out;
  out["id"] = o.id;
  out["name"] = o.name;
  out["timezone"] = o.timezone;
  put_if(out, "description", o.description);
  put_if(out, "address", o.address);
  put_if(out, "website", o.website);
  out["currency"] = o.currency;
  if (!o.owner.phone.empty() || !o.owner.email.empty()) {
    json::object owner;
    put_if(owner, "phone", o.owner.phone);
    put_if(owner, "email", o.owner.email);
    out["owner"] = std::move(owner);
  }
  put_if(out, "fallback_number", o.fallback_number);
  json::array numbers;
  for (const auto& n : o.numbers) numbers.emplace_back(n);
  out["numbers"] = std::move(numbers);
  put_if(out, "webhook_url", o.webhook_url);
  if (o.retention_days != 0) out["retention_days"] = o.retention_days;
  return out;
}

json::object to_json(const assistant& a) {
  json::object out;
  out["id"] = a.id;
  out["name"] = a.name;
  put_if(out, "voice", a.voice);
  if (!a.languages.empty()) out["languages"] = json::value_from(a.languages);
  put_if(out, "greeting", a.greeting);
  put_if(out, "instructions", a.instructions);
  if (!a.hours.empty()) out["hours"] = hours_to_json(a.hours);
  if (!a.services.empty()) {
    json::array services;
    for (const auto& s : a.services) {
      json::object so{{"name", s.name}};
      put_if(so, "description", s.description);
      if (s.minutes != 0) so["minutes"] = s.minutes;
      if (s.price) so["price"] = *s.price;
      if (!s.add_ons.empty()) {
        json::array add_ons;
        for (const auto& x : s.add_ons) {
          json::object xo{{"name", x.name}};
          if (x.price) xo["price"] = *x.price;
          if (x.minutes != 0) xo["minutes"] = x.minutes;
          add_ons.emplace_back(std::move(xo));
        }
        so["add_ons"] = std::move(add_ons);
      }
      services.emplace_back(std::move(so));
    }
    out["services"] = std::move(services);
  }
  if (!a.faqs.empty()) {
    json::array faqs;
    for (const auto& f : a.faqs) faqs.emplace_back(json::object{{"q", f.q}, {"a", f.a}});
    out["faqs"] = std::move(faqs);
  }
  if (!a.booking_rules.empty()) out["booking_rules"] = json::value_from(a.booking_rules);
  if (!a.templates.empty()) {
    json::object templates;
    for (const auto& [name, text] : a.templates) templates[name] = text;
    out["templates"] = std::move(templates);
  }
  if (!a.tools.empty()) {
    json::array tools;
    for (const auto& t : a.tools) {
      json::object to{{"name", t.name}};
      put_if(to, "description", t.description);
      to["parameters"] = t.parameters;
      to["action"] = to_json(t.action);
      tools.emplace_back(std::move(to));
    }
    out["tools"] = std::move(tools);
  }
  if (auto settings = to_json(a.settings); !settings.empty()) out["settings"] = std::move(settings);
  return out;
}

json::object to_json(const org_document& d) {
  json::array assistants;
  for (const auto& a : d.assistants) assistants.emplace_back(to_json(a));
  return json::object{{"organization", to_json(d.org)}, {"assistants", std::move(assistants)}};
}

}  // namespace vg::agent
