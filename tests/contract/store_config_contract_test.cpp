// The store contract for organisations, assistants, numbers, API tokens and call listing.
#include "store_fixture.hpp"

namespace vg {
namespace {
using testing::store_contract;

ports::org_record org(const std::string& id, std::vector<std::string> numbers) {
  return {id, "Org " + id, R"({"id":")" + id + R"(","name":"Org )" + id + "\"}", std::move(numbers)};
}

TEST_P(store_contract, organisations_with_numbers_are_saved_replaced_and_deleted) {
  const auto v0 = store->config_version();
  store->save_org(org("dental", {"+15125550199", "+15125550198"}));
  EXPECT_GT(store->config_version(), v0);
  auto found = store->find_org("dental");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "Org dental");
  EXPECT_EQ(found->numbers, (std::vector<std::string>{"+15125550198", "+15125550199"}));
  // Replacing keeps one row and swaps the numbers.
  auto changed = org("dental", {"+15125550197"});
  changed.name = "Bright Smile";
  store->save_org(changed);
  ASSERT_EQ(store->list_orgs().size(), 1u);
  EXPECT_EQ(store->find_org("dental")->numbers, std::vector<std::string>{"+15125550197"});
  EXPECT_EQ(store->find_org("dental")->name, "Bright Smile");
  EXPECT_TRUE(store->delete_org("dental"));
  EXPECT_FALSE(store->delete_org("dental"));
  EXPECT_FALSE(store->find_org("dental").has_value());
}

TEST_P(store_contract, a_number_belongs_to_one_organisation_and_a_refused_write_changes_nothing) {
  store->save_org(org("a", {"+15125550199"}));
  store->save_org(org("b", {"+15125550100"}));
  const auto v = store->config_version();
  auto steal = org("b", {"+15125550101", "+15125550199"});
  steal.name = "changed";
  EXPECT_THROW(store->save_org(steal), ports::store_conflict);
  // Nothing half-written: b keeps its name and number, the version did not move.
  EXPECT_EQ(store->find_org("b")->name, "Org b");
  EXPECT_EQ(store->find_org("b")->numbers, std::vector<std::string>{"+15125550100"});
  EXPECT_EQ(store->config_version(), v);
}

TEST_P(store_contract, assistants_keep_creation_order_and_a_document_replaces_them) {
  store->save_org(org("o", {}));
  store->save_assistant({"o", "ava", R"({"name":"Ava"})"});
  store->save_assistant({"o", "bo", R"({"name":"Bo"})"});
  store->save_assistant({"o", "ava", R"({"name":"Ava 2"})"});  // an update keeps its place
  auto list = store->list_assistants("o");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "ava");
  EXPECT_EQ(list[0].doc, R"({"name":"Ava 2"})");
  EXPECT_EQ(list[1].id, "bo");
  store->save_org_document(org("o", {"+15125550111"}), {{"o", "bo", "{}"}, {"o", "cy", "{}"}});
  list = store->list_assistants("o");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "bo");
  EXPECT_EQ(list[1].id, "cy");
  EXPECT_TRUE(store->delete_assistant("o", "bo"));
  EXPECT_FALSE(store->delete_assistant("o", "bo"));
  EXPECT_THROW(store->save_assistant({"nobody", "x", "{}"}), ports::store_conflict);  // no such organisation
  store->delete_org("o");
  EXPECT_TRUE(store->list_assistants("o").empty());
  EXPECT_TRUE(store->list_assistants("").empty());
}

TEST_P(store_contract, a_failed_document_import_is_rolled_back) {
  store->save_org(org("taken", {"+15125550199"}));
  EXPECT_THROW(store->save_org_document(org("new", {"+15125550199"}), {{"new", "ava", "{}"}}), ports::store_conflict);
  EXPECT_FALSE(store->find_org("new").has_value());
  EXPECT_TRUE(store->list_assistants("new").empty());
}

TEST_P(store_contract, tokens_are_found_by_hash_only) {
  store->save_org(org("o", {}));
  store->add_token({"tok_1", "hash-one", "", "admin", 10});
  store->add_token({"tok_2", "hash-two", "o", "front desk", 20});
  EXPECT_EQ(store->find_token_by_hash("hash-two")->org_id, "o");
  EXPECT_EQ(store->find_token_by_hash("hash-one")->name, "admin");
  EXPECT_FALSE(store->find_token_by_hash("tok_1").has_value());
  EXPECT_EQ(store->list_tokens().size(), 2u);
  EXPECT_THROW(store->add_token({"tok_3", "hash-one", "", "dup", 30}), ports::store_conflict);
  store->delete_org("o");  // an organisation's tokens go with it
  EXPECT_FALSE(store->find_token_by_hash("hash-two").has_value());
  EXPECT_TRUE(store->delete_token("tok_1"));
  EXPECT_TRUE(store->list_tokens().empty());
}

TEST_P(store_contract, calls_are_listed_newest_first_with_filters_and_pages) {
  for (int i = 0; i < 7; ++i) {
    ports::call_row r;
    r.call_sid = "CA" + std::to_string(i);
    r.org_id = i % 2 == 0 ? "even" : "odd";
    r.from = "+1555000000" + std::to_string(i);
    r.to = "+15559999999";
    r.direction = "inbound";
    r.started_at_ms = 1'700'000'000'000 + (i / 2) * 1000;  // pairs share a start time: ties by SID
    store->upsert_call(r);
  }
  store->finish_call("CA6", "stream_stopped", 1'800'000'000'000, 5);
  store->update_status("CA5", "completed", 3, 30, 1'700'000'010'000);
  ports::call_filter f;
  auto all = store->list_calls(f);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0].call_sid, "CA6");
  EXPECT_EQ(all[1].call_sid, "CA5");
  EXPECT_EQ(all[2].call_sid, "CA4");
  EXPECT_EQ(all[6].call_sid, "CA0");
  f.limit = 3;
  auto page1 = store->list_calls(f);
  f.before_started_ms = page1.back().started_at_ms;
  f.before_sid = page1.back().call_sid;
  auto page2 = store->list_calls(f);
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_EQ(page2[0].call_sid, "CA3");
  EXPECT_EQ(page2[2].call_sid, "CA1");
  ports::call_filter by_org;
  by_org.org_id = "odd";
  EXPECT_EQ(store->list_calls(by_org).size(), 3u);
  ports::call_filter by_number;
  by_number.number = "+15550000003";
  ASSERT_EQ(store->list_calls(by_number).size(), 1u);
  ports::call_filter by_status;
  by_status.status = "completed";
  EXPECT_EQ(store->list_calls(by_status).at(0).call_sid, "CA5");
  ports::call_filter active;
  active.active_only = true;
  EXPECT_EQ(store->list_calls(active).size(), 6u);
  ports::call_filter window;
  window.since_ms = 1'700'000'001'000;
  window.until_ms = 1'700'000'003'000;
  EXPECT_EQ(store->list_calls(window).size(), 4u);  // CA2..CA5
  EXPECT_EQ(store->find_call("CA3")->org_id, "odd");
}

}  // namespace
}  // namespace vg
