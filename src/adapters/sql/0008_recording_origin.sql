-- What made a recording: Twilio's RecordingSource (StartCallRecordingAPI, DialVerb, RecordVerb,
-- OutboundAPI, Conference, Trunking...) from its callback, or 'voxgate' for voxgate's own.
-- Twilio's rows stored before this column existed stay '' (not known).
ALTER TABLE recordings ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE recordings SET origin = 'voxgate' WHERE source = 'voxgate';
