-- Private review desks: one per moderator, a message in their private chat with the bot.
-- state: open (item_id is claimed until claimed_until, or NULL when nothing waited),
-- expired (the claim ran out; item_id is what it showed), closed.
CREATE TABLE private_desks (
    moderator_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('open', 'expired', 'closed')),
    item_id INTEGER REFERENCES submissions (id),
    claimed_until REAL,
    message_id INTEGER,
    digest TEXT,
    updated_at REAL NOT NULL
);
-- An item is claimed by one open desk at most: two moderators never hold the same item.
CREATE UNIQUE INDEX private_desks_by_claim ON private_desks (item_id)
    WHERE state = 'open' AND item_id IS NOT NULL;
CREATE INDEX private_desks_by_expiry ON private_desks (claimed_until) WHERE state = 'open';

-- An editor's answer written on a private desk: its copy under the card in the moderation
-- group, where the conversation threads (a reply to the copy continues it).
ALTER TABLE contact_replies ADD COLUMN group_copy_chat_id INTEGER;
ALTER TABLE contact_replies ADD COLUMN group_copy_message_id INTEGER;
CREATE INDEX contact_replies_by_group_copy
    ON contact_replies (group_copy_chat_id, group_copy_message_id)
    WHERE group_copy_message_id IS NOT NULL;
