// The scale-out store: PostgreSQL through libpq (DATABASE_URL=postgres://...), for several
// voxgate nodes sharing state. Not thread-safe: use it from one thread (the app's store
// thread). A dropped connection is reset once per failing call.
#pragma once
#include <string>

#include "ports/store.hpp"

struct pg_conn;

namespace vg::adapters {

class postgres_store final : public ports::store {
 public:
  // Connects to `url` (libpq URI). With `schema`, works inside that schema (created when
  // missing): the contract tests give each test its own. Throws std::runtime_error with
  // libpq's reason (the password is not repeated).
  explicit postgres_store(const std::string& url, const std::string& schema = {});
  ~postgres_store() override;
  postgres_store(const postgres_store&) = delete;
  postgres_store& operator=(const postgres_store&) = delete;

  void migrate() override;
  void upsert_call(const ports::call_row& row) override;
  void update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                     std::int64_t duration_s) override;
  void finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                   std::int64_t first_audio_ms) override;
  void add_turn(const ports::transcript_turn& turn) override;
  void add_event(const ports::call_event& event) override;
  std::optional<ports::call_row> find_call(const std::string& call_sid) override;
  std::vector<ports::transcript_turn> transcript(const std::string& call_sid) override;
  std::vector<ports::call_event> events(const std::string& call_sid) override;

  int schema_version();
  // Drops the schema given at construction (tests clean up with it).
  void drop_schema();

 private:
  class result;
  result run(const char* sql, std::initializer_list<std::string> params = {});
  void connect();
  ::pg_conn* conn_ = nullptr;
  std::string url_;
  std::string schema_;
};

}  // namespace vg::adapters
