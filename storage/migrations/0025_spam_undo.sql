-- ↩️ Not spam on /spam's list (bot.services.spam_undo): a catch put back as pending, as if
-- just written. caught_at is cleared (it is no longer set aside); restored_at and
-- restored_by keep that a moderator undid a catch, for /stats (catches made are those
-- caught now plus those restored).
ALTER TABLE submissions ADD COLUMN restored_at REAL;
ALTER TABLE submissions ADD COLUMN restored_by INTEGER;
CREATE INDEX submissions_restored ON submissions (restored_at) WHERE restored_at IS NOT NULL;
