#include "adapters/sqlite_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace vg::adapters {
namespace {

// Migrations, in order; the schema version is SQLite's user_version. The SQL lives in
// src/adapters/sql/ (written once for both engines) and is embedded at build time (embed_sql.cmake).
const char* const migrations[] = {
#include "adapters/sql/sqlite/0001_calls.sql.inc"
#include "adapters/sql/sqlite/0002_orgs.sql.inc"
#include "adapters/sql/sqlite/0003_tools.sql.inc"
#include "adapters/sql/sqlite/0004_usage.sql.inc"
#include "adapters/sql/sqlite/0005_recordings.sql.inc"
#include "adapters/sql/sqlite/0006_extraction.sql.inc"
#include "adapters/sql/sqlite/0007_answered.sql.inc"
#include "adapters/sql/sqlite/0008_recording_origin.sql.inc"
#include "adapters/sql/sqlite/0009_extraction_usage.sql.inc"
#include "adapters/sql/sqlite/0010_gather.sql.inc"
};

// sql_store writes PostgreSQL's $1; SQLite's numbered form is ?1 (same numbers, same meaning).
std::string numbered_parameters(const char* sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';  // not '$.' in a JSON path
  }
  return out;
}

}  // namespace

sqlite_store::sqlite_store(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");  // WAL + NORMAL: durable across process crashes
  exec("PRAGMA foreign_keys=ON");
}

sqlite_store::~sqlite_store() { sqlite3_close(db_); }

void sqlite_store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw std::runtime_error("database " + path_ + ": " + why);
  }
}

sql_rows sqlite_store::query(const char* sql, std::initializer_list<sql_param> params) {
  const std::string text = numbered_parameters(sql);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("SQLite: cannot prepare statement: ") + sqlite3_errmsg(db_));
  }
  int i = 1;
  for (const auto& p : params) {
    if (const auto* n = std::get_if<std::int64_t>(&p)) sqlite3_bind_int64(stmt, i, *n);
    else {
      const auto& s = std::get<std::string>(p);
      sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    ++i;
  }
  sql_rows out;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      const std::string why = std::string("SQLite: ") + sqlite3_errmsg(db_);
      sqlite3_finalize(stmt);
      if ((rc & 0xff) == SQLITE_CONSTRAINT) throw ports::store_conflict(why);
      throw std::runtime_error(why);
    }
    auto& row = out.rows.emplace_back();
    const int n = sqlite3_column_count(stmt);
    for (int c = 0; c < n; ++c) {
      const auto* p = sqlite3_column_text(stmt, c);
      row.emplace_back(p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)))
                         : std::string());
    }
  }
  sqlite3_finalize(stmt);
  return out;
}

std::int64_t sqlite_store::changes() { return sqlite3_changes64(db_); }
void sqlite_store::begin() { exec("BEGIN IMMEDIATE"); }
void sqlite_store::commit() { exec("COMMIT"); }
void sqlite_store::rollback() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

std::string sqlite_store::json_member_sql(const char* column, int param) const {
  return "CAST(json_extract(" + std::string(column) + ", '$.' || $" + std::to_string(param) + ") AS TEXT)";
}

int sqlite_store::schema_version() { return static_cast<int>(query("PRAGMA user_version", {}).integer(0, 0)); }

void sqlite_store::migrate() {
  const int want = static_cast<int>(std::size(migrations));
  for (int v = schema_version(); v < want; ++v) {
    transaction([&] {
      exec(migrations[v]);
      exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    });
  }
}

}  // namespace vg::adapters
