// Checks of a whole document: one refusal per rule, each with its exact path and message; what
// is allowed on purpose; and what a partial write is refused for (only the problems it adds).
#include "core/agent/document_checks.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/agent/org_config_json.hpp"

namespace vg::agent {
namespace {
namespace json = boost::json;

// A document that passes every check: an organisation with an owner's phone, a webhook URL and
// a fallback number, and an assistant whose tools use each kind of reference.
constexpr const char* good_document = R"({
  "organization": {"id": "shop", "name": "Shop", "owner": {"phone": "+15125550100"}, "fallback_number": "+15125550101",
                   "webhook_url": "https://shop.example/hook", "numbers": ["+15125550199"]},
  "assistants": [{
    "name": "Ava",
    "templates": {"booked": "Ref {ref}.", "moved": "Moved.", "thanks": "Thanks."},
    "tools": [
      {"name": "book", "action": {"save": "bookings", "then_sms": "booked"}},
      {"name": "move", "action": {"update": "bookings", "then_sms": "moved"}},
      {"name": "drop", "action": {"cancel": "bookings"}},
      {"name": "find", "parameters": {"type": "object", "properties": {"ref": {"type": "string"}}},
       "action": {"lookup": "bookings", "by": "ref"}},
      {"name": "text", "action": {"sms": "thanks"}},
      {"name": "tell", "action": {"notify_owner": {"sms": true, "webhook": true}}},
      {"name": "human", "action": {"transfer": "fallback"}},
      {"name": "boss", "action": {"transfer": "+15125550177"}}
    ],
    "settings": {"gate": {"press_any_key": true}, "fallback": "transfer"}
  }]
})";

org_document good() {
  auto d = document_from_json(json::parse(good_document));
  EXPECT_TRUE(d.ok()) << d.error_message();
  return d.ok() ? *d : org_document{};
}

tool_action& action_of(org_document& d, std::string_view tool) {
  for (auto& t : d.assistants.at(0).tools) {
    if (t.name == tool) return t.action;
  }
  throw std::runtime_error("no tool " + std::string(tool));
}

// The one problem of `d`, as the import says it ("path: message").
std::string only_problem(const org_document& d) {
  const auto problems = check_document(d);
  if (problems.size() != 1) return std::to_string(problems.size()) + " problems: " + describe(problems);
  return problems.front().text();
}

TEST(document_checks, the_good_document_passes) { EXPECT_TRUE(check_document(good()).empty()); }

TEST(document_checks, the_fallback_number_is_not_one_of_the_organisations_own) {
  auto d = good();
  d.org.numbers.push_back(d.org.fallback_number);
  EXPECT_EQ(only_problem(d),
            "organization.fallback_number: is one of the organisation's own numbers: a transfer would ring the assistant "
            "again, not a person");
  EXPECT_EQ(check_document(d).front().assistant, -1);
}

TEST(document_checks, a_template_an_action_texts_is_one_of_the_assistants) {
  {
    auto d = good();
    std::get<save_record>(action_of(d, "book")).then_sms = "booked_";
    EXPECT_EQ(only_problem(d),
              "assistants[0].tools[0].action.then_sms: there is no template 'booked_' in the assistant's templates "
              "(booked, moved, thanks)");
  }
  {
    auto d = good();
    std::get<update_record>(action_of(d, "move")).then_sms = "gone";
    EXPECT_EQ(only_problem(d), "assistants[0].tools[1].action.then_sms: there is no template 'gone' in the assistant's "
                               "templates (booked, moved, thanks)");
  }
  {
    auto d = good();
    std::get<cancel_record>(action_of(d, "drop")).then_sms = "gone";
    EXPECT_EQ(only_problem(d), "assistants[0].tools[2].action.then_sms: there is no template 'gone' in the assistant's "
                               "templates (booked, moved, thanks)");
  }
  {
    auto d = good();
    d.assistants[0].templates.clear();
    std::get<save_record>(action_of(d, "book")).then_sms.clear();
    std::get<update_record>(action_of(d, "move")).then_sms.clear();
    EXPECT_EQ(only_problem(d), "assistants[0].tools[4].action.sms: there is no template 'thanks' in the assistant's "
                               "templates (it has none)");
  }
}

// Each assistant has its own templates: another's are not found.
TEST(document_checks, a_template_of_another_assistant_does_not_count) {
  auto d = good();
  assistant other;
  other.id = "bo";
  other.name = "Bo";
  other.tools.push_back({"text", "", json::object{{"type", "object"}}, send_sms{"thanks"}});
  d.assistants.push_back(other);
  EXPECT_EQ(only_problem(d),
            "assistants[1].tools[0].action.sms: there is no template 'thanks' in the assistant's templates (it has none)");
  EXPECT_EQ(check_document(d).front().path_in_assistant(), "tools[0].action.sms");
}

