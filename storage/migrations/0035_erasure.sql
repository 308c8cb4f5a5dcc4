-- Readers own their words (issue 23): /forget erases a reader's words and names, and
-- retention erases what is kept too long (bot.services.forget).
-- erased_at: when the submission's words were erased (its text is '' from then on, and a
-- contact message's name and email are gone), by /forget or by retention.
-- author_forgotten: its author asked to be forgotten (/forget, or an admin's /forget USER
-- for them): signed "a former reader", and no longer part of anyone's history. A pending
-- item is then withdrawn: status 'rejected', decided_by and decided_at left empty. A
-- published comment its author chose to leave up keeps its words (erased_at NULL).
ALTER TABLE submissions ADD COLUMN erased_at REAL;
ALTER TABLE submissions ADD COLUMN author_forgotten INTEGER NOT NULL DEFAULT 0;
-- Retention finds what to erase by age, through indexes: contact messages by the time of
-- their conversation's last message (computed per batch), rejected comments by decision.
CREATE INDEX submissions_not_erased ON submissions (kind, status, created_at)
    WHERE erased_at IS NULL;

-- Who asked to be forgotten, and when: a backup restored later still holds their words,
-- and this list says whose to erase again (README, "Backups"). Plain ids, not hashes:
-- Telegram ids are few enough that a hash is reversed by trying them all, and the
-- moderation record keeps the id anyway. published: what they chose for their published
-- comments ('down' or 'keep', bot.services.forget.Published), to be chosen again.
CREATE TABLE forgotten_readers (
    user_id INTEGER PRIMARY KEY,
    forgotten_at REAL NOT NULL,
    published TEXT NOT NULL
);
