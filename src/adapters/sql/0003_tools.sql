-- Tools: the records they save (bookings, waitlist, task orders... as JSON documents), every
-- function call with its outcome, and the SMS messages sent, updated by status callbacks.
CREATE TABLE records (
  org_id        TEXT NOT NULL,
  collection    TEXT NOT NULL,
  ref           TEXT NOT NULL,          -- the reference read out to the caller
  data          TEXT NOT NULL,          -- JSON object
  status        TEXT NOT NULL DEFAULT 'active',
  call_sid      TEXT NOT NULL DEFAULT '',
  caller        TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (org_id, collection, ref)
);
CREATE INDEX records_recent ON records(org_id, collection, created_at_ms DESC);
CREATE INDEX records_caller ON records(org_id, collection, caller);
CREATE TABLE tool_calls (
  call_id       TEXT PRIMARY KEY,       -- the model's call id: a repeated one is never run twice
  call_sid      TEXT NOT NULL,
  name          TEXT NOT NULL,
  arguments     TEXT NOT NULL,
  result        TEXT NOT NULL DEFAULT '',
  outcome       TEXT NOT NULL DEFAULT 'running',
  started_at_ms INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tool_calls_call ON tool_calls(call_sid, started_at_ms);
CREATE TABLE messages (
  sid           TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL DEFAULT '',
  call_sid      TEXT NOT NULL DEFAULT '',
  to_number     TEXT NOT NULL,
  from_number   TEXT NOT NULL,
  body          TEXT NOT NULL,
  status        TEXT NOT NULL,
  error_code    TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX messages_call ON messages(call_sid);
