// The shipped examples/*.yaml (the five seed deployments): each imports cleanly through the same
// path as `voxgate org import` (yaml_to_json -> document_from_json), they do not collide with
// each other (organisation ids, phone numbers), their tools use the action vocabulary and name
// templates that exist, and they survive JSON -> YAML -> JSON unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "adapters/yaml_json.hpp"
#include "core/agent/org_config_json.hpp"

#ifndef VG_EXAMPLES_DIR
#error "VG_EXAMPLES_DIR must name the examples/ directory"
#endif

namespace vg {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

struct example {
  std::string name;  // "receptionist.yaml"
  std::string text;
};

std::vector<example> examples() {
  std::vector<example> out;
  for (const auto& entry : fs::directory_iterator(VG_EXAMPLES_DIR)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back({entry.path().filename().string(), text.str()});
  }
  std::sort(out.begin(), out.end(), [](const example& a, const example& b) { return a.name < b.name; });
  return out;
}

struct loaded {
  std::string name;
  json::value json;
  agent::org_document doc;
};

std::vector<loaded> load_all() {
  std::vector<loaded> out;
  for (const auto& e : examples()) {
    auto j = adapters::yaml_to_json(e.text);
    EXPECT_TRUE(j.ok()) << e.name << ": " << (j.ok() ? "" : j.error_message());
    if (!j) continue;
    auto d = agent::document_from_json(*j);
    EXPECT_TRUE(d.ok()) << e.name << ": " << (d.ok() ? "" : d.error_message());
    if (!d) continue;
    out.push_back({e.name, std::move(*j), std::move(*d)});
  }
  return out;
}

TEST(examples, there_are_five_and_each_imports) {
  const auto files = examples();
  std::vector<std::string> names;
  for (const auto& e : files) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"demo-line.yaml", "outbound-caller.yaml", "receptionist.yaml",
                                             "service-desk.yaml", "waitlist.yaml"}));
  EXPECT_EQ(load_all().size(), 5u);
}

TEST(examples, each_starts_with_comments_saying_how_to_load_it) {
  for (const auto& e : examples()) {
    EXPECT_EQ(e.text.rfind("# ", 0), 0u) << e.name;
    EXPECT_NE(e.text.find("voxgate org import examples/" + e.name), std::string::npos) << e.name;
  }
}

TEST(examples, each_has_assistants_with_tools) {
  for (const auto& l : load_all()) {
    ASSERT_FALSE(l.doc.assistants.empty()) << l.name;
    EXPECT_FALSE(l.doc.org.numbers.empty()) << l.name;
    EXPECT_FALSE(l.doc.org.owner.phone.empty()) << l.name;
    EXPECT_FALSE(l.doc.org.fallback_number.empty()) << l.name;
    for (const auto& a : l.doc.assistants) {
      EXPECT_FALSE(a.tools.empty()) << l.name << ": " << a.id;
      EXPECT_FALSE(a.instructions.empty()) << l.name << ": " << a.id;
      EXPECT_FALSE(a.languages.empty()) << l.name << ": " << a.id;
    }
  }
}

TEST(examples, the_receptionist_keeps_sonorias_org_id) {
  for (const auto& l : load_all()) {
    if (l.name == "receptionist.yaml") {
      EXPECT_EQ(l.doc.org.id, "1");
      std::set<std::string> tools;
      for (const auto& t : l.doc.assistants.at(0).tools) tools.insert(t.name);
      for (const char* want : {"book_service", "update_booking", "cancel_booking", "notify_owner", "transfer_call"}) {
        EXPECT_TRUE(tools.count(want)) << want;
      }
    }
  }
}

TEST(examples, ids_and_phone_numbers_are_unique_across_files) {
  std::map<std::string, std::string> ids, phones;  // value -> file
  for (const auto& l : load_all()) {
    EXPECT_TRUE(ids.emplace(l.doc.org.id, l.name).second)
        << "organization id '" << l.doc.org.id << "' in " << l.name << " and " << ids[l.doc.org.id];
    std::vector<std::string> all = l.doc.org.numbers;
    all.push_back(l.doc.org.fallback_number);
    all.push_back(l.doc.org.owner.phone);
    for (const auto& n : all) {
      EXPECT_TRUE(agent::is_e164(n)) << n;
      EXPECT_EQ(n.rfind("+1555010", 0), 0u) << n << " in " << l.name << ": use the +1555010xxxx range";
      EXPECT_TRUE(phones.emplace(n, l.name).second) << n << " in " << l.name << " and " << phones[n];
    }
  }
  EXPECT_EQ(ids.size(), 5u);
}

