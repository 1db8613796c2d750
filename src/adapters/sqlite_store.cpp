#include "adapters/sqlite_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace vg::adapters {
namespace {

// Migrations, in order; the schema version is SQLite's user_version. The SQL lives in
// src/adapters/sql/sqlite/ and is embedded at build time.
const char* const migrations[] = {
#include "adapters/sql/sqlite/0001_calls.sql.inc"
};

}  // namespace

// A prepared statement, finalized on scope exit.
class sqlite_store::statement {
 public:
  statement(::sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("SQLite: cannot prepare statement: ") + sqlite3_errmsg(db));
    }
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Steps once; true when a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  ::sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

sqlite_store::sqlite_store(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + why);
  }
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

int sqlite_store::schema_version() {
  statement s(db_, "PRAGMA user_version");
  s.step();
  return static_cast<int>(s.integer(0));
}

void sqlite_store::migrate() {
  const int have = schema_version();
  const int want = static_cast<int>(std::size(migrations));
  for (int v = have; v < want; ++v) {
    exec("BEGIN IMMEDIATE");
    try {
      exec(migrations[v]);
      exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

void sqlite_store::upsert_call(const ports::call_row& r) {
  statement s(db_,
              "INSERT INTO calls(call_sid, account_sid, from_number, to_number, direction, started_at_ms) "
              "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(call_sid) DO UPDATE SET "
              "account_sid = CASE WHEN excluded.account_sid <> '' THEN excluded.account_sid ELSE account_sid END, "
              "from_number = CASE WHEN excluded.from_number <> '' THEN excluded.from_number ELSE from_number END, "
              "to_number = CASE WHEN excluded.to_number <> '' THEN excluded.to_number ELSE to_number END, "
              "direction = CASE WHEN excluded.direction <> '' THEN excluded.direction ELSE direction END");
  s.bind(1, r.call_sid).bind(2, r.account_sid).bind(3, r.from).bind(4, r.to).bind(5, r.direction).bind(6, r.started_at_ms);
  s.step();
}

void sqlite_store::update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                                 std::int64_t duration_s) {
  // Status callbacks can arrive out of order: apply only a newer SequenceNumber.
  statement ensure(db_, "INSERT OR IGNORE INTO calls(call_sid) VALUES(?1)");
  ensure.bind(1, call_sid).step();
  statement s(db_,
              "UPDATE calls SET status = ?2, status_seq = ?3, duration_s = CASE WHEN ?4 > 0 THEN ?4 ELSE duration_s END "
              "WHERE call_sid = ?1 AND status_seq < ?3");
  s.bind(1, call_sid).bind(2, status).bind(3, sequence).bind(4, duration_s);
  s.step();
}

void sqlite_store::finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                               std::int64_t first_audio_ms) {
  statement s(db_, "UPDATE calls SET end_reason = ?2, ended_at_ms = ?3, first_audio_ms = ?4 WHERE call_sid = ?1");
  s.bind(1, call_sid).bind(2, end_reason).bind(3, ended_at_ms).bind(4, first_audio_ms);
  s.step();
}

void sqlite_store::add_turn(const ports::transcript_turn& t) {
  statement s(db_, "INSERT INTO transcript_turns(call_sid, speaker, text, at_ms) VALUES(?1, ?2, ?3, ?4)");
  s.bind(1, t.call_sid).bind(2, t.speaker).bind(3, t.text).bind(4, t.at_ms);
  s.step();
}

void sqlite_store::add_event(const ports::call_event& e) {
  statement s(db_, "INSERT INTO call_events(call_sid, kind, detail, value, at_ms) VALUES(?1, ?2, ?3, ?4, ?5)");
  s.bind(1, e.call_sid).bind(2, e.kind).bind(3, e.detail).bind(4, e.value).bind(5, e.at_ms);
  s.step();
}

std::optional<ports::call_row> sqlite_store::find_call(const std::string& call_sid) {
  statement s(db_,
              "SELECT call_sid, account_sid, from_number, to_number, direction, status, end_reason, started_at_ms, "
              "ended_at_ms, duration_s, first_audio_ms FROM calls WHERE call_sid = ?1");
  s.bind(1, call_sid);
  if (!s.step()) return std::nullopt;
  ports::call_row r;
  r.call_sid = s.text(0);
  r.account_sid = s.text(1);
  r.from = s.text(2);
  r.to = s.text(3);
  r.direction = s.text(4);
  r.status = s.text(5);
  r.end_reason = s.text(6);
  r.started_at_ms = s.integer(7);
  r.ended_at_ms = s.integer(8);
  r.duration_s = s.integer(9);
  r.first_audio_ms = s.integer(10);
  return r;
}

std::vector<ports::transcript_turn> sqlite_store::transcript(const std::string& call_sid) {
  statement s(db_, "SELECT speaker, text, at_ms FROM transcript_turns WHERE call_sid = ?1 ORDER BY id");
  s.bind(1, call_sid);
  std::vector<ports::transcript_turn> out;
  while (s.step()) out.push_back({call_sid, s.text(0), s.text(1), s.integer(2)});
  return out;
}

std::vector<ports::call_event> sqlite_store::events(const std::string& call_sid) {
  statement s(db_, "SELECT kind, detail, value, at_ms FROM call_events WHERE call_sid = ?1 ORDER BY id");
  s.bind(1, call_sid);
  std::vector<ports::call_event> out;
  while (s.step()) out.push_back({call_sid, s.text(0), s.text(1), s.integer(2), s.integer(3)});
  return out;
}

}  // namespace vg::adapters
