// A stored organisation that no longer passes the document checks (stored by an earlier version,
// or before a rule was added; docs/decisions/0005-document-checks.md): the directory still serves
// it, keeps each problem with its path, logs each once (at start-up, not again on every reload),
// and `voxgate org list` shows them. An unreadable assistant is not served, and is reported too.
// The store is SQLite in a temporary file, written row by row as an earlier version would have.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "adapters/sqlite_store.hpp"
#include "adapters/yaml_json.hpp"
#include "adapters/zone_lookup.hpp"
#include "app/admin_commands.hpp"
#include "app/orgs/directory.hpp"

namespace vg::app {
namespace {

// An organisation without a fallback number whose assistant transfers to `fallback` and has a
// gate that asks for any key and for 1: two problems, neither of which stops it answering.
const ports::org_record shop{"shop", "Shop", R"({"id":"shop","name":"Shop","timezone":"UTC","numbers":[]})",
                             {"+15125550199"}};
const ports::assistant_record ava{"shop", "ava", R"({"id":"ava","name":"Ava",
    "tools":[{"name":"human","parameters":{"type":"object","properties":{}},"action":{"transfer":"fallback"}}],
    "settings":{"gate":{"press_any_key":true,"digits":"1"}}})"};
const ports::assistant_record broken{"shop", "bo", R"({"id":"bo","name":"Bo","tools":[{"name":"x","action":{"sav":"y"}}]})"};

class org_problems_test : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("org_problems_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto s = open();
    s->save_org(shop);
    s->save_assistant(ava);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::unique_ptr<ports::store> open() {
    auto s = std::make_unique<adapters::sqlite_store>(path_);
    s->migrate();
    return s;
  }

  std::string path_;
  adapters::zone_lookup zones;
  adapters::yaml_codec yaml;
};

TEST_F(org_problems_test, the_directory_serves_it_and_keeps_each_problem_with_its_path) {
  auto store = open();
  directory dir{zones};
  ::testing::internal::CaptureStderr();
  dir.reload(*store);
  const std::string first_log = ::testing::internal::GetCapturedStderr();

  const auto snap = dir.current();
  // Still served: a call to its number finds the organisation and its assistant.
  const org_entry* entry = dir.route(*snap, "", "+15125550199");
  ASSERT_NE(entry, nullptr);
  ASSERT_EQ(entry->assistants.size(), 1u);
  EXPECT_EQ(entry->assistants[0].id, "ava");
  ASSERT_EQ(snap->problems.count("shop"), 1u);
  EXPECT_EQ(snap->problems.at("shop"),
            (std::vector<std::string>{
                "assistants[0].tools[0].action.transfer: is fallback, but the organisation has no fallback_number",
                "assistants[0].settings.gate: has both press_any_key and digits: pick one (any key, or exactly those "
                "digits)"}));

  // One warning per problem, with its path.
  EXPECT_NE(first_log.find("WARN"), std::string::npos) << first_log;
  EXPECT_NE(first_log.find("organisation 'shop' does not pass a check (it still answers calls; correct it and PUT or "
                           "import the document again): assistants[0].tools[0].action.transfer: is fallback"),
            std::string::npos)
      << first_log;
  EXPECT_NE(first_log.find("assistants[0].settings.gate: has both press_any_key and digits"), std::string::npos)
      << first_log;

  // A reload (after any write) does not say it again.
  ::testing::internal::CaptureStderr();
  dir.reload(*store);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(dir.current()->problems.at("shop").size(), 2u);
}

TEST_F(org_problems_test, an_unreadable_assistant_is_not_served_and_is_reported) {
  auto store = open();
  store->save_assistant(broken);
  directory dir{zones};
  ::testing::internal::CaptureStderr();
  dir.reload(*store);
  const std::string log = ::testing::internal::GetCapturedStderr();
  const auto snap = dir.current();
  ASSERT_NE(snap->find("shop"), nullptr);
  EXPECT_EQ(snap->find("shop")->assistants.size(), 1u);  // ava only
  const auto& problems = snap->problems.at("shop");
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "assistant 'bo' is unreadable, not served: tools[0].action.sav: is not a known action (save, "
                         "update, cancel, lookup, sms, notify_owner, transfer, end_call, webhook, press_digits, "
                         "conference_user)");
  EXPECT_NE(log.find("ERROR"), std::string::npos) << log;
  EXPECT_NE(log.find("assistant 'shop/bo' in the store is unreadable, skipped: tools[0].action.sav"), std::string::npos)
      << log;
}

TEST_F(org_problems_test, org_list_shows_which_organisations_pass_and_each_problem) {
  {
    auto s = open();
    s->save_org({"calm", "Calm", R"({"id":"calm","name":"Calm","timezone":"UTC"})", {}});
  }
  const admin_ports deps{[this] { return open(); }, zones, yaml};
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int rc = org_command(deps, {"list"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out,
            "calm\tCalm\t-\tok\n"
            "shop\tShop\t+15125550199\t2 problems\n"
            "  assistants[0].tools[0].action.transfer: is fallback, but the organisation has no fallback_number\n"
            "  assistants[0].settings.gate: has both press_any_key and digits: pick one (any key, or exactly those "
            "digits)\n");
  EXPECT_EQ(err, "");  // printed once, on stdout, not logged as well
}

}  // namespace
}  // namespace vg::app
