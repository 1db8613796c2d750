// The store port's contract for calls, run against every implementation (store_fixture.hpp).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <cstdlib>
#include <functional>
#include <memory>

#include "store_fixture.hpp"

namespace vg {
namespace {
using testing::backend;
using testing::open_postgres;
using testing::store_contract;

ports::call_row call(const std::string& sid) {
  ports::call_row r;
  r.call_sid = sid;
  r.account_sid = "AC1";
  r.from = "+15551230001";
  r.to = "+15550009999";
  r.direction = "inbound";
  r.started_at_ms = 1000;
  return r;
}

TEST_P(store_contract, migrate_is_idempotent) {
  store->migrate();
  store->upsert_call(call("CA1"));
  store->migrate();
  EXPECT_TRUE(store->find_call("CA1").has_value());
}

TEST_P(store_contract, upsert_creates_then_fills_in_without_erasing) {
  store->upsert_call(call("CA1"));
  ports::call_row partial;
  partial.call_sid = "CA1";
  partial.direction = "outbound-api";
  store->upsert_call(partial);
  const auto row = store->find_call("CA1");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->from, "+15551230001");
  EXPECT_EQ(row->direction, "outbound-api");
  EXPECT_EQ(row->started_at_ms, 1000);
  EXPECT_FALSE(store->find_call("CA2").has_value());
}

TEST_P(store_contract, status_follows_the_highest_sequence_number) {
  store->update_status("CA9", "ringing", 0, 0, 100);  // a callback before the call row exists
  store->update_status("CA9", "completed", 2, 61, 300);
  store->update_status("CA9", "in-progress", 1, 0, 200);  // late, but it still says when the call was answered
  store->update_status("CA9", "in-progress", 1, 0, 250);  // Twilio's retry: the first answer time stays
  const auto row = store->find_call("CA9");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "completed");
  EXPECT_EQ(row->duration_s, 61);
  EXPECT_EQ(row->answered_at_ms, 200);
}

TEST_P(store_contract, finish_turns_and_events) {
  store->upsert_call(call("CA1"));
  store->add_turn({"CA1", "assistant", "Hello, how can I help?", 1100});
  store->add_turn({"CA1", "caller", "I'd like to book. \"Friday\", 9 o'clock; d\xc3\xa9j\xc3\xa0 vu", 1200});
  store->add_event({"CA1", "barge_in", "item_1", 640, 1150});
  store->add_event({"CA1", "dtmf", "5", 0, 1300});
  store->finish_call("CA1", "stream_stopped", 2000, 12);
  const auto turns = store->transcript("CA1");
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0].speaker, "assistant");
  EXPECT_EQ(turns[1].text, "I'd like to book. \"Friday\", 9 o'clock; d\xc3\xa9j\xc3\xa0 vu");
  const auto events = store->events("CA1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "barge_in");
  EXPECT_EQ(events[0].value, 640);
  EXPECT_EQ(events[1].detail, "5");
  const auto row = store->find_call("CA1");
  EXPECT_EQ(row->end_reason, "stream_stopped");
  EXPECT_EQ(row->ended_at_ms, 2000);
  EXPECT_EQ(row->first_audio_ms, 12);
  EXPECT_TRUE(store->transcript("CA-none").empty());
}

TEST_P(store_contract, a_turn_for_an_unknown_call_is_refused) {
  EXPECT_THROW(store->add_turn({"CA-missing", "caller", "hi", 1}), std::runtime_error);
}