// The import refuses unknown action kinds and fields and checks template names (org_config
// tests); here, what the seeds need on top: a record action saves into a named collection, a
// lookup's `by` is a parameter, transfers go to the organisation's fallback, webhooks are HTTPS.
TEST(examples, actions_and_settings_use_the_known_vocabulary) {
  for (const auto& l : load_all()) {
    for (const auto& a : l.doc.assistants) {
      const auto where = l.name + ": " + a.id;
      for (const auto& t : a.tools) {
        if (const auto* lookup = std::get_if<agent::look_up_record>(&t.action)) {
          EXPECT_TRUE(t.parameters.at("properties").as_object().contains(lookup->by)) << where << " " << t.name;
        } else if (const auto* transfer = std::get_if<agent::transfer_call>(&t.action)) {
          EXPECT_TRUE(transfer->to_fallback()) << where << " " << t.name;
        } else if (const auto* hook = std::get_if<agent::post_webhook>(&t.action)) {
          EXPECT_TRUE(hook->url.starts_with("https://")) << where << " " << t.name;
        }
      }
      EXPECT_TRUE(a.settings.mode.has_value()) << where << ": each seed says how it converses";
    }
  }
}

// The collection a record action names, or "" for other kinds.
std::string collection_of(const agent::tool_action& action) {
  if (const auto* x = std::get_if<agent::save_record>(&action)) return x->collection;
  if (const auto* x = std::get_if<agent::update_record>(&action)) return x->collection;
  if (const auto* x = std::get_if<agent::cancel_record>(&action)) return x->collection;
  return {};
}

// The template a tool's action sends, or "".
std::string template_of(const agent::tool_action& action) {
  if (const auto* x = std::get_if<agent::save_record>(&action)) return x->then_sms;
  if (const auto* x = std::get_if<agent::update_record>(&action)) return x->then_sms;
  if (const auto* x = std::get_if<agent::cancel_record>(&action)) return x->then_sms;
  if (const auto* x = std::get_if<agent::send_sms>(&action)) return x->template_name;
  return {};
}

// What `voxgate org import` says for a typo in a file: the action's or setting's path.
TEST(examples, a_typo_in_an_examples_action_or_setting_is_refused_with_its_path) {
  for (const auto& e : examples()) {
    if (e.name != "receptionist.yaml") continue;
    const auto refused = [&](const std::string& from, const std::string& to) {
      std::string text = e.text;
      const auto at = text.find(from);
      if (at == std::string::npos) return "'" + from + "' is not in " + e.name;
      text.replace(at, from.size(), to);
      auto j = adapters::yaml_to_json(text);
      if (!j) return j.error_message();
      auto d = agent::document_from_json(*j);
      return d.ok() ? std::string("(accepted)") : d.error_message();
    };
    EXPECT_EQ(refused("{ save: bookings, then_sms: booking_confirmed }", "{ save: bookings, then_smss: booking_confirmed }"),
              "assistants[0].tools[0].action.then_smss: is not a known field of the save action (it takes then_sms)");
    EXPECT_EQ(refused("{ save: bookings, then_sms: booking_confirmed }", "{ sav: bookings, then_sms: booking_confirmed }"),
              "assistants[0].tools[0].action.sav: is not a known action (save, update, cancel, lookup, sms, notify_owner, "
              "transfer, end_call, webhook, press_digits, conference_user)");
    EXPECT_EQ(refused("recording: { twilio: true, own: false }", "recording: { twilio: true, ownn: false }"),
              "assistants[0].settings.recording.ownn: is not a known field");
    EXPECT_EQ(refused("max_call_seconds: 900", "max_call_seconds: -900"),
              "assistants[0].settings.max_call_seconds: must be a number above 0 and at most 86400");
    EXPECT_EQ(refused("mode: realtime", "mode: relatime"), "assistants[0].settings.mode: must be realtime or gather");
    // What one part names in another (core/agent/document_checks.hpp).
    EXPECT_EQ(refused("{ update: bookings, then_sms: booking_updated }", "{ update: booking, then_sms: booking_updated }"),
              "assistants[0].tools[1].action.update: no tool of the organisation saves to 'booking', so there would "
              "never be a record to update (saved: bookings)");
    EXPECT_EQ(refused("fallback_number: \"+15550100102\"", "fallback_number: \"\""),
              "assistants[0].tools[4].action.transfer: is fallback, but the organisation has no fallback_number");
    EXPECT_EQ(refused("webhook_url: https://lumenhair.example/hooks/voxgate", "# no webhook_url"),
              "assistants[0].tools[3].action.notify_owner: posts to the organisation's webhook_url, but it has none");
  }
}

