-- /spam's list messages (bot.delivery.spam_list): ↩️ Not spam is taken only from one of
-- them, since a client can send any button data from any message it sees.
CREATE TABLE spam_list_messages (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    sent_at REAL NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