std::string temp_db() {
  static int n = 0;
  const auto p = std::filesystem::temp_directory_path() /
                 ("voxgate-store-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".db");
  std::filesystem::remove(p);
  return p.string();
}

INSTANTIATE_TEST_SUITE_P(
    backends, store_contract,
    ::testing::Values(backend{"sqlite_memory", [] { return std::make_unique<adapters::sqlite_store>(":memory:"); }},
                      backend{"sqlite_file", [] { return std::make_unique<adapters::sqlite_store>(temp_db()); }},
                      backend{"postgres", [] { return open_postgres(); }}),
    [](const auto& info) { return info.param.name; });

TEST(sqlite_store, data_survives_a_restart_and_the_schema_is_versioned) {
  const std::string path = temp_db();
  {
    adapters::sqlite_store s(path);
    s.migrate();
    EXPECT_EQ(s.schema_version(), 10);
    s.upsert_call(call("CA1"));
    s.add_turn({"CA1", "caller", "still here", 5});
  }
  adapters::sqlite_store again(path);
  again.migrate();
  EXPECT_EQ(again.transcript("CA1").size(), 1u);
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

// Runs `sql` on the SQLite database at `path` directly, as an older voxgate would have left it.
void downgrade(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  const std::string why = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << why;
}

// A database from before 0008 (recordings without `origin`): the upgrade adds the column,
// marks voxgate's own recordings as such and leaves Twilio's unknown ('').
TEST(sqlite_store, the_recording_origin_migration_upgrades_an_older_database) {
  const std::string path = temp_db();
  {
    adapters::sqlite_store s(path);
    s.migrate();
    s.upsert_call(call("CA1"));
    s.claim_recording({"RE1", "CA1", "twilio", "stored", "k1", "audio/x-wav", 10, 1, 2, "", 100, 100, "DialVerb"});
    s.claim_recording({"VGCA1", "CA1", "voxgate", "stored", "k2", "audio/wav", 10, 1, 2, "", 150, 150, "voxgate"});
  }
  // Back to schema 7, as an older voxgate left it.
  ASSERT_NO_FATAL_FAILURE(downgrade(path, "ALTER TABLE calls DROP COLUMN extraction_model; ALTER TABLE calls DROP COLUMN extraction_usage; "
                                          "ALTER TABLE recordings DROP COLUMN origin; DROP TABLE gather_conversations; PRAGMA user_version=7;"));
  adapters::sqlite_store again(path);
  EXPECT_EQ(again.schema_version(), 7);
  again.migrate();
  EXPECT_EQ(again.schema_version(), 10);
  const auto rows = again.recordings_of_call("CA1");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, "RE1");
  EXPECT_EQ(rows[0].origin, "");  // Twilio did say, but it was not kept then
  EXPECT_EQ(rows[0].blob_key, "k1");
  EXPECT_EQ(rows[1].origin, "voxgate");
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

// A database from before 0009 (calls without the extraction's model and usage): the upgrade
// adds them empty (what an older extraction cost was not kept) and keeps the rest of the row.
TEST(sqlite_store, the_extraction_usage_migration_upgrades_an_older_database) {
  const std::string path = temp_db();
  {
    adapters::sqlite_store s(path);
    s.migrate();
    s.upsert_call(call("CA1"));
    s.set_call_usage("CA1", "gpt-realtime", R"({"responses":1})");
    s.set_extraction("CA1", "done", R"({"summary":"Two pizzas"})", "");
  }
  ASSERT_NO_FATAL_FAILURE(downgrade(path, "ALTER TABLE calls DROP COLUMN extraction_model; ALTER TABLE calls DROP COLUMN extraction_usage; "
                                          "DROP TABLE gather_conversations; PRAGMA user_version=8;"));
  adapters::sqlite_store again(path);
  EXPECT_EQ(again.schema_version(), 8);
  again.migrate();
  EXPECT_EQ(again.schema_version(), 10);
  const auto row = again.find_call("CA1");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->extraction, R"({"summary":"Two pizzas"})");
  EXPECT_EQ(row->usage, R"({"responses":1})");
  EXPECT_EQ(row->extraction_model, "");
  EXPECT_EQ(row->extraction_usage, "");
  again.set_extraction_usage("CA1", "gpt-4o-mini", R"({"responses":1})");
  EXPECT_EQ(again.find_call("CA1")->extraction_model, "gpt-4o-mini");
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

TEST(postgres_store, an_unreachable_server_is_a_clear_error_without_the_password) {
  try {
    adapters::postgres_store s("postgresql://voxgate:s3cret@127.0.0.1:1/none?connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to PostgreSQL"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

TEST(sqlite_store, an_unusable_path_is_a_clear_error) {
  try {
    adapters::sqlite_store s("/nonexistent-dir/x/voxgate.db");
    FAIL() << "opened an impossible path";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/voxgate.db"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vg
