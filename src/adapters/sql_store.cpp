#include "adapters/sql_store.hpp"

#include <charconv>
#include <stdexcept>

namespace vg::adapters {

std::int64_t sql_rows::integer(std::size_t row, std::size_t col) const {
  const std::string& s = rows[row][col];
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) throw std::runtime_error("store: '" + s + "' is not an integer");
  return v;
}

// ---------------------------------------------------------------------------------------------
// Calls

namespace {
constexpr const char* call_columns =
    "call_sid, account_sid, from_number, to_number, direction, status, end_reason, started_at_ms, "
    "ended_at_ms, duration_s, first_audio_ms, org_id, assistant_id, model, usage, extraction_status, extraction, "
    "extraction_error, answered_at_ms, extraction_model, extraction_usage";

ports::call_row read_call(const sql_rows& r, std::size_t i) {
  ports::call_row row;
  row.call_sid = r.text(i, 0);
  row.account_sid = r.text(i, 1);
  row.from = r.text(i, 2);
  row.to = r.text(i, 3);
  row.direction = r.text(i, 4);
  row.status = r.text(i, 5);
  row.end_reason = r.text(i, 6);
  row.started_at_ms = r.integer(i, 7);
  row.ended_at_ms = r.integer(i, 8);
  row.duration_s = r.integer(i, 9);
  row.first_audio_ms = r.integer(i, 10);
  row.org_id = r.text(i, 11);
  row.assistant_id = r.text(i, 12);
  row.model = r.text(i, 13);
  row.usage = r.text(i, 14);
  row.extraction_status = r.text(i, 15);
  row.extraction = r.text(i, 16);
  row.extraction_error = r.text(i, 17);
  row.answered_at_ms = r.integer(i, 18);
  row.extraction_model = r.text(i, 19);
  row.extraction_usage = r.text(i, 20);
  return row;
}
}  // namespace

void sql_store::upsert_call(const ports::call_row& r) {
  // A later webhook fills in what an earlier one did not know, never erasing.
  query("INSERT INTO calls(call_sid, account_sid, from_number, to_number, direction, started_at_ms, org_id, assistant_id) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(call_sid) DO UPDATE SET "
        "account_sid = CASE WHEN excluded.account_sid <> '' THEN excluded.account_sid ELSE calls.account_sid END, "
        "from_number = CASE WHEN excluded.from_number <> '' THEN excluded.from_number ELSE calls.from_number END, "
        "to_number = CASE WHEN excluded.to_number <> '' THEN excluded.to_number ELSE calls.to_number END, "
        "direction = CASE WHEN excluded.direction <> '' THEN excluded.direction ELSE calls.direction END, "
        "started_at_ms = CASE WHEN calls.started_at_ms = 0 THEN excluded.started_at_ms ELSE calls.started_at_ms END, "
        "org_id = CASE WHEN excluded.org_id <> '' THEN excluded.org_id ELSE calls.org_id END, "
        "assistant_id = CASE WHEN excluded.assistant_id <> '' THEN excluded.assistant_id ELSE calls.assistant_id END",
        {r.call_sid, r.account_sid, r.from, r.to, r.direction, r.started_at_ms, r.org_id, r.assistant_id});
}

void sql_store::update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                              std::int64_t duration_s, std::int64_t at_ms) {
  // Status callbacks can arrive out of order: apply only a newer SequenceNumber.
  query("INSERT INTO calls(call_sid) VALUES($1) ON CONFLICT DO NOTHING", {call_sid});
  if (status == "in-progress") {
    query("UPDATE calls SET answered_at_ms = $2 WHERE call_sid = $1 AND answered_at_ms = 0", {call_sid, at_ms});
  }
  query("UPDATE calls SET status = $2, status_seq = $3, "
        "duration_s = CASE WHEN $4 > 0 THEN $4 ELSE duration_s END WHERE call_sid = $1 AND status_seq < $3",
        {call_sid, status, sequence, duration_s});
}

void sql_store::finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                            std::int64_t first_audio_ms) {
  query("UPDATE calls SET end_reason = $2, ended_at_ms = $3, first_audio_ms = $4 WHERE call_sid = $1",
        {call_sid, end_reason, ended_at_ms, first_audio_ms});
}

