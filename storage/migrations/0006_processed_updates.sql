-- Updates already handled: after a crash Telegram sends the unconfirmed ones again, and
-- these are skipped rather than handled twice.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    processed_at REAL NOT NULL
);

-- The reader's message a submission came from: the same message handled again (after a
-- crash) finds its submission instead of making a second one.
ALTER TABLE submissions ADD COLUMN source_message_id INTEGER;
CREATE UNIQUE INDEX submissions_by_source_message
    ON submissions (user_id, source_message_id) WHERE source_message_id IS NOT NULL;
