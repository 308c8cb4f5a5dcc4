-- The Combot Anti-Spam list's answers (bot.cas), kept so that a reader who comes back is
-- not asked about again after every restart. Only definite answers are kept ("unknown"
-- is not an answer); rows older than CAS_CACHE_HOURS are ignored, then pruned.
CREATE TABLE cas_answers (
    user_id INTEGER PRIMARY KEY,
    banned INTEGER NOT NULL CHECK (banned IN (0, 1)),
    checked_at REAL NOT NULL
);
CREATE INDEX cas_answers_by_age ON cas_answers (checked_at);
