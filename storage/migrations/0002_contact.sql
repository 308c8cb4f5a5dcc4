-- The contact form: a contact message is a submission of kind 'contact' with these fields.
ALTER TABLE submissions ADD COLUMN contact_name TEXT;
ALTER TABLE submissions ADD COLUMN contact_email TEXT;

-- A card may need a second message when a long contact message does not fit in one.
ALTER TABLE moderation_cards ADD COLUMN role TEXT NOT NULL DEFAULT 'card'
    CHECK (role IN ('card', 'continuation'));

-- The conversation under a contact message: editors' answers and readers' answers back.
CREATE TABLE contact_replies (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    direction TEXT NOT NULL CHECK (direction IN ('to_reader', 'to_editors')),
    author_id INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    -- The message someone wrote; unique, so an update handled twice is recorded once.
    source_chat_id INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'undeliverable')),
    -- The message the bot sent for it, which the other side may reply to in turn.
    delivered_chat_id INTEGER,
    delivered_message_id INTEGER,
    failure TEXT,
    created_at REAL NOT NULL,
    delivered_at REAL,
    UNIQUE (source_chat_id, source_message_id)
);
CREATE INDEX contact_replies_by_submission ON contact_replies (submission_id, id);
CREATE INDEX contact_replies_by_delivered_message
    ON contact_replies (delivered_chat_id, delivered_message_id);
