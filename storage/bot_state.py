"""Named facts the bot keeps across restarts."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one

MODERATION_CHAT_DOWN = "moderation_chat_down"
# The review desk: {"message_id": …, "item_id": …, "digest": …} as JSON.
REVIEW_DESK = "review_desk"
# Prefix: admins were told that deliveries of one kind of message fail inside the bot.
DELIVERY_FAILED = "delivery_failed"
# Prefix: admins were told that the bot lacks an administrator right in a chat.
MISSING_RIGHT = "missing_right"
# When the last spam digest was queued for the moderation group (epoch seconds).
SPAM_DIGEST = "spam_digest"


async def get(conn: aiosqlite.Connection, key: str) -> str | None:
    row = await fetch_one(conn, "SELECT value FROM bot_state WHERE key = ?", (key,))
    return str(row[0]) if row else None


async def set_if_absent(conn: aiosqlite.Connection, key: str, value: str) -> bool:
    """True if this call set it: the first of several reporters does the telling."""
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO bot_state (key, value) VALUES (?, ?)", (key, value)
    )
    return cursor.rowcount == 1


async def clear(conn: aiosqlite.Connection, key: str) -> bool:
    cursor = await conn.execute("DELETE FROM bot_state WHERE key = ?", (key,))
    return cursor.rowcount == 1


async def put(conn: aiosqlite.Connection, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
