-- Article ids are never reused (AUTOINCREMENT): a channel post whose answer was lost keeps
-- pointing at its own article, never at the next one. 'failed': the post could not be
-- made; the row stays, so its id is not handed out again.
CREATE TABLE articles_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished', 'failed')),
    channel_message_id INTEGER,
    discussion_message_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at REAL NOT NULL,
    unpublished_at REAL,
    counter_shown INTEGER NOT NULL DEFAULT 0
);
INSERT INTO articles_new (id, url, title, summary, status, channel_message_id,
    discussion_message_id, created_by, created_at, unpublished_at, counter_shown)
SELECT id, url, title, summary, status, channel_message_id, discussion_message_id,
    created_by, created_at, unpublished_at, counter_shown FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_by_channel_message ON articles (channel_message_id);
-- A second /post of the same link finds the first.
CREATE INDEX articles_by_url ON articles (url);

-- Retention: settled outbox rows, handled update ids and readers' states are pruned by
-- age, each through an index rather than a scan of the whole table.
CREATE INDEX outbox_settled ON outbox (settled_at);
CREATE INDEX processed_updates_by_time ON processed_updates (processed_at);
CREATE INDEX reader_states_by_time ON reader_states (updated_at);
