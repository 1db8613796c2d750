-- The model and its token usage per call (summed over every response.done), for cost.
ALTER TABLE calls ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN usage TEXT NOT NULL DEFAULT '';
