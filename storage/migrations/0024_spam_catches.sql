-- The spam check's verdict on what arrives (bot.services.spam_screen). spam_score and
-- spam_reasons (JSON: [[kind, count, minutes], ...], strongest first) are kept for
-- "unsure" and "spam": the card's "⚠️ Likely spam" flag, and /spam's list.
-- caught_at: the check removed it by itself, and it was never a card: status 'rejected',
-- marked_spam 1, decided_by and decided_at NULL (no moderator decided; /stats counts
-- decisions by decided_at). Catches are never learned from: the filter would feed on
-- itself.
ALTER TABLE submissions ADD COLUMN spam_score REAL;
ALTER TABLE submissions ADD COLUMN spam_reasons TEXT;
ALTER TABLE submissions ADD COLUMN caught_at REAL;
CREATE INDEX submissions_caught ON submissions (caught_at) WHERE caught_at IS NOT NULL;
