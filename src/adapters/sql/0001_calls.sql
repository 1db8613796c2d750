-- (Written once for SQLite and PostgreSQL: see embed_sql.cmake.)
-- Calls, their transcript turns and events (append-only), written as they happen.
CREATE TABLE calls (
  call_sid       TEXT PRIMARY KEY,
  account_sid    TEXT NOT NULL DEFAULT '',
  from_number    TEXT NOT NULL DEFAULT '',
  to_number      TEXT NOT NULL DEFAULT '',
  direction      TEXT NOT NULL DEFAULT '',
  status         TEXT NOT NULL DEFAULT '',
  status_seq     INTEGER NOT NULL DEFAULT -1,
  end_reason     TEXT NOT NULL DEFAULT '',
  started_at_ms  INTEGER NOT NULL DEFAULT 0,
  ended_at_ms    INTEGER NOT NULL DEFAULT 0,
  duration_s     INTEGER NOT NULL DEFAULT 0,
  first_audio_ms INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE transcript_turns (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  call_sid TEXT NOT NULL REFERENCES calls(call_sid) ON DELETE CASCADE,
  speaker  TEXT NOT NULL,
  text     TEXT NOT NULL,
  at_ms    INTEGER NOT NULL
);
CREATE INDEX transcript_turns_call ON transcript_turns(call_sid, id);
CREATE TABLE call_events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  call_sid TEXT NOT NULL REFERENCES calls(call_sid) ON DELETE CASCADE,
  kind     TEXT NOT NULL,
  detail   TEXT NOT NULL DEFAULT '',
  value    INTEGER NOT NULL DEFAULT 0,
  at_ms    INTEGER NOT NULL
);
CREATE INDEX call_events_call ON call_events(call_sid, id);
