// sql_store, continued: tool records, tool calls and SMS messages.
#include "adapters/sql_store.hpp"

namespace vg::adapters {
namespace {

constexpr const char* record_columns =
    "org_id, collection, ref, data, status, call_sid, caller, created_at_ms, updated_at_ms";

std::vector<ports::record_row> read_records(const sql_rows& r) {
  std::vector<ports::record_row> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.text(i, 6),
                   r.integer(i, 7), r.integer(i, 8)});
  }
  return out;
}

constexpr const char* message_columns =
    "sid, org_id, call_sid, to_number, from_number, body, status, error_code, created_at_ms, updated_at_ms";

std::vector<ports::message_row> read_messages(const sql_rows& r) {
  std::vector<ports::message_row> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.text(i, 6),
                   r.text(i, 7), r.integer(i, 8), r.integer(i, 9)});
  }
  return out;
}

}  // namespace

void sql_store::add_record(const ports::record_row& r) {
  query((std::string("INSERT INTO records(") + record_columns + ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)").c_str(),
        {r.org_id, r.collection, r.ref, r.data, r.status, r.call_sid, r.caller, r.created_at_ms, r.updated_at_ms});
}

bool sql_store::update_record(const ports::record_row& r) {
  query("UPDATE records SET data = $4, status = $5, updated_at_ms = $6 WHERE org_id = $1 AND collection = $2 AND ref = $3",
        {r.org_id, r.collection, r.ref, r.data, r.status, r.updated_at_ms});
  return changes() > 0;
}

std::optional<ports::record_row> sql_store::find_record(const std::string& org_id, const std::string& collection,
                                                        const std::string& ref) {
  auto rows = read_records(query(
      (std::string("SELECT ") + record_columns + " FROM records WHERE org_id = $1 AND collection = $2 AND ref = $3").c_str(),
      {org_id, collection, ref}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<ports::record_row> sql_store::list_records(const ports::record_filter& f) {
  const std::string sql = std::string("SELECT ") + record_columns +
                          " FROM records WHERE org_id = $1 AND collection = $2 AND ($3 = '' OR " +
                          json_member_sql("data", 3) + " = $4) AND ($5 = '' OR caller = $5) AND ($6 = '' OR status = $6)"
                          " ORDER BY created_at_ms DESC, ref DESC LIMIT $7 OFFSET $8";
  return read_records(query(sql.c_str(), {f.org_id, f.collection, f.field, f.value, f.caller, f.status,
                                          std::int64_t{f.limit}, std::int64_t{f.offset}}));
}

bool sql_store::begin_tool_call(const ports::tool_call_row& c) {
  query("INSERT INTO tool_calls(call_id, call_sid, name, arguments, started_at_ms) VALUES($1, $2, $3, $4, $5) "
        "ON CONFLICT(call_id) DO NOTHING",
        {c.call_id, c.call_sid, c.name, c.arguments, c.started_at_ms});
  return changes() > 0;
}

void sql_store::finish_tool_call(const std::string& call_id, const std::string& result, const std::string& outcome,
                                 std::int64_t duration_ms) {
  query("UPDATE tool_calls SET result = $2, outcome = $3, duration_ms = $4 WHERE call_id = $1",
        {call_id, result, outcome, duration_ms});
}

std::vector<ports::tool_call_row> sql_store::tool_calls(const std::string& call_sid) {
  const auto r = query("SELECT call_id, call_sid, name, arguments, result, outcome, started_at_ms, duration_ms "
                       "FROM tool_calls WHERE call_sid = $1 ORDER BY started_at_ms, call_id",
                       {call_sid});
  std::vector<ports::tool_call_row> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.integer(i, 6),
                   r.integer(i, 7)});
  }
  return out;
}

void sql_store::add_message(const ports::message_row& m) {
  // A status callback can beat the insert (it was already recorded with what it knew).
  query((std::string("INSERT INTO messages(") + message_columns +
         ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT(sid) DO UPDATE SET org_id = excluded.org_id, "
         "call_sid = excluded.call_sid, to_number = excluded.to_number, from_number = excluded.from_number, "
         "body = excluded.body")
            .c_str(),
        {m.sid, m.org_id, m.call_sid, m.to, m.from, m.body, m.status, m.error_code, m.created_at_ms, m.updated_at_ms});
}

bool sql_store::update_message_status(const std::string& sid, const std::string& status, const std::string& error_code,
                                      std::int64_t at_ms) {
  query("UPDATE messages SET status = $2, error_code = $3, updated_at_ms = $4 WHERE sid = $1 AND updated_at_ms <= $4",
        {sid, status, error_code, at_ms});
  return changes() > 0;
}

std::optional<ports::message_row> sql_store::find_message(const std::string& sid) {
  auto rows = read_messages(query((std::string("SELECT ") + message_columns + " FROM messages WHERE sid = $1").c_str(), {sid}));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<ports::message_row> sql_store::messages_of_call(const std::string& call_sid) {
  return read_messages(query(
      (std::string("SELECT ") + message_columns + " FROM messages WHERE call_sid = $1 ORDER BY created_at_ms, sid").c_str(),
      {call_sid}));
}

namespace {
constexpr const char* recording_columns =
    "id, call_sid, source, status, blob_key, content_type, bytes, duration_s, channels, error, created_at_ms, updated_at_ms, "
    "origin";
}  // namespace

bool sql_store::claim_recording(const ports::recording_row& r) {
  query((std::string("INSERT INTO recordings(") + recording_columns +
         ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT(id) DO NOTHING")
            .c_str(),
        {r.id, r.call_sid, r.source, r.status, r.blob_key, r.content_type, r.bytes, r.duration_s, r.channels, r.error,
         r.created_at_ms, r.updated_at_ms, r.origin});
  return changes() > 0;
}

void sql_store::update_recording(const ports::recording_row& r) {
  query("UPDATE recordings SET call_sid = $2, source = $3, status = $4, blob_key = $5, content_type = $6, bytes = $7, "
        "duration_s = $8, channels = $9, error = $10, updated_at_ms = $11, origin = $12 WHERE id = $1",
        {r.id, r.call_sid, r.source, r.status, r.blob_key, r.content_type, r.bytes, r.duration_s, r.channels, r.error,
         r.updated_at_ms, r.origin});
}

namespace {
std::vector<ports::recording_row> recording_rows(const sql_rows& r) {
  std::vector<ports::recording_row> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5), r.integer(i, 6),
                   r.integer(i, 7), r.integer(i, 8), r.text(i, 9), r.integer(i, 10), r.integer(i, 11), r.text(i, 12)});
  }
  return out;
}
}  // namespace

