-- After-call extraction (settings.extraction): its state, the filled fields, or why it failed.
ALTER TABLE calls ADD COLUMN extraction_status TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN extraction TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN extraction_error TEXT NOT NULL DEFAULT '';
