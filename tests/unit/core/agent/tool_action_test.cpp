// Typed tool actions: every kind is read from its document form, an unknown kind or field and a
// bad value are refused with their exact path, references are checked against the assistant,
// and the JSON written back is what the user wrote.
#include "core/agent/tool_action_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/agent/org_config_json.hpp"

namespace vg::agent {
namespace {
namespace json = boost::json;

// A document whose one assistant has two templates and a tool `t` bound to `action` (JSON text),
// with a `customer_number` parameter for lookups; the organisation has everything an action may
// need (owner phone, fallback number, webhook URL), and two more tools save to the collections
// the other actions name.
json::value document_with_action(const std::string& action) {
  return json::parse(R"({"organization": {"name": "X", "owner": {"phone": "+15125550100"},
      "fallback_number": "+15125550101", "webhook_url": "https://x.example/hook", "numbers": ["+15125550199"]},
    "assistants": [{"name": "A",
      "templates": {"booking_confirmed": "Ref {ref}.", "hello": "Hi."},
      "tools": [{"name": "t", "parameters": {"type": "object", "properties": {"customer_number": {"type": "string"}}},
                 "action": )" + action + R"(},
                {"name": "book", "action": {"save": "bookings"}},
                {"name": "register", "action": {"save": "customers"}}]}]})");
}

std::string error_of(const std::string& action) {
  auto d = document_from_json(document_with_action(action));
  return d.ok() ? std::string("(accepted)") : d.error_message();
}

tool_action read(const std::string& action) {
  auto d = document_from_json(document_with_action(action));
  EXPECT_TRUE(d.ok()) << action << ": " << d.error_message();
  return d.ok() ? d->assistants.at(0).tools.at(0).action : tool_action{};
}

constexpr const char* at = "assistants[0].tools[0].action";

