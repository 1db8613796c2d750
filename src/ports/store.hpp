// The store port: where calls, their transcripts and their events are kept, written as they
// happen so a crash loses at most the last moment (issue 4). Implementations are blocking;
// the app calls them from its store thread (app/store_writer), never from a call's thread.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vg::ports {

struct call_row {
  std::string call_sid;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string direction;
  std::string status;        // Twilio CallStatus, latest by SequenceNumber
  std::string end_reason;    // voxgate's reason, once the session ended
  std::int64_t started_at_ms = 0;
  std::int64_t ended_at_ms = 0;
  std::int64_t answered_at_ms = 0;
  std::int64_t duration_s = 0;
  std::int64_t first_audio_ms = -1;
  std::string org_id;        // the organisation the call belongs to ('' when none matched)
  std::string assistant_id;
  std::string model;         // the Realtime model that answered
  std::string usage;         // its token usage so far (JSON, billing::to_json)
  std::string extraction_status;  // '' (none asked), running, done, failed, purged (retention)
  std::string extraction;         // the filled fields (JSON) when done
  std::string extraction_error;
  std::string extraction_model;  // the Chat Completions model the extraction asked ('' when none answered)
  std::string extraction_usage;  // that answer's token usage (JSON, billing::to_json), '' when none
};

// Configuration rows keep the document as JSON text (core/agent/org_config_json), so the
// store holds exactly what the API and the YAML files say; names and numbers are columns
// because calls are looked up by them.
struct org_record {
  std::string id;
  std::string name;
  std::string doc;                   // the organisation as JSON, numbers included
  std::vector<std::string> numbers;  // unique across organisations
};

struct assistant_record {
  std::string org_id;
  std::string id;
  std::string doc;  // the assistant as JSON
};

struct token_record {
  std::string id;          // public part, shown in lists ("tok_...")
  std::string hash;        // SHA-256 (hex) of the whole secret token; the secret is never stored
  std::string org_id;      // '' = every organisation (an administrator's token)
  std::string name;
  std::int64_t created_at_ms = 0;
};

struct call_filter {
  std::string org_id;     // '' = any
  std::string status;
  std::string direction;
  std::string number;     // matches from or to
  std::int64_t since_ms = 0;   // started at or after (0 = any)
  std::int64_t until_ms = 0;   // started before (0 = any)
  bool active_only = false;    // not ended yet
  int limit = 50;
  // Paging: calls strictly older than this (started_at_ms, call_sid) position.
  std::int64_t before_started_ms = 0;
  std::string before_sid;
};

// A record a tool saved into one of an organisation's collections (bookings, waitlist...).
struct record_row {
  std::string org_id;
  std::string collection;
  std::string ref;      // unique in the collection; read out to the caller
  std::string data;     // a JSON object
  std::string status = "active";  // active, cancelled, ...
  std::string call_sid;
  std::string caller;   // the caller's number, for "my booking" without a reference
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct record_filter {
  std::string org_id;
  std::string collection;
  std::string field;   // with value: records whose data.field equals value (text)
  std::string value;
  std::string caller;  // '' = any
  std::string status;  // '' = any
  int limit = 100;
  int offset = 0;
};

struct tool_call_row {
  std::string call_id;  // the model's id
  std::string call_sid;
  std::string name;
  std::string arguments;
  std::string result;
  std::string outcome;  // running, ok, invalid, error, timeout
  std::int64_t started_at_ms = 0;
  std::int64_t duration_ms = 0;
};

struct message_row {
  std::string sid;
  std::string org_id;
  std::string call_sid;
  std::string to;
  std::string from;
  std::string body;
  std::string status;
  std::string error_code;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct recording_row {
  std::string id;        // Twilio's RecordingSid, or "VG" + the call SID for voxgate's own
  std::string call_sid;
  std::string source;    // twilio, voxgate
  std::string status;    // downloading, stored, failed
  std::string blob_key;
  std::string content_type;
  std::int64_t bytes = 0;
  std::int64_t duration_s = 0;
  std::int64_t channels = 0;
  std::string error;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  // What made it: Twilio's RecordingSource (StartCallRecordingAPI, DialVerb, RecordVerb,
  // OutboundAPI, Conference, Trunking...), "voxgate" for the own one; empty when not known.
  // Last: a positional initialiser written before it is refused (-Wmissing-field-initializers)
  // rather than silently shifted.
  std::string origin;
};

// A write that would break a uniqueness rule (a number owned by another organisation).
struct store_conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct transcript_turn {
  std::string call_sid;
  std::string speaker;  // "caller" or "assistant"
  std::string text;
  std::int64_t at_ms = 0;
};

// A gather call's conversation (settings.mode: gather), kept between Twilio's webhooks so that
// any node can answer the next turn.
struct gather_conversation {
  std::string call_sid;
  std::string org_id;
  std::string assistant_id;
  std::string messages = "[]";  // JSON array of Chat Completions messages, the system message left out
  std::string usage;            // the token usage so far (JSON, billing::to_json); '' before any answer
  std::int64_t version = 0;     // 1 for the first save, one more for each later one
  std::int64_t ended_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct call_event {
  std::string call_sid;
  std::string kind;  // barge_in, dtmf, model_error, ...
  std::string detail;
  std::int64_t value = 0;
  std::int64_t at_ms = 0;
};

class store {
 public:
  virtual ~store() = default;
  // Applies pending migrations. Throws std::runtime_error naming what failed.
  virtual void migrate() = 0;
  // Creates the call row, or fills in what a later webhook knows.
  virtual void upsert_call(const call_row& row) = 0;
  // A status callback received at `at_ms`; older SequenceNumbers than the last applied are
  // ignored. The first in-progress one sets the answer time, whatever order they come in.
  virtual void update_status(const std::string& call_sid, const std::string& status, std::int64_t sequence,
                             std::int64_t duration_s, std::int64_t at_ms) = 0;
  virtual void finish_call(const std::string& call_sid, const std::string& end_reason, std::int64_t ended_at_ms,
                           std::int64_t first_audio_ms) = 0;
  virtual void add_turn(const transcript_turn& turn) = 0;
  virtual void add_event(const call_event& event) = 0;
  virtual void set_extraction(const std::string& call_sid, const std::string& status, const std::string& json,
                              const std::string& error) = 0;
  // The extraction's model and the token usage of its answer (replaces any before).
  virtual void set_extraction_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) = 0;
  // The model's token usage so far (replaces the previous total).
  virtual void set_call_usage(const std::string& call_sid, const std::string& model, const std::string& usage_json) = 0;

