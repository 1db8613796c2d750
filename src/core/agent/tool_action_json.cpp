#include "core/agent/tool_action_json.hpp"

#include <boost/json.hpp>

#include "core/agent/config_fields.hpp"
#include "core/agent/org_config.hpp"

namespace vg::agent {
namespace json = boost::json;
namespace {

// The keys that name an action's kind; an action map holds exactly one of them.
bool is_kind(std::string_view key) {
  for (auto k : fields::action_kinds) {
    if (k == key) return true;
  }
  return false;
}

// "a, b, c"
template <class Names>
std::string list_of(const Names& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string kinds_list() { return list_of(fields::action_kinds); }

// Every key besides the kind and the fields it takes is refused, naming what this kind takes.
void refuse_unknown_fields(config_reader& r, const json::object& o, const std::string& path, std::string_view kind) {
  const fields::list extra = fields::action_fields(kind);
  for (const auto& kv : o) {
    if (kv.key() == kind) continue;
    bool known = false;
    for (auto e : extra) known = known || kv.key() == e;
    if (known) continue;
    const std::string takes = extra.size() == 0 ? "it takes no other field" : "it takes " + list_of(extra);
    r.fail(config_reader::join(path, kv.key()),
           "is not a known field of the " + std::string(kind) + " action (" + takes + ")");
  }
}

// A template name at key (empty when left out). That the assistant has it is checked with the
// whole document (document_checks.cpp).
std::string template_name(config_reader& r, const json::object& o, const std::string& path, std::string_view key) {
  if (o.if_contains(key) == nullptr || o.at(key).is_null()) return {};
  return r.text(o, path, key, true, 64);
}

// `true`, the only value of the kinds that take no parameter ({end_call: true}).
void expect_true(config_reader& r, const json::object& o, const std::string& path, std::string_view kind) {
  if (o.at(kind) != json::value(true)) r.fail(config_reader::join(path, kind), "must be true");
}

template <class Record>
Record read_record_change(config_reader& r, const json::object& o, const std::string& path, std::string_view kind) {
  refuse_unknown_fields(r, o, path, kind);
  return Record{r.text(o, path, kind, true, 200), template_name(r, o, path, "then_sms")};
}

look_up_record read_lookup(config_reader& r, const json::object& o, const std::string& path) {
  refuse_unknown_fields(r, o, path, "lookup");
  look_up_record out{r.text(o, path, "lookup", true, 200), r.text(o, path, "by", false, 64), std::nullopt};
  if (const auto* f = o.if_contains("fields"); f != nullptr && !f->is_null()) out.fields = r.texts(o, path, "fields");
  return out;
}

notify_owner read_notify_owner(config_reader& r, const json::object& o, const std::string& path) {
  refuse_unknown_fields(r, o, path, "notify_owner");
  const std::string how_path = config_reader::join(path, "notify_owner");
  const json::value& how = o.at("notify_owner");
  notify_owner out;
  if (how == json::value(true)) {
    out.written_as_true = true;
    return out;
  }
  if (!how.is_object()) {
    r.fail(how_path, "must be true (an SMS to the owner) or a map such as {sms: true, webhook: true}");
    return out;
  }
  if (r.object(how, how_path, fields::notify_owner) == nullptr) return out;
  out.sms = r.flag(how.as_object(), how_path, "sms");
  out.webhook = r.flag(how.as_object(), how_path, "webhook");
  if (!out.by_sms() && !out.by_webhook()) r.fail(how_path, "must notify by sms, webhook or both");
  return out;
}

transfer_call read_transfer(config_reader& r, const json::object& o, const std::string& path) {
  refuse_unknown_fields(r, o, path, "transfer");
  transfer_call out{r.text(o, path, "transfer", true, 16)};
  if (!out.to.empty() && !out.to_fallback() && !is_e164(out.to)) {
    r.fail(config_reader::join(path, "transfer"),
           "must be fallback (the organisation's fallback_number) or an E.164 phone number such as +15125550101");
  }
  return out;
}

post_webhook read_webhook(config_reader& r, const json::object& o, const std::string& path) {
  refuse_unknown_fields(r, o, path, "webhook");
  post_webhook out{r.text(o, path, "webhook", true, 2000)};
  if (!out.url.empty() && out.url.rfind("https://", 0) != 0 && out.url.rfind("http://", 0) != 0) {
    r.fail(config_reader::join(path, "webhook"), "must be an http:// or https:// URL");
  }
  return out;
}

template <class Flag>
Flag read_flag_kind(config_reader& r, const json::object& o, const std::string& path, std::string_view kind) {
  refuse_unknown_fields(r, o, path, kind);
  expect_true(r, o, path, kind);
  return Flag{};
}

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

}  // namespace

std::optional<tool_action> read_action(config_reader& r, const json::value& v, const std::string& path) {
  const auto* o = v.if_object();
  if (o == nullptr || o->empty()) {
    r.fail(path, "must be a map such as {save: bookings}");
    return std::nullopt;
  }
  std::vector<std::string_view> named;
  for (const auto& kv : *o) {
    if (is_kind(kv.key())) named.push_back(kv.key());
  }
  if (named.empty()) {
    // The misspelt kind is the key that is no kind's field: `sav` in {sav: bookings, then_sms: x}.
    bool reported = false;
    for (const auto& kv : *o) {
      if (kv.key() == "then_sms" || kv.key() == "by" || kv.key() == "fields") continue;
      r.fail(config_reader::join(path, kv.key()), "is not a known action (" + kinds_list() + ")");
      reported = true;
    }
    if (!reported) r.fail(path, "names no action; it needs one of " + kinds_list());
    return std::nullopt;
  }
  if (named.size() > 1) {
    std::string both;
    for (auto n : named) both += (both.empty() ? "" : " and ") + std::string(n);
    r.fail(path, "names " + both + ": a tool runs one action");
    return std::nullopt;
  }
  const std::string_view kind = named.front();
  if (kind == "save") return read_record_change<save_record>(r, *o, path, kind);
  if (kind == "update") return read_record_change<update_record>(r, *o, path, kind);
  if (kind == "cancel") return read_record_change<cancel_record>(r, *o, path, kind);
  if (kind == "lookup") return read_lookup(r, *o, path);
  if (kind == "sms") {
    refuse_unknown_fields(r, *o, path, kind);
    return send_sms{r.text(*o, path, "sms", true, 64)};
  }
  if (kind == "notify_owner") return read_notify_owner(r, *o, path);
  if (kind == "transfer") return read_transfer(r, *o, path);
  if (kind == "webhook") return read_webhook(r, *o, path);
  if (kind == "end_call") return read_flag_kind<end_call>(r, *o, path, kind);
  if (kind == "press_digits") return read_flag_kind<press_digits>(r, *o, path, kind);
  return read_flag_kind<conference_user>(r, *o, path, kind);
}

std::string_view action_kind(const tool_action& a) {
  struct name_of {
    std::string_view operator()(const save_record&) const { return "save"; }
    std::string_view operator()(const update_record&) const { return "update"; }
    std::string_view operator()(const cancel_record&) const { return "cancel"; }
    std::string_view operator()(const look_up_record&) const { return "lookup"; }
    std::string_view operator()(const send_sms&) const { return "sms"; }
    std::string_view operator()(const notify_owner&) const { return "notify_owner"; }
    std::string_view operator()(const transfer_call&) const { return "transfer"; }
    std::string_view operator()(const end_call&) const { return "end_call"; }
    std::string_view operator()(const post_webhook&) const { return "webhook"; }
    std::string_view operator()(const press_digits&) const { return "press_digits"; }
    std::string_view operator()(const conference_user&) const { return "conference_user"; }
  };
  return std::visit(name_of{}, a);
}

json::object to_json(const tool_action& a) {
  struct writer {
    json::object operator()(const save_record& x) const { return change("save", x.collection, x.then_sms); }
    json::object operator()(const update_record& x) const { return change("update", x.collection, x.then_sms); }
    json::object operator()(const cancel_record& x) const { return change("cancel", x.collection, x.then_sms); }
    json::object operator()(const look_up_record& x) const {
      json::object o{{"lookup", x.collection}};
      put_if(o, "by", x.by);
      if (x.fields) o["fields"] = json::value_from(*x.fields);
      return o;
    }
    json::object operator()(const send_sms& x) const { return {{"sms", x.template_name}}; }
    json::object operator()(const notify_owner& x) const {
      if (x.written_as_true) return {{"notify_owner", true}};
      json::object how;
      if (x.sms) how["sms"] = *x.sms;
      if (x.webhook) how["webhook"] = *x.webhook;
      return {{"notify_owner", std::move(how)}};
    }
    json::object operator()(const transfer_call& x) const { return {{"transfer", x.to}}; }
    json::object operator()(const end_call&) const { return {{"end_call", true}}; }
    json::object operator()(const post_webhook& x) const { return {{"webhook", x.url}}; }
    json::object operator()(const press_digits&) const { return {{"press_digits", true}}; }
    json::object operator()(const conference_user&) const { return {{"conference_user", true}}; }

    static json::object change(std::string_view kind, const std::string& collection, const std::string& then_sms) {
      json::object o{{kind, collection}};
      put_if(o, "then_sms", then_sms);
      return o;
    }
  };
  return std::visit(writer{}, a);
}

}  // namespace vg::agent
