-- Organisations, their assistants and numbers, API tokens; calls learn their organisation.
-- Documents are JSON text exactly as the API and YAML files give them (core/agent/org_config_json).
CREATE TABLE organizations (
  id   TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  doc  TEXT NOT NULL
);
CREATE TABLE assistants (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order: the first is the default
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id     TEXT NOT NULL,
  doc    TEXT NOT NULL,
  UNIQUE (org_id, id)
);
CREATE TABLE phone_numbers (
  number TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);
CREATE INDEX phone_numbers_org ON phone_numbers(org_id);
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  token_hash    TEXT NOT NULL UNIQUE,
  org_id        TEXT NOT NULL DEFAULT '',
  name          TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE config_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO config_version VALUES (1, 0);
ALTER TABLE calls ADD COLUMN org_id TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN assistant_id TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_started ON calls(started_at_ms DESC, call_sid DESC);
CREATE INDEX calls_org_started ON calls(org_id, started_at_ms DESC, call_sid DESC);
