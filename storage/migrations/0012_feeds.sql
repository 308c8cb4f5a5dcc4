-- The blog's feeds (FEED_URLS): what the last fetch said, and the failure streak.
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    -- Validators of the last answer, sent back so that an unchanged feed answers 304.
    etag TEXT,
    last_modified TEXT,
    -- When its entries were first recorded (those are not posted); NULL: not yet.
    first_seen_at REAL,
    last_fetch_at REAL,
    -- ok, not_modified or failed.
    last_result TEXT,
    last_error TEXT,
    -- Consecutive failures, and whether the admins were told of this streak.
    failures INTEGER NOT NULL DEFAULT 0,
    admins_told INTEGER NOT NULL DEFAULT 0,
    next_fetch_at REAL NOT NULL DEFAULT 0,
    posted INTEGER NOT NULL DEFAULT 0
);

-- Every entry ever seen, by its id (guid / Atom id, else its link): one entry, one post.
CREATE TABLE feed_entries (
    feed_url TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    -- The article it became; NULL: recorded without a post (there at first sight, or its
    -- link was posted already).
    article_id INTEGER,
    seen_at REAL NOT NULL,
    PRIMARY KEY (feed_url, entry_key)
);

-- A feed entry's image, posted as a photo with the article's text as its caption.
ALTER TABLE articles ADD COLUMN image_url TEXT;
