// The store written once in SQL that SQLite and PostgreSQL both run: the backends only supply
// a connection (query with $1-style parameters, transactions, migrations). Not thread-safe:
// used from the app's store thread only.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "ports/store.hpp"

namespace vg::adapters {

using sql_param = std::variant<std::int64_t, std::string>;

// A query's rows as text (both engines give integers as decimal text).
class sql_rows {
 public:
  std::vector<std::vector<std::string>> rows;
  std::size_t size() const { return rows.size(); }
  const std::string& text(std::size_t row, std::size_t col) const { return rows[row][col]; }
  std::int64_t integer(std::size_t row, std::size_t col) const;
};

class sql_store : public ports::store {
 public:
  void upsert_call(const ports::call_row& row) override;
  void update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                     std::int64_t duration_s, std::int64_t at_ms) override;
  void finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                   std::int64_t first_audio_ms) override;
  void add_turn(const ports::transcript_turn& turn) override;
  void add_event(const ports::call_event& event) override;
  void set_extraction(const std::string& call_sid, const std::string& status, const std::string& json,
                      const std::string& error) override;
  void set_extraction_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) override;
  void set_call_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) override;
  std::optional<ports::call_row> find_call(const std::string& call_sid) override;
  std::vector<ports::transcript_turn> transcript(const std::string& call_sid) override;
  std::vector<ports::call_event> events(const std::string& call_sid) override;
  std::vector<ports::call_row> list_calls(const ports::call_filter& filter) override;

  void save_org(const ports::org_record& org) override;
  void save_org_document(const ports::org_record& org, const std::vector<ports::assistant_record>& assistants) override;
  bool delete_org(const std::string& org_id) override;
  std::vector<ports::org_record> list_orgs() override;
  std::optional<ports::org_record> find_org(const std::string& org_id) override;
  void save_assistant(const ports::assistant_record& assistant) override;
  bool delete_assistant(const std::string& org_id, const std::string& assistant_id) override;
  std::vector<ports::assistant_record> list_assistants(const std::string& org_id) override;
  std::int64_t config_version() override;

  void add_token(const ports::token_record& token) override;
  std::optional<ports::token_record> find_token_by_hash(const std::string& hash) override;
  std::vector<ports::token_record> list_tokens() override;
  bool delete_token(const std::string& id) override;

  // sql_store_records.cpp
  void add_record(const ports::record_row& record) override;
  bool update_record(const ports::record_row& record) override;
  std::optional<ports::record_row> find_record(const std::string& org_id, const std::string& collection,
                                               const std::string& ref) override;
  std::vector<ports::record_row> list_records(const ports::record_filter& filter) override;
  bool begin_tool_call(const ports::tool_call_row& call) override;
  void finish_tool_call(const std::string& call_id, const std::string& result, const std::string& outcome,
                        std::int64_t duration_ms) override;
  std::vector<ports::tool_call_row> tool_calls(const std::string& call_sid) override;
  void add_message(const ports::message_row& message) override;
  bool update_message_status(const std::string& sid, const std::string& status, const std::string& error_code,
                             std::int64_t at_ms) override;
  std::optional<ports::message_row> find_message(const std::string& sid) override;
  std::vector<ports::message_row> messages_of_call(const std::string& call_sid) override;
  bool claim_recording(const ports::recording_row& recording) override;
  void update_recording(const ports::recording_row& recording) override;
  std::vector<ports::recording_row> recordings_of_call(const std::string& call_sid) override;
  std::vector<ports::recording_row> recordings_downloading_since_before(std::int64_t before_ms, int limit) override;
  bool touch_recording(const std::string& id, std::int64_t seen_updated_at_ms, std::int64_t now_ms) override;
  bool save_gather(const ports::gather_conversation& c) override;
  std::optional<ports::gather_conversation> find_gather(const std::string& call_sid) override;
  bool end_gather(const std::string& call_sid, std::int64_t ended_at_ms) override;
  void purge_call_content(const std::string& call_sid) override;
  bool delete_call(const std::string& call_sid) override;
  std::vector<std::string> calls_to_purge(const std::string& org_id, std::int64_t before_ms, int limit) override;

 protected:
  // Runs one statement with $1..$n parameters. Throws ports::store_conflict on a unique or
  // foreign-key violation, std::runtime_error on anything else.
  virtual sql_rows query(const char* sql, std::initializer_list<sql_param> params) = 0;
  virtual std::int64_t changes() = 0;  // rows changed by the last statement
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // SQL for "the text of JSON member <name in parameter $n> of column", which the engines spell
  // differently (json_extract / ->>).
  virtual std::string json_member_sql(const char* column, int param) const = 0;

  // Runs fn inside one transaction (rolled back if it throws).
  template <class Fn>
  void transaction(Fn fn) {
    begin();
    try {
      fn();
      commit();
    } catch (...) {
      rollback();
      throw;
    }
  }

 private:
  void write_org(const ports::org_record& org);
  void purge(const std::string& call_sid);
  void bump_config_version();
  std::vector<ports::org_record> read_orgs(const sql_rows& rows);
};

}  // namespace vg::adapters
