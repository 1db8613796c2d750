// The embedded store: one SQLite file in WAL mode (DATABASE_URL=sqlite:PATH, the default).
// Not thread-safe: use it from one thread (the app's store thread).
#pragma once
#include <memory>
#include <string>

#include "ports/store.hpp"

struct sqlite3;

namespace vg::adapters {

class sqlite_store final : public ports::store {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for tests). Throws
  // std::runtime_error naming the file and SQLite's reason.
  explicit sqlite_store(const std::string& path);
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

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

 private:
  class statement;
  void exec(const char* sql);
  ::sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace vg::adapters
