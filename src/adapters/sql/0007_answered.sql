-- When the call was answered: the first status callback that says in-progress.
ALTER TABLE calls ADD COLUMN answered_at_ms INTEGER NOT NULL DEFAULT 0;
