-- Bans with a term and a reason (issue 22). A ban past its `until` is over even before the
-- bot's periodic check lifts it (sets lifted_at and records the unban).
-- NULL: for good (as every ban before this migration).
ALTER TABLE bans ADD COLUMN until REAL;
-- The moderator's own words (/ban USER TERM REASON); NULL when none was given.
ALTER TABLE bans ADD COLUMN reason TEXT;
-- Who banned, by name as Telegram showed it then (/bans lists it); NULL for the bot itself
-- and for bans made before this migration.
ALTER TABLE bans ADD COLUMN banned_by_name TEXT;

-- The bans that run out, soonest first, for the periodic check.
CREATE INDEX bans_running_out ON bans (until) WHERE lifted_at IS NULL AND until IS NOT NULL;
-- /ban @username and /unban @username use readers_by_username (migration 0027).
