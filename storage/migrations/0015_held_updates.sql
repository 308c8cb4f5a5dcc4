-- Updates whose handling failed, kept here to be tried again apart, so that the batch they
-- came in is confirmed and other people's updates are not held back (bot/update_handling.py).
-- person: whose updates they are; one person's are handled in order, so a later one waits
-- here behind a held one. raw: the update as Telegram sent it (JSON). attempts: failed
-- tries so far (0: waiting behind an earlier one). A row goes in the transaction that
-- records its update as handled (storage/processed_updates.py), or passed over.
CREATE TABLE held_updates (
    update_id INTEGER PRIMARY KEY,
    person INTEGER NOT NULL,
    raw TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    retry_at REAL NOT NULL,
    press_answered INTEGER NOT NULL
);
CREATE INDEX held_updates_by_person ON held_updates (person, update_id);
