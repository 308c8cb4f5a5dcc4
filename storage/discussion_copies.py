"""Automatic forwards of channel posts that arrived before the post was recorded
(storage/migrations/0016_early_discussion_copies.sql)."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one


async def keep(
    conn: aiosqlite.Connection,
    channel_message_id: int,
    discussion_message_id: int,
    now: float,
    *,
    kept_for: float,
    at_most: int,
) -> None:
    """Keep a forward no article claims yet, for `kept_for` seconds; of those kept, only the
    newest `at_most` stay (the channel's other posts are forwarded too)."""
    await conn.execute(
        "DELETE FROM early_discussion_copies WHERE received_at < ?", (now - kept_for,)
    )
    await conn.execute(
        "INSERT OR REPLACE INTO early_discussion_copies"
        " (channel_message_id, discussion_message_id, received_at) VALUES (?, ?, ?)",
        (channel_message_id, discussion_message_id, now),
    )
    await conn.execute(
        "DELETE FROM early_discussion_copies WHERE channel_message_id NOT IN"
        " (SELECT channel_message_id FROM early_discussion_copies"
        "  ORDER BY received_at DESC, channel_message_id DESC LIMIT ?)",
        (at_most,),
    )


async def take(conn: aiosqlite.Connection, channel_message_id: int) -> int | None:
    """The discussion copy kept for this channel post, if any, no longer kept."""
    row = await fetch_one(
        conn,
        "DELETE FROM early_discussion_copies WHERE channel_message_id = ?"
        " RETURNING discussion_message_id",
        (channel_message_id,),
    )
    return int(row["discussion_message_id"]) if row else None
