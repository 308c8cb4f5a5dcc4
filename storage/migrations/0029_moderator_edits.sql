-- ✏️ Edit before approving (issue 22, bot.services.edits): a moderator's corrected text
-- beside the reader's own, which stays untouched in `text`. Approving publishes the
-- correction, marked as edited by the moderators; a second edit replaces the first.
ALTER TABLE submissions ADD COLUMN corrected_text TEXT;
ALTER TABLE submissions ADD COLUMN corrected_by INTEGER;
ALTER TABLE submissions ADD COLUMN corrected_by_name TEXT;
ALTER TABLE submissions ADD COLUMN corrected_at REAL;

-- Who tapped ✏️ Edit on which pending comment, and when: their next reply to its card is
-- the corrected text. Kept here, not in memory, so a restart between the tap and the
-- reply loses nothing. A row goes once the correction is saved.
CREATE TABLE edit_requests (
    submission_id INTEGER NOT NULL,
    moderator_id INTEGER NOT NULL,
    requested_at REAL NOT NULL,
    PRIMARY KEY (submission_id, moderator_id)
) WITHOUT ROWID;