TEST(tool_action, every_kind_reads_into_its_alternative) {
  EXPECT_EQ(read(R"({"save": "bookings", "then_sms": "booking_confirmed"})"),
            tool_action(save_record{"bookings", "booking_confirmed"}));
  EXPECT_EQ(read(R"({"save": "waitlist"})"), tool_action(save_record{"waitlist", ""}));
  EXPECT_EQ(read(R"({"update": "bookings", "then_sms": "hello"})"), tool_action(update_record{"bookings", "hello"}));
  EXPECT_EQ(read(R"({"cancel": "bookings"})"), tool_action(cancel_record{"bookings", ""}));
  EXPECT_EQ(read(R"({"lookup": "customers", "by": "customer_number", "fields": ["name"]})"),
            tool_action(look_up_record{"customers", "customer_number", std::vector<std::string>{"name"}}));
  EXPECT_EQ(read(R"({"lookup": "customers"})"), tool_action(look_up_record{"customers", "", std::nullopt}));
  EXPECT_EQ(read(R"({"sms": "hello"})"), tool_action(send_sms{"hello"}));
  EXPECT_EQ(read(R"({"notify_owner": {"sms": false, "webhook": true}})"), tool_action(notify_owner{false, true, false}));
  EXPECT_EQ(read(R"({"notify_owner": true})"), tool_action(notify_owner{std::nullopt, std::nullopt, true}));
  EXPECT_EQ(read(R"({"transfer": "fallback"})"), tool_action(transfer_call{"fallback"}));
  EXPECT_EQ(read(R"({"transfer": "+15125550101"})"), tool_action(transfer_call{"+15125550101"}));
  EXPECT_EQ(read(R"({"end_call": true})"), tool_action(end_call{}));
  EXPECT_EQ(read(R"({"webhook": "https://crm.example/hook"})"), tool_action(post_webhook{"https://crm.example/hook"}));
  EXPECT_EQ(read(R"({"press_digits": true})"), tool_action(press_digits{}));
  EXPECT_EQ(read(R"({"conference_user": true})"), tool_action(conference_user{}));
}

TEST(tool_action, what_each_kind_means_by_default) {
  const auto lookup = std::get<look_up_record>(read(R"({"lookup": "customers"})"));
  EXPECT_TRUE(lookup.by_caller());
  EXPECT_FALSE(lookup.fields.has_value());  // every field may be told
  const auto shorthand = std::get<notify_owner>(read(R"({"notify_owner": true})"));
  EXPECT_TRUE(shorthand.by_sms());
  EXPECT_FALSE(shorthand.by_webhook());
  const auto hook_only = std::get<notify_owner>(read(R"({"notify_owner": {"webhook": true}})"));
  EXPECT_TRUE(hook_only.by_sms());  // sms left out: still texted, as before actions were typed
  EXPECT_TRUE(hook_only.by_webhook());
  EXPECT_TRUE(std::get<transfer_call>(read(R"({"transfer": "fallback"})")).to_fallback());
  EXPECT_EQ(action_kind(read(R"({"lookup": "customers"})")), "lookup");
}

struct refusal {
  const char* action;   // the action's JSON
  const char* message;  // the whole error, after "assistants[0].tools[0].action"
};

// One unknown field per kind: the error names the field's path and what the kind takes.
TEST(tool_action, an_unknown_field_of_each_kind_is_refused_with_its_path) {
  const refusal cases[] = {
      {R"({"save": "bookings", "then_smss": "hello"})", ".then_smss: is not a known field of the save action (it takes then_sms)"},
      {R"({"update": "bookings", "when": 1})", ".when: is not a known field of the update action (it takes then_sms)"},
      {R"({"cancel": "bookings", "reason": "x"})", ".reason: is not a known field of the cancel action (it takes then_sms)"},
      {R"({"lookup": "customers", "feilds": ["name"]})", ".feilds: is not a known field of the lookup action (it takes by, fields)"},
      {R"({"sms": "hello", "to": "+15125550101"})", ".to: is not a known field of the sms action (it takes no other field)"},
      {R"({"notify_owner": true, "urgent": true})", ".urgent: is not a known field of the notify_owner action (it takes no other field)"},
      {R"({"notify_owner": {"sms": true, "emial": true}})", ".notify_owner.emial: is not a known field"},
      {R"({"transfer": "fallback", "reason": "x"})", ".reason: is not a known field of the transfer action (it takes no other field)"},
      {R"({"end_call": true, "say": "bye"})", ".say: is not a known field of the end_call action (it takes no other field)"},
      {R"({"webhook": "https://crm.example/hook", "method": "PUT"})",
       ".method: is not a known field of the webhook action (it takes no other field)"},
      {R"({"press_digits": true, "digits": "1"})", ".digits: is not a known field of the press_digits action (it takes no other field)"},
      {R"({"conference_user": true, "to": "x"})", ".to: is not a known field of the conference_user action (it takes no other field)"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.action), std::string(at) + c.message) << c.action;
}

TEST(tool_action, an_unknown_kind_or_two_kinds_are_refused) {
  EXPECT_EQ(error_of(R"({"sav": "bookings"})"),
            std::string(at) + ".sav: is not a known action (save, update, cancel, lookup, sms, notify_owner, transfer, "
                              "end_call, webhook, press_digits, conference_user)");
  EXPECT_EQ(error_of(R"({"then_sms": "hello"})"),
            std::string(at) + ": names no action; it needs one of save, update, cancel, lookup, sms, notify_owner, "
                              "transfer, end_call, webhook, press_digits, conference_user");
  EXPECT_EQ(error_of(R"({"save": "bookings", "sms": "hello"})"), std::string(at) + ": names save and sms: a tool runs one action");
  EXPECT_EQ(error_of("{}"), std::string(at) + ": must be a map such as {save: bookings}");
  EXPECT_EQ(error_of(R"("save")"), std::string(at) + ": must be a map such as {save: bookings}");
}

TEST(tool_action, bad_values_are_refused_with_their_path) {
  const refusal cases[] = {
      {R"({"save": "bookings", "then_sms": "booking_confirmd"})",
       ".then_sms: there is no template 'booking_confirmd' in the assistant's templates (booking_confirmed, hello)"},
      {R"({"sms": "bye"})", ".sms: there is no template 'bye' in the assistant's templates (booking_confirmed, hello)"},
      {R"({"update": "bookings", "then_sms": "moved"})",
       ".then_sms: there is no template 'moved' in the assistant's templates (booking_confirmed, hello)"},
      {R"({"cancel": "bookings", "then_sms": "gone"})",
       ".then_sms: there is no template 'gone' in the assistant's templates (booking_confirmed, hello)"},
      {R"({"save": "bookings", "then_sms": ""})", ".then_sms: must not be empty"},
      {R"({"sms": ""})", ".sms: must not be empty"},
      {R"({"save": 5})", ".save: must be text"},
      {R"({"update": ""})", ".update: must not be empty"},
      {R"({"cancel": 7})", ".cancel: must be text"},
      {R"({"lookup": ""})", ".lookup: must not be empty"},
      {R"({"update": "bookngs"})",
       ".update: no tool of the organisation saves to 'bookngs', so there would never be a record to update (saved: "
       "bookings, customers)"},
      {R"({"cancel": "orders"})",
       ".cancel: no tool of the organisation saves to 'orders', so there would never be a record to cancel (saved: "
       "bookings, customers)"},
      {R"({"lookup": "customer"})",
       ".lookup: no tool of the organisation saves to 'customer', so there would never be a record to find (saved: "
       "bookings, customers)"},
      {R"({"lookup": "customers", "by": 5})", ".by: must be text"},
      {R"({"lookup": "customers", "fields": [1]})", ".fields[0]: must be text"},
      {R"({"lookup": "customers", "by": "email"})", ".by: must be one of the tool's parameters (customer_number, or caller)"},
      {R"({"lookup": "customers", "fields": "name"})", ".fields: must be a list"},
      {R"({"notify_owner": "yes"})", ".notify_owner: must be true (an SMS to the owner) or a map such as {sms: true, webhook: true}"},
      {R"({"notify_owner": {"sms": false}})", ".notify_owner: must notify by sms, webhook or both"},
      {R"({"notify_owner": {"sms": "yes"}})", ".notify_owner.sms: must be true or false"},
      {R"({"notify_owner": {"webhook": "no"}})", ".notify_owner.webhook: must be true or false"},
      {R"({"transfer": "+15125550199"})",
       ".transfer: is one of the organisation's own numbers: the call would ring the assistant again, not a person"},
      {R"({"transfer": 15125550101})", ".transfer: must be text"},
      {R"({"transfer": "5125550101"})",
       ".transfer: must be fallback (the organisation's fallback_number) or an E.164 phone number such as +15125550101"},
      {R"({"end_call": false})", ".end_call: must be true"},
      {R"({"press_digits": "1"})", ".press_digits: must be true"},
      {R"({"conference_user": false})", ".conference_user: must be true"},
      {R"({"webhook": 5})", ".webhook: must be text"},
      {R"({"webhook": "ftp://crm.example"})", ".webhook: must be an http:// or https:// URL"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of(c.action), std::string(at) + c.message) << c.action;
}

TEST(tool_action, a_template_check_needs_templates_in_the_same_assistant) {
  auto d = document_from_json(json::parse(R"({"organization": {"name": "X"}, "assistants": [
      {"name": "A", "templates": {"hello": "Hi."}},
      {"name": "B", "tools": [{"name": "t", "action": {"sms": "hello"}}]}]})"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error_message(), "assistants[1].tools[0].action.sms: there is no template 'hello' in the assistant's templates (it has none)");
}

TEST(tool_action, a_single_assistant_put_reports_paths_from_the_assistant) {
  auto a = assistant_from_json(json::parse(R"({"name": "A", "tools": [{"name": "t", "action": {"end_call": true, "x": 1}}]})"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error_message(), "tools[0].action.x: is not a known field of the end_call action (it takes no other field)");
}

// Every form a user may write comes back exactly, so GET returns the document as written.
TEST(tool_action, each_form_writes_back_as_written) {
  for (const char* text : {R"({"save": "bookings", "then_sms": "booking_confirmed"})", R"({"save": "waitlist"})",
                           R"({"update": "bookings", "then_sms": "hello"})", R"({"cancel": "bookings"})",
                           R"({"lookup": "customers", "by": "customer_number", "fields": ["name", "address"]})",
                           R"({"lookup": "customers", "by": "caller"})", R"({"lookup": "customers", "fields": []})",
                           R"({"sms": "hello"})", R"({"notify_owner": true})", R"({"notify_owner": {}})",
                           R"({"notify_owner": {"sms": true, "webhook": true}})", R"({"notify_owner": {"webhook": true}})",
                           R"({"transfer": "fallback"})", R"({"transfer": "+15125550101"})", R"({"end_call": true})",
                           R"({"webhook": "http://127.0.0.1:9/hook"})", R"({"press_digits": true})",
                           R"({"conference_user": true})"}) {
    EXPECT_EQ(json::value(to_json(read(text))), json::parse(text)) << text;
  }
}

}  // namespace
}  // namespace vg::agent