void sql_store::add_turn(const ports::transcript_turn& t) {
  query("INSERT INTO transcript_turns(call_sid, speaker, text, at_ms) VALUES($1, $2, $3, $4)",
        {t.call_sid, t.speaker, t.text, t.at_ms});
}

void sql_store::add_event(const ports::call_event& e) {
  query("INSERT INTO call_events(call_sid, kind, detail, value, at_ms) VALUES($1, $2, $3, $4, $5)",
        {e.call_sid, e.kind, e.detail, e.value, e.at_ms});
}

void sql_store::set_extraction(const std::string& call_sid, const std::string& status, const std::string& json,
                               const std::string& error) {
  query("UPDATE calls SET extraction_status = $2, extraction = $3, extraction_error = $4 WHERE call_sid = $1",
        {call_sid, status, json, error});
}

void sql_store::set_extraction_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) {
  query("UPDATE calls SET extraction_model = $2, extraction_usage = $3 WHERE call_sid = $1", {call_sid, model, usage_json});
}

void sql_store::set_call_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) {
  query("UPDATE calls SET model = $2, usage = $3 WHERE call_sid = $1", {call_sid, model, usage_json});
}

std::optional<ports::call_row> sql_store::find_call(const std::string& call_sid) {
  const auto r = query((std::string("SELECT ") + call_columns + " FROM calls WHERE call_sid = $1").c_str(), {call_sid});
  if (r.size() == 0) return std::nullopt;
  return read_call(r, 0);
}

std::vector<ports::transcript_turn> sql_store::transcript(const std::string& call_sid) {
  const auto r = query("SELECT speaker, text, at_ms FROM transcript_turns WHERE call_sid = $1 ORDER BY id", {call_sid});
  std::vector<ports::transcript_turn> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back({call_sid, r.text(i, 0), r.text(i, 1), r.integer(i, 2)});
  return out;
}

