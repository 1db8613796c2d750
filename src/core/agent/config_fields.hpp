// The fields each part of a configuration document takes, in one place. The readers refuse any
// other key with its path (config_reader::object), and tests/e2e/openapi_test.cpp checks that
// docs/openapi.yaml describes exactly these and that README's settings table names each
// setting, so the documentation cannot drift from what the code accepts.
#pragma once
#include <span>
#include <string_view>

namespace vg::agent::fields {

using list = std::span<const std::string_view>;

inline constexpr std::string_view document[] = {"organization", "assistants"};
inline constexpr std::string_view organization[] = {"id", "name", "timezone", "description", "address", "website",
                                                    "currency", "owner", "fallback_number", "numbers", "webhook_url",
                                                    "retention_days"};
inline constexpr std::string_view owner[] = {"phone", "email"};
inline constexpr std::string_view assistant[] = {"id", "name", "voice", "languages", "greeting", "instructions",
                                                 "hours", "services", "faqs", "booking_rules", "templates", "tools",
                                                 "settings"};
inline constexpr std::string_view service[] = {"name", "description", "minutes", "price", "add_ons"};
inline constexpr std::string_view add_on[] = {"name", "price", "minutes"};
inline constexpr std::string_view faq[] = {"q", "a"};
inline constexpr std::string_view tool[] = {"name", "description", "parameters", "action"};

// assistants[].settings and its sections.
inline constexpr std::string_view settings[] = {"mode", "gate", "max_call_seconds", "idle_timeout_s", "fallback",
                                                "gather", "recording", "extraction", "booking"};
inline constexpr std::string_view gate[] = {"press_any_key", "digits", "prompt", "timeout_s", "attempts", "goodbye"};
inline constexpr std::string_view gather[] = {"model", "voice", "attempts"};
inline constexpr std::string_view recording[] = {"twilio", "own"};
inline constexpr std::string_view extraction[] = {"schema", "model", "instructions"};
inline constexpr std::string_view booking[] = {"min_lead_minutes"};

// A tool's action: a map naming exactly one kind (the key), with only that kind's other fields.
inline constexpr std::string_view action_kinds[] = {"save", "update", "cancel", "lookup", "sms", "notify_owner",
                                                    "transfer", "end_call", "webhook", "press_digits",
                                                    "conference_user"};
inline constexpr std::string_view notify_owner[] = {"sms", "webhook"};  // {notify_owner: {sms?, webhook?}}

// The fields an action of `kind` takes besides the kind itself.
inline list action_fields(std::string_view kind) {
  static constexpr std::string_view record_change[] = {"then_sms"};
  static constexpr std::string_view lookup[] = {"by", "fields"};
  if (kind == "save" || kind == "update" || kind == "cancel") return record_change;
  if (kind == "lookup") return lookup;
  return {};
}

}  // namespace vg::agent::fields
