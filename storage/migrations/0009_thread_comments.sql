-- Comments typed under a post, in the channel's discussion group: the message each came
-- from (deleted there while it waits for a moderator) and the message it answered, so the
-- published copy answers the same.
ALTER TABLE submissions ADD COLUMN thread_source_chat_id INTEGER;
ALTER TABLE submissions ADD COLUMN thread_source_message_id INTEGER;
ALTER TABLE submissions ADD COLUMN thread_reply_to_message_id INTEGER;
-- One submission per message in the group, however often its update comes.
CREATE UNIQUE INDEX submissions_by_thread_source
    ON submissions (thread_source_chat_id, thread_source_message_id)
    WHERE thread_source_message_id IS NOT NULL;
-- Which comment a published copy in the thread shows, for replies to it.
CREATE INDEX submissions_by_thread_message
    ON submissions (thread_message_id) WHERE thread_message_id IS NOT NULL;

-- When an author who has no private chat with the bot was last told in the thread that
-- their comment waits: at most one such notice per author every ten minutes.
CREATE TABLE thread_notices (
    user_id INTEGER PRIMARY KEY,
    noticed_at REAL NOT NULL
);

-- A comment in a thread names its post by the automatic forward's id.
CREATE INDEX articles_by_discussion_message ON articles (discussion_message_id);

-- A photo, video, voice note, sticker... typed in a thread: its kind, and the copy the bot
-- made of it in the moderation chat, from which an approved one is copied back.
ALTER TABLE submissions ADD COLUMN media_kind TEXT;
ALTER TABLE submissions ADD COLUMN moderation_copy_message_id INTEGER;
-- The original could not be taken down (the bot lacks "Delete messages"): it is public
-- already, and an approval must not post it a second time.
ALTER TABLE submissions ADD COLUMN original_kept INTEGER NOT NULL DEFAULT 0;
