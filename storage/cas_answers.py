"""What the Combot Anti-Spam list answered about a user, and when (bot.cas)."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one

LOOKUP_SQL = "SELECT banned FROM cas_answers WHERE user_id = ? AND checked_at >= ?"
PRUNE_SQL = "DELETE FROM cas_answers WHERE checked_at < ?"


async def get(conn: aiosqlite.Connection, user_id: int, not_before: float) -> bool | None:
    """True if CAS lists the user, False if it does not; None when there is no answer
    given at `not_before` or later."""
    row = await fetch_one(conn, LOOKUP_SQL, (user_id, not_before))
    return bool(row[0]) if row else None


async def put(conn: aiosqlite.Connection, user_id: int, banned: bool, checked_at: float) -> None:
    await conn.execute(
        "INSERT INTO cas_answers (user_id, banned, checked_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE"
        " SET banned = excluded.banned, checked_at = excluded.checked_at",
        (user_id, int(banned), checked_at),
    )


async def prune(conn: aiosqlite.Connection, before: float) -> int:
    """Forget answers given before `before`; returns how many."""
    cursor = await conn.execute(PRUNE_SQL, (before,))
    return cursor.rowcount
