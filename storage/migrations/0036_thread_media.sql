-- What carries no caption (a sticker, a location, a poll...), and media whose caption is
-- too long for a bot's, is published in the thread as a message of its own after the
-- comment's signed text (bot.delivery.thread_posts.thread_media). Its id, so that taking
-- the comment down (/forget) takes it down too.
ALTER TABLE submissions ADD COLUMN thread_media_message_id INTEGER;
