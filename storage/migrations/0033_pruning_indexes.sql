-- Housekeeping (bot.services.housekeeping) prunes these by age: one indexed delete each.
CREATE INDEX reply_notices_by_time ON reply_notices (noticed_at);
CREATE INDEX spam_list_messages_by_time ON spam_list_messages (sent_at);