std::vector<ports::call_event> sql_store::events(const std::string& call_sid) {
  const auto r = query("SELECT kind, detail, value, at_ms FROM call_events WHERE call_sid = $1 ORDER BY id", {call_sid});
  std::vector<ports::call_event> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({call_sid, r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
  }
  return out;
}

std::vector<ports::call_row> sql_store::list_calls(const ports::call_filter& f) {
  // Every filter is always bound; an empty/zero value switches its condition off, so one
  // statement serves all combinations.
  const auto r = query(
      (std::string("SELECT ") + call_columns +
       " FROM calls WHERE ($1 = '' OR org_id = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR direction = $3)"
       " AND ($4 = '' OR from_number = $4 OR to_number = $4) AND ($5 = 0 OR started_at_ms >= $5)"
       " AND ($6 = 0 OR started_at_ms < $6) AND ($7 = 0 OR ended_at_ms = 0)"
       " AND ($8 = '' OR started_at_ms < $9 OR (started_at_ms = $9 AND call_sid < $8))"
       " ORDER BY started_at_ms DESC, call_sid DESC LIMIT $10")
          .c_str(),
      {f.org_id, f.status, f.direction, f.number, f.since_ms, f.until_ms, std::int64_t{f.active_only ? 1 : 0},
       f.before_sid, f.before_started_ms, std::int64_t{f.limit}});
  std::vector<ports::call_row> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(read_call(r, i));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Organisations and assistants

void sql_store::bump_config_version() { query("UPDATE config_version SET version = version + 1 WHERE id = 1", {}); }

void sql_store::write_org(const ports::org_record& org) {
  query("INSERT INTO organizations(id, name, doc) VALUES($1, $2, $3) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
        {org.id, org.name, org.doc});
  query("DELETE FROM phone_numbers WHERE org_id = $1", {org.id});
  for (const auto& n : org.numbers) {
    const auto owner = query("SELECT org_id FROM phone_numbers WHERE number = $1", {n});
    if (owner.size() != 0) {
      throw ports::store_conflict("the number " + n + " belongs to organisation '" + owner.text(0, 0) + "'");
    }
    query("INSERT INTO phone_numbers(number, org_id) VALUES($1, $2)", {n, org.id});
  }
  bump_config_version();
}

void sql_store::save_org(const ports::org_record& org) {
  transaction([&] { write_org(org); });
}

void sql_store::save_org_document(const ports::org_record& org, const std::vector<ports::assistant_record>& assistants) {
  transaction([&] {
    write_org(org);
    // Keep the rows (and so the creation order) of assistants that stay; drop the others.
    const auto existing = query("SELECT id FROM assistants WHERE org_id = $1", {org.id});
    for (std::size_t i = 0; i < existing.size(); ++i) {
      bool keep = false;
      for (const auto& a : assistants) keep = keep || a.id == existing.text(i, 0);
      if (!keep) query("DELETE FROM assistants WHERE org_id = $1 AND id = $2", {org.id, existing.text(i, 0)});
    }
    for (const auto& a : assistants) {
      query("INSERT INTO assistants(org_id, id, doc) VALUES($1, $2, $3) "
            "ON CONFLICT(org_id, id) DO UPDATE SET doc = excluded.doc",
            {org.id, a.id, a.doc});
    }
  });
}

bool sql_store::delete_org(const std::string& org_id) {
  bool found = false;
  transaction([&] {
    query("DELETE FROM api_tokens WHERE org_id = $1", {org_id});
    query("DELETE FROM organizations WHERE id = $1", {org_id});  // assistants and numbers cascade
    found = changes() > 0;
    bump_config_version();
  });
  return found;
}

std::vector<ports::org_record> sql_store::read_orgs(const sql_rows& r) {
  std::vector<ports::org_record> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ports::org_record o{r.text(i, 0), r.text(i, 1), r.text(i, 2), {}};
    const auto nums = query("SELECT number FROM phone_numbers WHERE org_id = $1 ORDER BY number", {o.id});
    for (std::size_t j = 0; j < nums.size(); ++j) o.numbers.push_back(nums.text(j, 0));
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<ports::org_record> sql_store::list_orgs() {
  return read_orgs(query("SELECT id, name, doc FROM organizations ORDER BY id", {}));
}

std::optional<ports::org_record> sql_store::find_org(const std::string& org_id) {
  auto orgs = read_orgs(query("SELECT id, name, doc FROM organizations WHERE id = $1", {org_id}));
  if (orgs.empty()) return std::nullopt;
  return std::move(orgs.front());
}

void sql_store::save_assistant(const ports::assistant_record& a) {
  transaction([&] {
    query("INSERT INTO assistants(org_id, id, doc) VALUES($1, $2, $3) "
          "ON CONFLICT(org_id, id) DO UPDATE SET doc = excluded.doc",
          {a.org_id, a.id, a.doc});
    bump_config_version();
  });
}

bool sql_store::delete_assistant(const std::string& org_id, const std::string& assistant_id) {
  bool found = false;
  transaction([&] {
    query("DELETE FROM assistants WHERE org_id = $1 AND id = $2", {org_id, assistant_id});
    found = changes() > 0;
    bump_config_version();
  });
  return found;
}

std::vector<ports::assistant_record> sql_store::list_assistants(const std::string& org_id) {
  const auto r = query("SELECT org_id, id, doc FROM assistants WHERE ($1 = '' OR org_id = $1) ORDER BY org_id, seq", {org_id});
  std::vector<ports::assistant_record> out;
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

std::int64_t sql_store::config_version() {
  return query("SELECT version FROM config_version WHERE id = 1", {}).integer(0, 0);
}

// ---------------------------------------------------------------------------------------------
// API tokens

void sql_store::add_token(const ports::token_record& t) {
  query("INSERT INTO api_tokens(id, token_hash, org_id, name, created_at_ms) VALUES($1, $2, $3, $4, $5)",
        {t.id, t.hash, t.org_id, t.name, t.created_at_ms});
}

namespace {
std::vector<ports::token_record> read_tokens(const sql_rows& r) {
  std::vector<ports::token_record> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
  }
  return out;
}
}  // namespace

std::optional<ports::token_record> sql_store::find_token_by_hash(const std::string& hash) {
  auto t = read_tokens(query("SELECT id, token_hash, org_id, name, created_at_ms FROM api_tokens WHERE token_hash = $1", {hash}));
  if (t.empty()) return std::nullopt;
  return t.front();
}

std::vector<ports::token_record> sql_store::list_tokens() {
  return read_tokens(query("SELECT id, token_hash, org_id, name, created_at_ms FROM api_tokens ORDER BY created_at_ms, id", {}));
}

bool sql_store::delete_token(const std::string& id) {
  query("DELETE FROM api_tokens WHERE id = $1", {id});
  return changes() > 0;
}

}  // namespace vg::adapters
