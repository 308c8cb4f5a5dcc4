-- THREAD_MODERATION=post: a comment typed under a post stays public while moderators look
-- (original_kept = 1 from the start), and what its author edits later is looked at again.

-- An edit of a comment already decided is a new submission of the same message: its
-- revision (0 as first sent, then 1, 2...) tells them apart, one row each. The date of the
-- author's latest edit (Telegram's edit_date, whole seconds) orders edits arriving late.
ALTER TABLE submissions ADD COLUMN thread_source_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN thread_source_edit_date INTEGER NOT NULL DEFAULT 0;
DROP INDEX submissions_by_thread_source;
CREATE UNIQUE INDEX submissions_by_thread_source
    ON submissions (thread_source_chat_id, thread_source_message_id, thread_source_revision)
    WHERE thread_source_message_id IS NOT NULL;
-- When the author last edited a comment still waiting: the card shows the latest words.
ALTER TABLE submissions ADD COLUMN edited_at REAL;
-- When the bot took the author's message down from the group.
ALTER TABLE submissions ADD COLUMN original_removed_at REAL;
-- Why Telegram would not let the bot take it down: 'no_right' (Delete messages is not
-- granted) or 'too_old' (bots delete messages only within 48 hours).
ALTER TABLE submissions ADD COLUMN removal_refused TEXT;
-- Telegram refused to post an approved comment in the thread for good: why.
ALTER TABLE submissions ADD COLUMN thread_post_refused TEXT;
-- An unpublished thread post too old to delete, edited to say it was removed instead.
ALTER TABLE submissions ADD COLUMN retracted_by_edit INTEGER NOT NULL DEFAULT 0;

