-- Bans keep their history: unbanning sets lifted_at, so a card can say "banned before".
ALTER TABLE bans ADD COLUMN lifted_at REAL;

-- Flood control and duplicate checks look at one reader's recent submissions.
CREATE INDEX submissions_by_user_time ON submissions (user_id, created_at);

-- Where an approved comment was posted in the discussion thread, so it can be taken back.
ALTER TABLE submissions ADD COLUMN thread_message_id INTEGER;
-- An approval made by the trusted-author rule rather than by a moderator.
ALTER TABLE submissions ADD COLUMN auto_approved INTEGER NOT NULL DEFAULT 0;
