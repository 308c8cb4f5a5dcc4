-- 🧹 Spam: a rejection that also taught the spam check. The card says so, and by whom
-- (decided_by); author_banned still says whether the author was banned with it.
ALTER TABLE submissions ADD COLUMN marked_spam INTEGER NOT NULL DEFAULT 0;
