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
-- A persistent flooder banned by flood control (bot.services.floods.treat_as_spam), kept
-- as a catch so that /spam lists it and ↩️ Not spam lifts the ban: a rejected 'comment'
-- holding the words of what tipped them over (if any), spam_reasons
-- [["flooding", messages, seconds]]. Its undo brings no card back: a flood was refused,
-- never stored.
ALTER TABLE submissions ADD COLUMN caught_flooding INTEGER NOT NULL DEFAULT 0;
-- Each item's wave fingerprint (bot.services.spam_waves.wave_print: 32 little-endian
-- unsigned ints; empty for a text too short to be a copy), taken as it arrives or is
-- edited, so that a card drawn or a 🧹 tapped does not fingerprint every pending text
-- again. NULL: stored before this migration, fingerprinted when compared.
ALTER TABLE submissions ADD COLUMN wave_print BLOB;
