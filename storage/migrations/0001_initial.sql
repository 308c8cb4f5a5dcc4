-- Articles posted to the channel by admins. A row is written before the channel post
-- is sent (status 'draft'), because the post's comment link needs the article id.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished')),
    channel_message_id INTEGER,
    -- The copy Telegram forwards into the discussion group; comments are replies to it.
    discussion_message_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at REAL NOT NULL,
    unpublished_at REAL
);
CREATE INDEX articles_by_channel_message ON articles (channel_message_id);

-- The last known Telegram profile of everyone who submitted something.
CREATE TABLE readers (
    user_id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT,
    username TEXT,
    updated_at REAL NOT NULL
);

CREATE TABLE bans (
    user_id INTEGER PRIMARY KEY,
    banned_by INTEGER NOT NULL,
    banned_at REAL NOT NULL,
    reason_submission_id INTEGER
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'contact')),
    user_id INTEGER NOT NULL REFERENCES readers (user_id),
    article_id INTEGER REFERENCES articles (id),
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at REAL NOT NULL,
    decided_by INTEGER,
    decided_by_name TEXT,
    decided_at REAL,
    author_banned INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX submissions_by_status ON submissions (status, id);
CREATE INDEX submissions_by_article ON submissions (article_id, status, id);
CREATE INDEX submissions_by_user ON submissions (user_id, id);

-- Every card message showing a submission; /queue may show one item more than once.
CREATE TABLE moderation_cards (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX moderation_cards_by_submission ON moderation_cards (submission_id);

-- What a reader is in the middle of (commenting on an article), kept across restarts.
CREATE TABLE reader_states (
    user_id INTEGER PRIMARY KEY,
    mode TEXT NOT NULL,
    article_id INTEGER REFERENCES articles (id),
    data TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);

-- Telegram side effects of state changes, written in the same transaction as the change
-- and delivered by one background worker.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    -- The chat the effect lands in, so a 429 for one chat holds back only that chat.
    chat_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    created_at REAL NOT NULL,
    settled_at REAL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