// The demo line's gate is one of the two forms (any key); both at once is refused.
TEST(examples, the_demo_lines_gate_is_any_key_or_digits_not_both) {
  for (const auto& e : examples()) {
    if (e.name != "demo-line.yaml") continue;
    std::string text = e.text;
    const std::string gate = "gate: { press_any_key: true }";
    ASSERT_NE(text.find(gate), std::string::npos);
    text.replace(text.find(gate), gate.size(), "gate: { press_any_key: true, digits: \"1\" }");
    auto d = agent::document_from_json(*adapters::yaml_to_json(text));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error_message(),
              "assistants[0].settings.gate: has both press_any_key and digits: pick one (any key, or exactly those digits)");
  }
}

// "{name}" -> "name", for each placeholder of a template.
std::set<std::string> placeholders(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string::npos) break;
    out.insert(text.substr(open + 1, close - open - 1));
  }
  return out;
}

// A template's placeholders come from the tool's arguments, the record it acts on (fields other
// tools save into the same collection) or the record's generated reference {ref}.
TEST(examples, template_placeholders_are_fields_the_tools_provide) {
  for (const auto& l : load_all()) {
    for (const auto& a : l.doc.assistants) {
      std::map<std::string, std::set<std::string>> collection_fields;
      const auto params = [](const agent::tool_def& t) {
        std::set<std::string> out;
        for (const auto& kv : t.parameters.at("properties").as_object()) out.insert(std::string(kv.key()));
        return out;
      };
      for (const auto& t : a.tools) {
        if (const auto c = collection_of(t.action); !c.empty()) {
          auto p = params(t);
          collection_fields[c].insert(p.begin(), p.end());
        }
      }
      std::set<std::string> used;
      for (const auto& t : a.tools) {
        const std::string name = template_of(t.action);
        if (name.empty()) continue;
        std::set<std::string> known = params(t);
        known.insert("ref");
        if (const auto c = collection_of(t.action); !c.empty()) {
          const auto& f = collection_fields[c];
          known.insert(f.begin(), f.end());
        }
        used.insert(name);
        for (const auto& [tname, text] : a.templates) {
          if (tname != name) continue;
          for (const auto& p : placeholders(text)) {
            EXPECT_TRUE(known.count(p)) << l.name << ": template " << tname << " uses {" << p << "}, which "
                                        << t.name << " does not provide";
          }
        }
      }
      for (const auto& [tname, text] : a.templates) {
        EXPECT_TRUE(used.count(tname)) << l.name << ": template " << tname << " is sent by no tool";
      }
    }
  }
}

