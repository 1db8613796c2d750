// The scale-out store: PostgreSQL through libpq (DATABASE_URL=postgres://...), for several
// voxgate nodes sharing state. Not thread-safe: use it from one thread (the app's store
// thread). A dropped connection is reset once per failing call.
#pragma once
#include <string>

#include "adapters/sql_store.hpp"

struct pg_conn;

namespace vg::adapters {

class postgres_store final : public sql_store {
 public:
  // Connects to `url` (libpq URI). With `schema`, works inside that schema (created when
  // missing): the contract tests give each test its own. Throws std::runtime_error with
  // libpq's reason (the password is not repeated).
  explicit postgres_store(const std::string& url, const std::string& schema = {});
  ~postgres_store() override;
  postgres_store(const postgres_store&) = delete;
  postgres_store& operator=(const postgres_store&) = delete;

  void migrate() override;
  int schema_version();
  // Drops the schema given at construction (tests clean up with it).
  void drop_schema();

 protected:
  sql_rows query(const char* sql, std::initializer_list<sql_param> params) override;
  std::int64_t changes() override;
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  std::string json_member_sql(const char* column, int param) const override;

 private:
  void run(const char* sql);
  void connect();
  ::pg_conn* conn_ = nullptr;
  std::string url_;
  std::string schema_;
  std::int64_t changes_ = 0;
  int in_transaction_ = 0;  // no silent reconnect inside a transaction: its work would be lost
};

}  // namespace vg::adapters
