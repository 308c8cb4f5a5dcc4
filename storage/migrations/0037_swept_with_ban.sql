-- A pending comment taken down with its author's ban (🚫 Ban author or 🧹 Spam on another
-- card, /ban, the spam check's catch; bot.services.bans.sweep), not decided on its own card:
-- its author was not told of it, so its card offers no reasons (bot.services.reasons).
ALTER TABLE submissions ADD COLUMN swept_with_ban INTEGER NOT NULL DEFAULT 0;
