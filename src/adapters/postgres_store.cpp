#include "adapters/postgres_store.hpp"

#include <libpq-fe.h>

#include <stdexcept>
#include <vector>

namespace vg::adapters {
namespace {

const char* const migrations[] = {
#include "adapters/sql/postgres/0001_calls.sql.inc"
#include "adapters/sql/postgres/0002_orgs.sql.inc"
#include "adapters/sql/postgres/0003_tools.sql.inc"
#include "adapters/sql/postgres/0004_usage.sql.inc"
#include "adapters/sql/postgres/0005_recordings.sql.inc"
#include "adapters/sql/postgres/0006_extraction.sql.inc"
#include "adapters/sql/postgres/0007_answered.sql.inc"
#include "adapters/sql/postgres/0008_recording_origin.sql.inc"
#include "adapters/sql/postgres/0009_extraction_usage.sql.inc"
#include "adapters/sql/postgres/0010_gather.sql.inc"
};

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

// A libpq result, cleared on scope exit.
class pg_result {
 public:
  explicit pg_result(PGresult* r) : r_(r) {}
  pg_result(const pg_result&) = delete;
  pg_result& operator=(const pg_result&) = delete;
  ~pg_result() { PQclear(r_); }
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

postgres_store::postgres_store(const std::string& url, const std::string& schema) : url_(url), schema_(schema) {
  try {
    connect();
  } catch (...) {
    PQfinish(conn_);  // a throwing constructor runs no destructor
    conn_ = nullptr;
    throw;
  }
}

postgres_store::~postgres_store() { PQfinish(conn_); }

void postgres_store::connect() {
  PQfinish(conn_);
  conn_ = PQconnectdb(url_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
  }
  run("SET client_min_messages TO warning");
  if (!schema_.empty()) {
    run(("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema_)).c_str());
    run(("SET search_path TO " + quote_identifier(schema_)).c_str());
  }
}

sql_rows postgres_store::query(const char* sql, std::initializer_list<sql_param> params) {
  // Parameters go as text with their type fixed (int8 or text), so "$5 = 0" never makes the
  // server guess a 32-bit integer for a millisecond timestamp.
  constexpr Oid int8_oid = 20, text_oid = 25;
  std::vector<std::string> texts;
  std::vector<Oid> types;
  texts.reserve(params.size());
  for (const auto& p : params) {
    if (const auto* n = std::get_if<std::int64_t>(&p)) {
      texts.push_back(std::to_string(*n));
      types.push_back(int8_oid);
    } else {
      texts.push_back(std::get<std::string>(p));
      types.push_back(text_oid);
    }
  }
  std::vector<const char*> values;
  for (const auto& t : texts) values.push_back(t.c_str());
  for (int attempt = 1;; ++attempt) {
    pg_result r(PQexecParams(conn_, sql, static_cast<int>(values.size()), types.data(), values.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(r.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      const char* changed = PQcmdTuples(r.get());
      changes_ = (changed != nullptr && *changed != '\0') ? std::stoll(changed) : 0;
      sql_rows out;
      const int rows = PQntuples(r.get()), cols = PQnfields(r.get());
      out.rows.resize(static_cast<std::size_t>(rows));
      for (int i = 0; i < rows; ++i) {
        for (int c = 0; c < cols; ++c) out.rows[static_cast<std::size_t>(i)].emplace_back(PQgetvalue(r.get(), i, c));
      }
      return out;
    }
    const std::string why = trimmed(PQresultErrorMessage(r.get()));
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    // Class 23: integrity constraint violation (unique, foreign key...).
    if (state != nullptr && std::string_view(state).substr(0, 2) == "23") throw ports::store_conflict("PostgreSQL: " + why);
    if (attempt == 1 && in_transaction_ == 0 && PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);  // the server restarted or the socket dropped: one fresh try
      if (PQstatus(conn_) == CONNECTION_OK && !schema_.empty()) {
        PQclear(PQexec(conn_, ("SET search_path TO " + quote_identifier(schema_)).c_str()));
      }
      continue;
    }
    throw std::runtime_error("PostgreSQL: " + why);
  }
}

void postgres_store::run(const char* sql) { query(sql, {}); }
std::int64_t postgres_store::changes() { return changes_; }
void postgres_store::begin() {
  run("BEGIN");
  ++in_transaction_;
}
void postgres_store::commit() {
  in_transaction_ = 0;
  run("COMMIT");
}
void postgres_store::rollback() noexcept {
  in_transaction_ = 0;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

std::string postgres_store::json_member_sql(const char* column, int param) const {
  return "(" + std::string(column) + "::jsonb ->> $" + std::to_string(param) + ")";
}

int postgres_store::schema_version() {
  run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  return static_cast<int>(query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}).integer(0, 0));
}

void postgres_store::migrate() {
  const int want = static_cast<int>(std::size(migrations));
  // Several nodes may start at once: one migrates, the others wait on the lock.
  run("SELECT pg_advisory_lock(7411)");
  try {
    for (int v = schema_version(); v < want; ++v) {
      transaction([&] {
        // A migration holds several statements: only the simple-query protocol runs those.
        pg_result r(PQexec(conn_, migrations[v]));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
          throw std::runtime_error("PostgreSQL migration " + std::to_string(v + 1) + ": " + trimmed(PQresultErrorMessage(r.get())));
        }
        query("INSERT INTO schema_migrations(version) VALUES($1)", {std::int64_t{v + 1}});
      });
    }
  } catch (...) {
    PQclear(PQexec(conn_, "SELECT pg_advisory_unlock(7411)"));
    throw;
  }
  run("SELECT pg_advisory_unlock(7411)");
}

void postgres_store::drop_schema() {
  if (!schema_.empty()) run(("DROP SCHEMA IF EXISTS " + quote_identifier(schema_) + " CASCADE").c_str());
}

}  // namespace vg::adapters