TEST(document_checks, update_cancel_and_lookup_name_a_collection_that_is_saved) {
  {
    auto d = good();
    std::get<update_record>(action_of(d, "move")).collection = "booking";
    EXPECT_EQ(only_problem(d), "assistants[0].tools[1].action.update: no tool of the organisation saves to 'booking', "
                               "so there would never be a record to update (saved: bookings)");
  }
  {
    auto d = good();
    std::get<cancel_record>(action_of(d, "drop")).collection = "orders";
    EXPECT_EQ(only_problem(d), "assistants[0].tools[2].action.cancel: no tool of the organisation saves to 'orders', "
                               "so there would never be a record to cancel (saved: bookings)");
  }
  {
    auto d = good();
    std::get<save_record>(action_of(d, "book")).collection = "orders";
    const auto problems = check_document(d);
    ASSERT_EQ(problems.size(), 3u) << describe(problems);  // update, cancel and lookup of bookings
    EXPECT_EQ(problems[2].text(), "assistants[0].tools[3].action.lookup: no tool of the organisation saves to "
                                  "'bookings', so there would never be a record to find (saved: orders)");
  }
  {
    auto d = good();
    d.assistants[0].tools.erase(d.assistants[0].tools.begin());  // no save at all
    EXPECT_EQ(check_document(d).front().text(), "assistants[0].tools[0].action.update: no tool of the organisation "
                                                 "saves to 'bookings', so there would never be a record to update "
                                                 "(no tool saves anything)");
  }
}

// Collections belong to the organisation: one assistant may look up what another saves.
TEST(document_checks, a_collection_saved_by_another_assistant_counts) {
  auto d = good();
  assistant desk;
  desk.id = "desk";
  desk.name = "Desk";
  desk.tools.push_back({"find", "", json::object{{"type", "object"}}, look_up_record{"bookings", "", std::nullopt}});
  d.assistants.push_back(desk);
  EXPECT_TRUE(check_document(d).empty()) << describe(check_document(d));
}

TEST(document_checks, a_lookups_by_is_one_of_the_tools_parameters) {
  {
    auto d = good();
    std::get<look_up_record>(action_of(d, "find")).by = "reference";
    EXPECT_EQ(only_problem(d), "assistants[0].tools[3].action.by: must be one of the tool's parameters (ref, or caller)");
  }
  {
    auto d = good();
    d.assistants[0].tools[3].parameters = json::object{{"type", "object"}};
    EXPECT_EQ(only_problem(d), "assistants[0].tools[3].action.by: must be caller: the tool has no parameters");
  }
  {
    auto d = good();
    std::get<look_up_record>(action_of(d, "find")).by = "caller";
    EXPECT_TRUE(check_document(d).empty());
  }
}

TEST(document_checks, notify_owner_needs_what_it_notifies_by) {
  {
    auto d = good();
    d.org.owner.phone.clear();
    EXPECT_EQ(only_problem(d), "assistants[0].tools[5].action.notify_owner: texts the owner, but the organisation has "
                               "no owner.phone");
  }
  {
    auto d = good();
    d.org.webhook_url.clear();
    EXPECT_EQ(only_problem(d), "assistants[0].tools[5].action.notify_owner: posts to the organisation's webhook_url, "
                               "but it has none");
  }
  {
    auto d = good();  // webhook only: no phone needed
    d.org.owner.phone.clear();
    action_of(d, "tell") = notify_owner{false, true, false};
    EXPECT_TRUE(check_document(d).empty()) << describe(check_document(d));
  }
}

TEST(document_checks, a_transfer_goes_to_a_number_that_reaches_a_person) {
  {
    auto d = good();
    d.org.fallback_number.clear();
    d.assistants[0].settings.fallback.reset();
    EXPECT_EQ(only_problem(d),
              "assistants[0].tools[6].action.transfer: is fallback, but the organisation has no fallback_number");
  }
  {
    auto d = good();
    action_of(d, "boss") = transfer_call{"+15125550199"};
    EXPECT_EQ(only_problem(d), "assistants[0].tools[7].action.transfer: is one of the organisation's own numbers: the "
                               "call would ring the assistant again, not a person");
  }
}

TEST(document_checks, a_gate_asks_for_any_key_or_for_digits) {
  {
    auto d = good();
    d.assistants[0].settings.gate->digits = "1";
    EXPECT_EQ(only_problem(d), "assistants[0].settings.gate: has both press_any_key and digits: pick one (any key, or "
                               "exactly those digits)");
  }
  {
    auto d = good();  // no digits: any key opens it
    d.assistants[0].settings.gate = gate_settings{};
    EXPECT_TRUE(check_document(d).empty());
  }
  {
    auto d = good();  // press_any_key: false alone turns the gate off
    d.assistants[0].settings.gate->press_any_key = false;
    EXPECT_TRUE(check_document(d).empty());
  }
  {
    auto d = good();
    gate_settings digits_only;
    digits_only.press_any_key = false;
    digits_only.digits = "1";
    d.assistants[0].settings.gate = digits_only;
    EXPECT_TRUE(check_document(d).empty());
  }
}

