// What a tool does when the model calls it: one alternative per action kind, read and checked
// when the document is imported or PUT (tool_action_json.cpp), so a typo (`sav: bookings`,
// `then_smss: x`) is refused with its path instead of failing in the middle of a call. The
// tool runner dispatches on the alternative in one place (app/tools/tool_actions.cpp).
//
// Optional parts are kept as written (absent stays absent), so GET returns what the user wrote.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vg::agent {

// {save: COLLECTION, then_sms?: TEMPLATE}: the arguments become a new record.
struct save_record {
  std::string collection;
  std::string then_sms;  // a template of the assistant; empty: no SMS
  bool operator==(const save_record&) const = default;
};

// {update: COLLECTION, then_sms?: TEMPLATE}: the record named by `reference` (or the caller's
// latest) gets the arguments.
struct update_record {
  std::string collection;
  std::string then_sms;
  bool operator==(const update_record&) const = default;
};

// {cancel: COLLECTION, then_sms?: TEMPLATE}
struct cancel_record {
  std::string collection;
  std::string then_sms;
  bool operator==(const cancel_record&) const = default;
};

// {lookup: COLLECTION, by?: FIELD, fields?: [...]}
struct look_up_record {
  std::string collection;
  std::string by;  // an argument's name, or "caller"; empty (left out) is the caller too
  std::optional<std::vector<std::string>> fields;  // the only fields told back; left out: all
  bool by_caller() const { return by.empty() || by == "caller"; }
  bool operator==(const look_up_record&) const = default;
};

// {sms: TEMPLATE}: texts the caller.
struct send_sms {
  std::string template_name;
  bool operator==(const send_sms&) const = default;
};

// {notify_owner: true} (an SMS) or {notify_owner: {sms?: bool, webhook?: bool}}.
struct notify_owner {
  std::optional<bool> sms;      // left out: true
  std::optional<bool> webhook;  // left out: false (POST to the organisation's webhook_url)
  bool written_as_true = false;  // `notify_owner: true`, kept so it reads back the same
  bool by_sms() const { return sms.value_or(true); }
  bool by_webhook() const { return webhook.value_or(false); }
  bool operator==(const notify_owner&) const = default;
};

// {transfer: fallback} (the organisation's fallback_number) or {transfer: "+15125550101"}.
struct transfer_call {
  std::string to;  // "fallback" or an E.164 number
  bool to_fallback() const { return to == "fallback"; }
  bool operator==(const transfer_call&) const = default;
};

// {end_call: true}: hangs up once the goodbye has played.
struct end_call {
  bool operator==(const end_call&) const = default;
};

// {webhook: URL}: POSTs the arguments, signed; the JSON reply is the result.
struct post_webhook {
  std::string url;  // http:// or https://
  bool operator==(const post_webhook&) const = default;
};

// {press_digits: true} and {conference_user: true} (seed 002, outbound calls): accepted so the
// example imports; not connected yet, they tell the model so.
struct press_digits {
  bool operator==(const press_digits&) const = default;
};
struct conference_user {
  bool operator==(const conference_user&) const = default;
};

using tool_action = std::variant<save_record, update_record, cancel_record, look_up_record, send_sms, notify_owner,
                                 transfer_call, end_call, post_webhook, press_digits, conference_user>;

// The key that names the kind in a document: "save", "lookup", "notify_owner"...
std::string_view action_kind(const tool_action& a);

}  // namespace vg::agent
