-- Small facts the bot must remember across restarts, such as "admins were already told
-- that the moderation chat is unreachable".
CREATE TABLE bot_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
