-- The spam check's learning. spam_examples is the source of truth: every decision the
-- filter learned from (the starter set, moderators' marks and approvals, the command
-- line), each text once per label. spam_model is a snapshot of the classifier built from
-- the examples up to `examples_upto`; a damaged or missing one is rebuilt from them.
CREATE TABLE spam_examples (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL CHECK (label IN ('spam', 'ham')),
    text TEXT NOT NULL,
    -- The normalised text's hash: a text learned twice with one label counts once.
    text_key TEXT NOT NULL,
    source TEXT NOT NULL,
    learned_at REAL NOT NULL,
    UNIQUE (text_key, label)
);

CREATE TABLE spam_model (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    examples_upto INTEGER NOT NULL,
    state BLOB NOT NULL,
    saved_at REAL NOT NULL
);
