-- An album's pictures come as one message each, at once: those after the first pass flood
-- control only as the rest of an album whose first picture was taken (ten at most), so
-- albums sent again and again are refused as any flood is.
ALTER TABLE submissions ADD COLUMN media_group_id TEXT;
-- A file (a picture, a sticker...) sent again without a caption is a repeat, as a text is:
-- Telegram's file_unique_id is the same for the same file, whoever sends it and however.
ALTER TABLE submissions ADD COLUMN file_unique_id TEXT;