TEST(examples, the_seed_specific_settings_are_there) {
  std::map<std::string, agent::org_document> docs;
  for (auto& l : load_all()) docs.emplace(l.name, std::move(l.doc));
  ASSERT_EQ(docs.size(), 5u);
  const auto& demo = docs.at("demo-line.yaml").assistants.at(0);
  ASSERT_TRUE(demo.settings.gate);
  EXPECT_EQ(demo.settings.gate->press_any_key, true);
  EXPECT_EQ(demo.settings.max_call_seconds, 60.0);
  EXPECT_EQ(demo.settings.mode, agent::conversation_mode::realtime);
  EXPECT_TRUE(demo.settings.records_twilio());
  EXPECT_TRUE(demo.settings.records_own());
  EXPECT_GE(demo.languages.size(), 15u);
  ASSERT_TRUE(demo.settings.extraction);
  EXPECT_TRUE(demo.settings.extraction->schema.at("properties").as_object().contains("order_items"));

  const auto& waitlist = docs.at("waitlist.yaml").assistants.at(0);
  const auto& save = waitlist.tools.at(0);
  EXPECT_EQ(save.action, agent::tool_action(agent::save_record{"waitlist", ""}));
  EXPECT_EQ(waitlist.settings.mode, agent::conversation_mode::gather);
  EXPECT_EQ(save.parameters.at("required"), json::parse(R"(["full_name", "phone", "email", "role"])"));
  EXPECT_EQ(save.parameters.at("properties").at("phone").at("format"), json::value("e164"));
  EXPECT_EQ(save.parameters.at("properties").at("email").at("format"), json::value("email"));

  const auto& desk = docs.at("service-desk.yaml").assistants.at(0);
  EXPECT_EQ(desk.settings.mode, agent::conversation_mode::gather);
  EXPECT_TRUE(desk.settings.records_twilio());
  EXPECT_FALSE(desk.settings.records_own()) << "gather mode has no media stream to record";
  EXPECT_EQ(desk.tools.at(0).action, agent::tool_action(agent::look_up_record{"customers", "customer_number", std::nullopt}));
  bool task = false;
  for (const auto& t : desk.tools) {
    if (t.name != "create_task_order") continue;
    task = true;
    EXPECT_EQ(t.parameters.at("properties").at("urgency").at("enum"),
              json::parse(R"(["low", "normal", "high", "emergency"])"));
  }
  EXPECT_TRUE(task);

  std::set<std::string_view> outbound;
  for (const auto& t : docs.at("outbound-caller.yaml").assistants.at(0).tools) outbound.insert(agent::action_kind(t.action));
  EXPECT_TRUE(outbound.count("press_digits"));
  EXPECT_TRUE(outbound.count("conference_user"));
}

// What the store keeps and GET returns is what the file says: typed actions and settings
// write back exactly the JSON they were read from.
TEST(examples, the_typed_document_writes_back_the_actions_and_settings_as_written) {
  for (const auto& l : load_all()) {
    const auto& assistants = l.json.at("assistants").as_array();
    ASSERT_EQ(assistants.size(), l.doc.assistants.size()) << l.name;
    for (std::size_t i = 0; i < assistants.size(); ++i) {
      const json::object written = agent::to_json(l.doc.assistants[i]);
      const auto& as_written = assistants[i].as_object();
      ASSERT_EQ(written.at("tools").as_array().size(), as_written.at("tools").as_array().size()) << l.name;
      for (std::size_t t = 0; t < written.at("tools").as_array().size(); ++t) {
        EXPECT_EQ(written.at("tools").at(t).at("action"), as_written.at("tools").at(t).at("action")) << l.name << " tool " << t;
      }
      EXPECT_EQ(written.at("settings"), as_written.at("settings")) << l.name;
    }
  }
}

TEST(examples, json_to_yaml_round_trips_each_exactly) {
  for (const auto& l : load_all()) {
    const std::string yaml = adapters::json_to_yaml(l.json);
    auto back = adapters::yaml_to_json(yaml);
    ASSERT_TRUE(back.ok()) << l.name << ": " << back.error_message() << "\n" << yaml;
    EXPECT_EQ(*back, l.json) << l.name << "\n" << yaml;
    // What the store would export (the normalised document) round-trips too.
    const json::value normal = agent::to_json(l.doc);
    auto again = adapters::yaml_to_json(adapters::json_to_yaml(normal));
    ASSERT_TRUE(again.ok()) << l.name << ": " << again.error_message();
    EXPECT_EQ(*again, normal) << l.name;
    auto doc = agent::document_from_json(*again);
    ASSERT_TRUE(doc.ok()) << l.name << ": " << doc.error_message();
    EXPECT_EQ(*doc, l.doc) << l.name;
  }
}

}  // namespace
}  // namespace vg