  virtual std::optional<call_row> find_call(const std::string& call_sid) = 0;
  virtual std::vector<transcript_turn> transcript(const std::string& call_sid) = 0;
  virtual std::vector<call_event> events(const std::string& call_sid) = 0;
  // Newest first; see call_filter for paging.
  virtual std::vector<call_row> list_calls(const call_filter& filter) = 0;

  // Organisations and assistants. Every write bumps config_version() in the same transaction,
  // so other nodes sharing the database notice and reload.
  // Creates or replaces the organisation and its numbers (store_conflict if another owns one).
  virtual void save_org(const org_record& org) = 0;
  // The organisation with exactly these assistants (others are deleted), in one transaction.
  virtual void save_org_document(const org_record& org, const std::vector<assistant_record>& assistants) = 0;
  virtual bool delete_org(const std::string& org_id) = 0;  // with its assistants, numbers and tokens
  virtual std::vector<org_record> list_orgs() = 0;
  virtual std::optional<org_record> find_org(const std::string& org_id) = 0;
  virtual void save_assistant(const assistant_record& assistant) = 0;  // its organisation must exist
  virtual bool delete_assistant(const std::string& org_id, const std::string& assistant_id) = 0;
  virtual std::vector<assistant_record> list_assistants(const std::string& org_id) = 0;  // in creation order
  virtual std::int64_t config_version() = 0;

  virtual void add_token(const token_record& token) = 0;
  virtual std::optional<token_record> find_token_by_hash(const std::string& hash) = 0;
  virtual std::vector<token_record> list_tokens() = 0;
  virtual bool delete_token(const std::string& id) = 0;

  // Records (store_conflict when the reference exists). Lists are newest first.
  virtual void add_record(const record_row& record) = 0;
  virtual bool update_record(const record_row& record) = 0;  // data, status, updated_at_ms by key
  virtual std::optional<record_row> find_record(const std::string& org_id, const std::string& collection,
                                                const std::string& ref) = 0;
  virtual std::vector<record_row> list_records(const record_filter& filter) = 0;

  // Tool calls: begin returns false when the call id was seen before (it is not run again).
  virtual bool begin_tool_call(const tool_call_row& call) = 0;
  virtual void finish_tool_call(const std::string& call_id, const std::string& result, const std::string& outcome,
                                std::int64_t duration_ms) = 0;
  virtual std::vector<tool_call_row> tool_calls(const std::string& call_sid) = 0;

  // SMS messages and their delivery status (callbacks may come in any order; the latest wins).
  virtual void add_message(const message_row& message) = 0;
  virtual bool update_message_status(const std::string& sid, const std::string& status, const std::string& error_code,
                                     std::int64_t at_ms) = 0;
  virtual std::optional<message_row> find_message(const std::string& sid) = 0;
  virtual std::vector<message_row> messages_of_call(const std::string& call_sid) = 0;

  // Recordings: claim returns false when the id exists (a repeated callback is not run twice).
  virtual bool claim_recording(const recording_row& recording) = 0;
  virtual void update_recording(const recording_row& recording) = 0;  // everything but id, by id
  virtual std::vector<recording_row> recordings_of_call(const std::string& call_sid) = 0;
  // Rows still "downloading" whose last update is older than `before_ms`, oldest first.
  virtual std::vector<recording_row> recordings_downloading_since_before(std::int64_t before_ms, int limit) = 0;
  // Sets updated_at to now_ms if it still is `seen_updated_at_ms` and the row is downloading:
  // true for the one caller that changed it.
  virtual bool touch_recording(const std::string& id, std::int64_t seen_updated_at_ms, std::int64_t now_ms) = 0;

  // Gather conversations. save_gather writes `c` only over the version before it: version 1
  // is inserted unless one exists, version N replaces N - 1. False when another writer got
  // there first (the row is then left as it was). end_gather sets ended_at_ms once: true for
  // the one caller that did.
  virtual bool save_gather(const gather_conversation& c) = 0;
  virtual std::optional<gather_conversation> find_gather(const std::string& call_sid) = 0;
  virtual bool end_gather(const std::string& call_sid, std::int64_t ended_at_ms) = 0;

  // Privacy and retention. purge removes what was said and recorded (transcript, events, tool
  // calls, messages, recording rows, a gather conversation, the extraction's data, which becomes status "purged"; the
  // caller deletes the blobs first) and keeps the call row for the statistics; delete_call removes the row too. Both in one transaction.
  virtual void purge_call_content(const std::string& call_sid) = 0;
  virtual bool delete_call(const std::string& call_sid) = 0;
  // Calls of an organisation started before `before_ms` that still hold content, oldest first.
  virtual std::vector<std::string> calls_to_purge(const std::string& org_id, std::int64_t before_ms, int limit) = 0;
};

}  // namespace vg::ports