std::vector<ports::recording_row> sql_store::recordings_of_call(const std::string& call_sid) {
  return recording_rows(query((std::string("SELECT ") + recording_columns +
                               " FROM recordings WHERE call_sid = $1 ORDER BY created_at_ms, id").c_str(),
                              {call_sid}));
}

std::vector<ports::recording_row> sql_store::recordings_downloading_since_before(std::int64_t before_ms, int limit) {
  return recording_rows(query((std::string("SELECT ") + recording_columns +
                               " FROM recordings WHERE status = 'downloading' AND updated_at_ms < $1 "
                               "ORDER BY updated_at_ms, id LIMIT $2").c_str(),
                              {before_ms, std::int64_t{limit}}));
}

bool sql_store::touch_recording(const std::string& id, std::int64_t seen_updated_at_ms, std::int64_t now_ms) {
  query("UPDATE recordings SET updated_at_ms = $3 WHERE id = $1 AND updated_at_ms = $2 AND status = 'downloading'",
        {id, seen_updated_at_ms, now_ms});
  return changes() > 0;
}

bool sql_store::save_gather(const ports::gather_conversation& c) {
  if (c.version <= 1) {
    query("INSERT INTO gather_conversations(call_sid, org_id, assistant_id, messages, usage, version, updated_at_ms) "
          "VALUES($1, $2, $3, $4, $5, 1, $6) ON CONFLICT(call_sid) DO NOTHING",
          {c.call_sid, c.org_id, c.assistant_id, c.messages, c.usage, c.updated_at_ms});
    return changes() > 0;
  }
  query("UPDATE gather_conversations SET messages = $2, usage = $3, version = $4, updated_at_ms = $5 "
        "WHERE call_sid = $1 AND version = $6",
        {c.call_sid, c.messages, c.usage, c.version, c.updated_at_ms, c.version - 1});
  return changes() > 0;
}

std::optional<ports::gather_conversation> sql_store::find_gather(const std::string& call_sid) {
  const auto r = query("SELECT org_id, assistant_id, messages, usage, version, ended_at_ms, updated_at_ms "
                       "FROM gather_conversations WHERE call_sid = $1",
                       {call_sid});
  if (r.size() == 0) return std::nullopt;
  return ports::gather_conversation{call_sid,        r.text(0, 0),    r.text(0, 1),    r.text(0, 2),
                                    r.text(0, 3),    r.integer(0, 4), r.integer(0, 5), r.integer(0, 6)};
}

bool sql_store::end_gather(const std::string& call_sid, std::int64_t ended_at_ms) {
  query("UPDATE gather_conversations SET ended_at_ms = $2 WHERE call_sid = $1 AND ended_at_ms = 0", {call_sid, ended_at_ms});
  return changes() > 0;
}

void sql_store::purge(const std::string& call_sid) {
  for (const char* sql : {"DELETE FROM transcript_turns WHERE call_sid = $1", "DELETE FROM call_events WHERE call_sid = $1",
                          "DELETE FROM tool_calls WHERE call_sid = $1", "DELETE FROM messages WHERE call_sid = $1",
                          "DELETE FROM recordings WHERE call_sid = $1", "DELETE FROM gather_conversations WHERE call_sid = $1"}) {
    query(sql, {call_sid});
  }
  // The extraction is drawn from what was said (names, numbers): it goes too; its usage stays.
  query("UPDATE calls SET extraction = '', extraction_error = '', extraction_status = 'purged' "
        "WHERE call_sid = $1 AND extraction_status <> ''", {call_sid});
}

void sql_store::purge_call_content(const std::string& call_sid) {
  transaction([&] { purge(call_sid); });
}

bool sql_store::delete_call(const std::string& call_sid) {
  bool found = false;
  transaction([&] {
    purge(call_sid);
    query("DELETE FROM calls WHERE call_sid = $1", {call_sid});
    found = changes() > 0;
  });
  return found;
}

std::vector<std::string> sql_store::calls_to_purge(const std::string& org_id, std::int64_t before_ms, int limit) {
  const auto r = query(
      "SELECT call_sid FROM calls c WHERE org_id = $1 AND started_at_ms < $2 AND ("
      "EXISTS (SELECT 1 FROM transcript_turns t WHERE t.call_sid = c.call_sid) OR "
      "EXISTS (SELECT 1 FROM recordings r WHERE r.call_sid = c.call_sid) OR "
      "EXISTS (SELECT 1 FROM call_events e WHERE e.call_sid = c.call_sid) OR "
      "EXISTS (SELECT 1 FROM gather_conversations g WHERE g.call_sid = c.call_sid) OR "
      "c.extraction <> '' OR c.extraction_error <> '') ORDER BY started_at_ms LIMIT $3",
      {org_id, before_ms, std::int64_t{limit}});
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(r.text(i, 0));
  return out;
}

}  // namespace vg::adapters
