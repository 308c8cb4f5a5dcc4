-- Reasons (issue 22): why a comment was rejected, given after the one-tap ❌ Reject.
-- A key of REJECT_REASONS (off_topic...) or a moderator's own words; NULL: none given.
-- Set once: the author is told it once.
ALTER TABLE submissions ADD COLUMN decision_reason TEXT;
-- When the author's notice of the decision was sent (rendered from this row, so it carried
-- the reason if one was given by then): a reason given later follows in a notice of its own.
ALTER TABLE submissions ADD COLUMN outcome_told_at REAL;

-- The item each desk offers reasons for: the last one rejected there, until the next
-- decision made on that desk. `desk`: 'group', or a moderator's id (their private desk).
CREATE TABLE desk_reason_offers (
    desk TEXT PRIMARY KEY,
    submission_id INTEGER NOT NULL
);
