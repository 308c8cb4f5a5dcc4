-- /history @username and /note @username find a reader by the username they last had.
-- Telegram's usernames are case-insensitive (and ASCII, which NOCASE folds).
CREATE INDEX readers_by_username ON readers (username COLLATE NOCASE);
