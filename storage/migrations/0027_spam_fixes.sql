-- /spam's list messages (bot.delivery.spam_list): ↩️ Not spam is taken only from one of
-- them, since a client can send any button data from any message it sees.
CREATE TABLE spam_list_messages (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    sent_at REAL NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
-- A pending comment of an author the spam check banned, taken down with that catch (as
-- 🚫 Ban author sweeps; bot.services.moderation.ban_caught_author): swept_by is the
-- catch's id, so that ↩️ Not spam on it brings the comment back. decided_by stays empty
-- (no moderator decided), and /stats does not count it as a decision.
ALTER TABLE submissions ADD COLUMN swept_by INTEGER;
CREATE INDEX submissions_swept ON submissions (swept_by) WHERE swept_by IS NOT NULL;
