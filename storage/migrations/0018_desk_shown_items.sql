-- What a private desk's message showed, as Telegram confirmed it: the item (NULL: none, or
-- not known since the desk changed), since when (Telegram's date of the send or edit that
-- put it there), and whether that edit replaced what the message showed before. A reply to
-- the desk answers that item only if it was written after.
ALTER TABLE private_desks ADD COLUMN shown_item_id INTEGER;
ALTER TABLE private_desks ADD COLUMN shown_since REAL;
ALTER TABLE private_desks ADD COLUMN shown_by_edit INTEGER NOT NULL DEFAULT 0;
-- When Telegram last confirmed that the desk's moderator moderates (a fresh membership
-- check at /desk, a tap or an answer): only desks checked recently are given new items.
ALTER TABLE private_desks ADD COLUMN checked_at REAL;
