// The embedded store: one SQLite file in WAL mode (DATABASE_URL=sqlite:PATH, the default).
// Not thread-safe: use it from one thread (the app's store thread).
#pragma once
#include <string>

#include "adapters/sql_store.hpp"

struct sqlite3;

namespace vg::adapters {

class sqlite_store final : public sql_store {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for tests). Throws
  // std::runtime_error naming the file and SQLite's reason.
  explicit sqlite_store(const std::string& path);
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  void migrate() override;
  int schema_version();

 protected:
  sql_rows query(const char* sql, std::initializer_list<sql_param> params) override;
  std::int64_t changes() override;
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  std::string json_member_sql(const char* column, int param) const override;

 private:
  void exec(const char* sql);
  ::sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace vg::adapters
