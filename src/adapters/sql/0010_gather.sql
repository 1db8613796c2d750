-- Gather calls (settings.mode: gather): each call's Chat Completions conversation, kept between
-- Twilio's webhooks so that any node sharing the database can answer the next turn.
CREATE TABLE gather_conversations (
  call_sid      TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL DEFAULT '',
  assistant_id  TEXT NOT NULL DEFAULT '',
  messages      TEXT NOT NULL DEFAULT '[]',  -- JSON array of the messages after the system message
  usage         TEXT NOT NULL DEFAULT '',    -- the call's token usage so far (as calls.usage)
  version       INTEGER NOT NULL DEFAULT 0,  -- bumped by every saved turn: a stale writer loses
  ended_at_ms   INTEGER NOT NULL DEFAULT 0,  -- set once, by whoever ends the call first
  updated_at_ms INTEGER NOT NULL DEFAULT 0
);
