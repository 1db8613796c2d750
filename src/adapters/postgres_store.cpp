#include "adapters/postgres_store.hpp"

#include <libpq-fe.h>

#include <stdexcept>
#include <vector>

namespace vg::adapters {
namespace {

const char* const migrations[] = {
#include "adapters/sql/postgres/0001_calls.sql.inc"
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

// A query result, cleared on scope exit.
class postgres_store::result {
 public:
  explicit result(PGresult* r) : r_(r) {}
  result(result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  ~result() { PQclear(r_); }
  int rows() const { return PQntuples(r_); }
  std::string text(int row, int col) const { return PQgetvalue(r_, row, col); }
  std::int64_t integer(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }

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

postgres_store::result postgres_store::run(const char* sql, std::initializer_list<std::string> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  for (int attempt = 1;; ++attempt) {
    PGresult* r = PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result(r);
    const std::string why = trimmed(PQresultErrorMessage(r));
    PQclear(r);
    if (attempt == 1 && PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);  // the server restarted or the socket dropped: one fresh try
      if (PQstatus(conn_) == CONNECTION_OK && !schema_.empty()) {
        PQclear(PQexec(conn_, ("SET search_path TO " + quote_identifier(schema_)).c_str()));
      }
      continue;
    }
    throw std::runtime_error("PostgreSQL: " + why);
  }
}

int postgres_store::schema_version() {
  run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  auto r = run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return static_cast<int>(r.integer(0, 0));
}

void postgres_store::migrate() {
  const int want = static_cast<int>(std::size(migrations));
  // Several nodes may start at once: one migrates, the others wait on the lock.
  run("SELECT pg_advisory_lock(7411)");
  try {
    for (int v = schema_version(); v < want; ++v) {
      run("BEGIN");
      try {
        // A migration holds several statements: only the simple-query protocol runs those.
        PGresult* r = PQexec(conn_, migrations[v]);
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        const std::string why = trimmed(PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) throw std::runtime_error("PostgreSQL migration " + std::to_string(v + 1) + ": " + why);
        run("INSERT INTO schema_migrations(version) VALUES($1)", {std::to_string(v + 1)});
        run("COMMIT");
      } catch (...) {
        PQclear(PQexec(conn_, "ROLLBACK"));
        throw;
      }
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

void postgres_store::upsert_call(const ports::call_row& r) {
  run("INSERT INTO calls(call_sid, account_sid, from_number, to_number, direction, started_at_ms) "
      "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(call_sid) DO UPDATE SET "
      "account_sid = CASE WHEN excluded.account_sid <> '' THEN excluded.account_sid ELSE calls.account_sid END, "
      "from_number = CASE WHEN excluded.from_number <> '' THEN excluded.from_number ELSE calls.from_number END, "
      "to_number = CASE WHEN excluded.to_number <> '' THEN excluded.to_number ELSE calls.to_number END, "
      "direction = CASE WHEN excluded.direction <> '' THEN excluded.direction ELSE calls.direction END",
      {r.call_sid, r.account_sid, r.from, r.to, r.direction, std::to_string(r.started_at_ms)});
}

void postgres_store::update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                                   std::int64_t duration_s) {
  run("INSERT INTO calls(call_sid) VALUES($1) ON CONFLICT DO NOTHING", {call_sid});
  run("UPDATE calls SET status = $2, status_seq = $3, "
      "duration_s = CASE WHEN $4::bigint > 0 THEN $4::bigint ELSE duration_s END "
      "WHERE call_sid = $1 AND status_seq < $3",
      {call_sid, status, std::to_string(sequence), std::to_string(duration_s)});
}

void postgres_store::finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                                 std::int64_t first_audio_ms) {
  run("UPDATE calls SET end_reason = $2, ended_at_ms = $3, first_audio_ms = $4 WHERE call_sid = $1",
      {call_sid, end_reason, std::to_string(ended_at_ms), std::to_string(first_audio_ms)});
}

void postgres_store::add_turn(const ports::transcript_turn& t) {
  run("INSERT INTO transcript_turns(call_sid, speaker, text, at_ms) VALUES($1, $2, $3, $4)",
      {t.call_sid, t.speaker, t.text, std::to_string(t.at_ms)});
}

void postgres_store::add_event(const ports::call_event& e) {
  run("INSERT INTO call_events(call_sid, kind, detail, value, at_ms) VALUES($1, $2, $3, $4, $5)",
      {e.call_sid, e.kind, e.detail, std::to_string(e.value), std::to_string(e.at_ms)});
}

std::optional<ports::call_row> postgres_store::find_call(const std::string& call_sid) {
  auto r = run("SELECT call_sid, account_sid, from_number, to_number, direction, status, end_reason, started_at_ms, "
               "ended_at_ms, duration_s, first_audio_ms FROM calls WHERE call_sid = $1",
               {call_sid});
  if (r.rows() == 0) return std::nullopt;
  ports::call_row row;
  row.call_sid = r.text(0, 0);
  row.account_sid = r.text(0, 1);
  row.from = r.text(0, 2);
  row.to = r.text(0, 3);
  row.direction = r.text(0, 4);
  row.status = r.text(0, 5);
  row.end_reason = r.text(0, 6);
  row.started_at_ms = r.integer(0, 7);
  row.ended_at_ms = r.integer(0, 8);
  row.duration_s = r.integer(0, 9);
  row.first_audio_ms = r.integer(0, 10);
  return row;
}

std::vector<ports::transcript_turn> postgres_store::transcript(const std::string& call_sid) {
  auto r = run("SELECT speaker, text, at_ms FROM transcript_turns WHERE call_sid = $1 ORDER BY id", {call_sid});
  std::vector<ports::transcript_turn> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({call_sid, r.text(i, 0), r.text(i, 1), r.integer(i, 2)});
  return out;
}

std::vector<ports::call_event> postgres_store::events(const std::string& call_sid) {
  auto r = run("SELECT kind, detail, value, at_ms FROM call_events WHERE call_sid = $1 ORDER BY id", {call_sid});
  std::vector<ports::call_event> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({call_sid, r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
  return out;
}

}  // namespace vg::adapters
