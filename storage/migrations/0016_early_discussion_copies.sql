-- The automatic forward of a channel post (its copy in the discussion group, where its
-- comment thread is) can reach the bot before Telegram's answer to the post's sendMessage:
-- nothing orders the two. Such a copy waits here until the post is recorded, which links
-- it to its article; a copy of a post the bot did not make expires.
CREATE TABLE early_discussion_copies (
    channel_message_id INTEGER PRIMARY KEY,
    discussion_message_id INTEGER NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX early_discussion_copies_by_age ON early_discussion_copies (received_at);
