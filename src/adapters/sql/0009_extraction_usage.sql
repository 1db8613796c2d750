-- What the after-call extraction cost: the Chat Completions model it asked and the token usage
-- of its answer (JSON, as `usage`). Both stay '' when no answer came (none asked, or failed
-- before an answer).
ALTER TABLE calls ADD COLUMN extraction_model TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN extraction_usage TEXT NOT NULL DEFAULT '';
