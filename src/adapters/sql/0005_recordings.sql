-- Recordings of a call: Twilio's (downloaded and kept in the blob store) and voxgate's own
-- stereo WAV. The id is Twilio's RecordingSid, so a repeated callback finds its row.
CREATE TABLE recordings (
  id            TEXT PRIMARY KEY,
  call_sid      TEXT NOT NULL,
  source        TEXT NOT NULL,                -- twilio, voxgate
  status        TEXT NOT NULL,                -- downloading, stored, failed
  blob_key      TEXT NOT NULL DEFAULT '',
  content_type  TEXT NOT NULL DEFAULT '',
  bytes         INTEGER NOT NULL DEFAULT 0,
  duration_s    INTEGER NOT NULL DEFAULT 0,
  channels      INTEGER NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX recordings_call ON recordings(call_sid, created_at_ms);