TEST(document_checks, the_fallback_route_is_one_that_can_be_taken) {
  {
    auto d = good();
    d.org.fallback_number.clear();
    d.assistants[0].tools.pop_back();
    d.assistants[0].tools.pop_back();  // no transfer tools
    EXPECT_EQ(only_problem(d), "assistants[0].settings.fallback: is transfer, but the organisation has no fallback_number");
  }
  {
    auto d = good();
    d.assistants[0].settings.mode = conversation_mode::gather;
    d.assistants[0].settings.fallback = fallback_route::gather;
    EXPECT_EQ(only_problem(d),
              "assistants[0].settings.fallback: is gather, the mode the assistant already runs in: use apology or transfer");
  }
}

// Allowed on purpose (docs/decisions/0005-document-checks.md): a gate in gather mode, gather
// settings kept while neither the mode nor the fallback uses them, a realtime assistant that
// falls back to gather.
TEST(document_checks, combinations_that_are_allowed) {
  auto d = good();
  auto& s = d.assistants[0].settings;
  s.mode = conversation_mode::gather;
  EXPECT_TRUE(check_document(d).empty()) << describe(check_document(d));
  s.mode = conversation_mode::realtime;
  s.fallback = fallback_route::apology;
  s.gather = gather_settings{"gpt-4.1-nano", "Polly.Joanna", 2};
  EXPECT_TRUE(check_document(d).empty()) << describe(check_document(d));
  s.fallback = fallback_route::gather;
  EXPECT_TRUE(check_document(d).empty()) << describe(check_document(d));
}

// The import (`voxgate org import`, PUT .../document) runs the checks and names every problem.
TEST(document_checks, the_import_refuses_a_document_with_each_problem_named) {
  json::value v = json::parse(good_document);
  v.at("organization").as_object().erase("fallback_number");
  auto d = document_from_json(v);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error_message(),
            "assistants[0].tools[6].action.transfer: is fallback, but the organisation has no fallback_number; "
            "assistants[0].settings.fallback: is transfer, but the organisation has no fallback_number");
}

// A write of one part is refused only for the problems it adds.
TEST(document_checks, problems_added_are_only_the_new_ones) {
  const auto before = good();
  auto after = before;
  after.org.fallback_number.clear();  // the organisation's PUT without its fallback number
  const auto added = problems_added(before, after);
  ASSERT_EQ(added.size(), 2u) << describe(added);
  EXPECT_EQ(added[0].path, "assistants[0].tools[6].action.transfer");
  EXPECT_EQ(added[1].path, "assistants[0].settings.fallback");

  // An organisation stored with a problem (an earlier version) may still change elsewhere.
  auto old = before;
  old.assistants[0].settings.gate->digits = "1";
  auto renamed = old;
  renamed.org.name = "Shop & Co";
  EXPECT_TRUE(problems_added(old, renamed).empty()) << describe(problems_added(old, renamed));
  // ... and fixing it adds nothing.
  EXPECT_TRUE(problems_added(old, before).empty());
}

TEST(document_checks, a_problem_that_moved_with_its_assistant_is_not_new) {
  auto before = good();
  assistant first;
  first.id = "first";
  first.name = "First";
  before.assistants.insert(before.assistants.begin(), first);
  before.assistants[1].settings.gate->digits = "1";  // Ava's old problem, at assistants[1]
  auto after = before;
  after.assistants.erase(after.assistants.begin());  // DELETE the first: Ava is now assistants[0]
  EXPECT_TRUE(problems_added(before, after).empty()) << describe(problems_added(before, after));
}

TEST(document_checks, deleting_what_another_assistant_relies_on_adds_a_problem) {
  auto before = good();
  assistant desk;
  desk.id = "desk";
  desk.name = "Desk";
  desk.tools.push_back({"find", "", json::object{{"type", "object"}}, look_up_record{"orders", "", std::nullopt}});
  assistant sales;
  sales.id = "sales";
  sales.name = "Sales";
  sales.tools.push_back({"order", "", json::object{{"type", "object"}}, save_record{"orders", ""}});
  before.assistants.push_back(desk);
  before.assistants.push_back(sales);
  ASSERT_TRUE(check_document(before).empty()) << describe(check_document(before));
  auto after = before;
  after.assistants.pop_back();  // DELETE sales
  const auto added = problems_added(before, after);
  ASSERT_EQ(added.size(), 1u) << describe(added);
  EXPECT_EQ(added[0].text(), "assistants[1].tools[0].action.lookup: no tool of the organisation saves to 'orders', so "
                             "there would never be a record to find (saved: bookings)");
}

}  // namespace
}  // namespace vg::agent
