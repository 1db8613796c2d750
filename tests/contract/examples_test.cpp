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

// The action vocabulary of the tool runner; template names must exist in the assistant.
TEST(examples, actions_and_settings_use_the_known_vocabulary) {
  const std::set<std::string> record_verbs = {"save", "update", "cancel"};
  const std::set<std::string> settings_keys = {"recording", "gate", "max_call_seconds", "extraction", "mode"};
  for (const auto& l : load_all()) {
    for (const auto& a : l.doc.assistants) {
      std::set<std::string> templates;
      for (const auto& [name, text] : a.templates) templates.insert(name);
      const auto where = l.name + ": " + a.id;
      for (const auto& t : a.tools) {
        const auto& act = t.action.as_object();
        const auto has_template = [&](std::string_view key) {
          const auto* v = act.if_contains(key);
          return v && v->is_string() && templates.count(std::string(v->get_string()));
        };
        std::set<std::string> keys;
        for (const auto& kv : act) keys.insert(std::string(kv.key()));
        const std::string verb = *keys.begin();
        if (keys.count("save") || keys.count("update") || keys.count("cancel")) {
          std::string v;
          for (const auto& k : keys) {
            if (record_verbs.count(k)) v = k;
          }
          EXPECT_TRUE(act.at(v).is_string()) << where << " " << t.name;
          for (const auto& k : keys) {
            EXPECT_TRUE(k == v || k == "then_sms") << where << " " << t.name << ": " << k;
          }
          if (keys.count("then_sms")) {
            EXPECT_TRUE(has_template("then_sms")) << where << " " << t.name;
          }
        } else if (keys.count("lookup")) {
          EXPECT_EQ(keys, (std::set<std::string>{"lookup", "by"})) << where << " " << t.name;
          // The field looked up by is one of the tool's parameters.
          EXPECT_TRUE(t.parameters.at("properties").as_object().contains(act.at("by").as_string()))
              << where << " " << t.name;
        } else if (keys == std::set<std::string>{"sms"}) {
          EXPECT_TRUE(has_template("sms")) << where << " " << t.name;
        } else if (keys == std::set<std::string>{"notify_owner"}) {
          EXPECT_TRUE(act.at("notify_owner").is_object()) << where << " " << t.name;
        } else if (keys == std::set<std::string>{"transfer"}) {
          EXPECT_EQ(act.at("transfer"), json::value("fallback")) << where << " " << t.name;
        } else if (keys == std::set<std::string>{"webhook"}) {
          EXPECT_TRUE(act.at("webhook").as_string().starts_with("https://")) << where << " " << t.name;
        } else if (keys == std::set<std::string>{"end_call"} || keys == std::set<std::string>{"press_digits"} ||
                   keys == std::set<std::string>{"conference_user"}) {
          EXPECT_EQ(act.at(verb), json::value(true)) << where << " " << t.name;
        } else {
          ADD_FAILURE() << where << " " << t.name << ": unknown action " << json::serialize(t.action);
        }
      }
      for (const auto& kv : a.settings) {
        EXPECT_TRUE(settings_keys.count(std::string(kv.key()))) << where << ": setting " << kv.key();
      }
      if (const auto* m = a.settings.if_contains("mode")) {
        EXPECT_TRUE(*m == json::value("realtime") || *m == json::value("gather")) << where;
      }
    }
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
        for (const char* verb : {"save", "update", "cancel"}) {
          if (const auto* c = t.action.as_object().if_contains(verb)) {
            auto p = params(t);
            collection_fields[std::string(c->as_string())].insert(p.begin(), p.end());
          }
        }
      }
      std::set<std::string> used;
      for (const auto& t : a.tools) {
        const auto& act = t.action.as_object();
        const json::value* name = act.if_contains("then_sms");
        if (name == nullptr) name = act.if_contains("sms");
        if (name == nullptr) continue;
        std::set<std::string> known = params(t);
        known.insert("ref");
        for (const char* verb : {"save", "update", "cancel"}) {
          if (const auto* c = act.if_contains(verb)) {
            const auto& f = collection_fields[std::string(c->as_string())];
            known.insert(f.begin(), f.end());
          }
        }
        used.insert(std::string(name->as_string()));
        for (const auto& [tname, text] : a.templates) {
          if (tname != name->as_string()) continue;
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
  EXPECT_EQ(demo.settings.at("gate"), json::parse(R"({"press_any_key": true})"));
  EXPECT_EQ(demo.settings.at("max_call_seconds"), json::value(60));
  EXPECT_EQ(demo.settings.at("recording"), json::parse(R"({"twilio": true, "own": true})"));
  EXPECT_GE(demo.languages.size(), 15u);
  EXPECT_TRUE(demo.settings.at("extraction").at("schema").at("properties").as_object().contains("order_items"));

  const auto& waitlist = docs.at("waitlist.yaml").assistants.at(0);
  const auto& save = waitlist.tools.at(0);
  EXPECT_EQ(save.action, json::parse(R"({"save": "waitlist"})"));
  EXPECT_EQ(save.parameters.at("required"), json::parse(R"(["full_name", "phone", "email", "role"])"));
  EXPECT_EQ(save.parameters.at("properties").at("phone").at("format"), json::value("e164"));
  EXPECT_EQ(save.parameters.at("properties").at("email").at("format"), json::value("email"));

  const auto& desk = docs.at("service-desk.yaml").assistants.at(0);
  EXPECT_EQ(desk.tools.at(0).action, json::parse(R"({"lookup": "customers", "by": "customer_number"})"));
  bool task = false;
  for (const auto& t : desk.tools) {
    if (t.name != "create_task_order") continue;
    task = true;
    EXPECT_EQ(t.parameters.at("properties").at("urgency").at("enum"),
              json::parse(R"(["low", "normal", "high", "emergency"])"));
  }
  EXPECT_TRUE(task);

  std::set<std::string> outbound;
  for (const auto& t : docs.at("outbound-caller.yaml").assistants.at(0).tools) outbound.insert(json::serialize(t.action));
  EXPECT_TRUE(outbound.count(R"({"press_digits":true})"));
  EXPECT_TRUE(outbound.count(R"({"conference_user":true})"));
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
