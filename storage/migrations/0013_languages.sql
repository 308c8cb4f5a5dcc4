-- A reader's language: the one they chose with /language (NULL: follow Telegram's), and
-- the language_code Telegram last gave for them.
ALTER TABLE readers ADD COLUMN language TEXT;
ALTER TABLE readers ADD COLUMN language_code TEXT;
