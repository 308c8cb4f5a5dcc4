-- What each card and each comment counter last showed, so an edit that would change
-- nothing is not sent (Telegram answers it with "message is not modified").
ALTER TABLE moderation_cards ADD COLUMN rendered TEXT;
ALTER TABLE articles ADD COLUMN counter_shown INTEGER NOT NULL DEFAULT 0;
