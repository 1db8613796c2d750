// An organisation and its assistants: the configuration a business writes (YAML or the REST
// API) and the prompt is built from. Pure values; JSON in and out (org_config_json.cpp) with
// every problem reported by its field path, so nothing half-valid is ever stored.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/agent/assistant_settings.hpp"
#include "core/agent/tool_action.hpp"

namespace vg::agent {

// Opening hours as minutes since local midnight; a day may have several ranges (lunch break).
struct time_range {
  int open_min = 0;
  int close_min = 0;  // exclusive; 24:00 = 1440
  bool operator==(const time_range&) const = default;
};

struct weekly_hours {
  std::array<std::vector<time_range>, 7> days;  // index 0 = Sunday, as tm_wday
  bool empty() const;
  bool operator==(const weekly_hours&) const = default;
};

struct add_on {
  std::string name;
  std::optional<double> price;
  int minutes = 0;
  bool operator==(const add_on&) const = default;
};

struct service {
  std::string name;
  std::string description;
  int minutes = 0;
  std::optional<double> price;
  std::vector<add_on> add_ons;
  bool operator==(const service&) const = default;
};

struct faq {
  std::string q;
  std::string a;
  bool operator==(const faq&) const = default;
};

// A function the model may call, bound to an action (run by the tool runner, issue 5).
// Parameters are kept as JSON (the schema is checked on import); the action is typed.
struct tool_def {
  std::string name;
  std::string description;
  boost::json::value parameters;  // JSON schema of the arguments (an object schema)
  tool_action action;  // e.g. save_record{"bookings", "booking_confirmed"}; always read from the document
  bool operator==(const tool_def&) const = default;
};

struct assistant {
  std::string id;  // unique in its organisation; a slug ("ava", "front-desk")
  std::string name;
  std::string voice;                   // empty: the server's default voice
  std::vector<std::string> languages;  // BCP 47 tags ("en", "es-MX"); the first is the default
  std::string greeting;                // what the assistant says first, in its own words
  std::string instructions;            // free-form, added to the prompt as written
  weekly_hours hours;
  std::vector<service> services;
  std::vector<faq> faqs;
  std::vector<std::string> booking_rules;
  std::vector<std::pair<std::string, std::string>> templates;  // name -> text with {placeholders}
  std::vector<tool_def> tools;
  assistant_settings settings;  // recording, extraction, booking, mode, gate...
  bool operator==(const assistant&) const = default;
};

struct contact {
  std::string phone;  // E.164
  std::string email;
  bool operator==(const contact&) const = default;
};

struct organization {
  std::string id;  // a slug or a number ("1", as seed 000's org_id)
  std::string name;
  std::string timezone = "UTC";  // IANA name
  std::string description;       // what the business does, for the prompt
  std::string address;
  std::string website;
  std::string currency = "USD";  // ISO 4217, for prices in the prompt
  contact owner;
  std::string fallback_number;       // E.164: where "transfer to a human" goes
  std::vector<std::string> numbers;  // E.164 numbers it owns; a call to one maps to it
  std::string webhook_url;           // where signed notifications go (issues 5, 6)
  int retention_days = 0;            // 0: keep forever (issue 6)
  bool operator==(const organization&) const = default;
};

// What a YAML file holds: one organisation with its assistants.
struct org_document {
  organization org;
  std::vector<assistant> assistants;
  bool operator==(const org_document&) const = default;
};

// Where a call goes, once the organisation is known: the assistant it asked for, or its first.
const assistant* pick_assistant(const std::vector<assistant>& assistants, std::string_view id);

// Checks on single values, shared by the JSON reader and the prompt builder.
bool is_slug(std::string_view s);    // [a-z0-9][a-z0-9_-]{0,63}
bool is_e164(std::string_view s);    // +[1-9][0-9]{7,14}
bool is_email(std::string_view s);

}  // namespace vg::agent
