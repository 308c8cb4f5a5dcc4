-- The record of every moderation decision (issue 22): appended, never changed, so that
-- "who banned this reader, and why?" still has an answer after a later decision.
-- submissions.decided_by keeps only the latest decision; this keeps them all.
-- It holds who decided what and the moderators' reasons, never a reader's words: a
-- reader's erasure (issue 23) leaves this record whole.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    -- storage.models.LoggedAction
    action TEXT NOT NULL,
    -- NULL: the bot itself (the spam check, the flood gate, a ban that ran out).
    moderator_id INTEGER,
    moderator_name TEXT,
    -- The reader the decision concerns.
    author_id INTEGER,
    submission_id INTEGER,
    -- A reason's key (off_topic...) or a moderator's own words.
    reason TEXT,
    -- A ban's end (Unix time); NULL for a ban without end and for other actions.
    until REAL,
    -- Small JSON of what else the action carries (a wave's first copy, a count).
    detail TEXT
);
CREATE INDEX moderation_log_by_author ON moderation_log (author_id, id);
CREATE INDEX moderation_log_by_submission ON moderation_log (submission_id, id);

CREATE TRIGGER moderation_log_is_never_updated BEFORE UPDATE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;

CREATE TRIGGER moderation_log_is_never_deleted BEFORE DELETE ON moderation_log
BEGIN
    SELECT RAISE(ABORT, 'moderation_log is append-only');
END;
