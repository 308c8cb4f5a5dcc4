-- Replies bring readers back (bot.services.reply_notices): a reader whose published
-- comment is answered hears it privately, at most once per thread every ten minutes.
-- When each reader was last told, per thread, is kept here so that a restart does not
-- start the ten minutes afresh. article_id 0: comments under no post of ours.
CREATE TABLE reply_notices (
    user_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    noticed_at REAL NOT NULL,
    PRIMARY KEY (user_id, article_id)
);

-- Readers who sent /notifications off (the default, no row, is on).
CREATE TABLE reply_notices_off (
    user_id INTEGER PRIMARY KEY,
    turned_off_at REAL NOT NULL
);

