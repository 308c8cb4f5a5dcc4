"""What the bot knows of a reader's past: for flood control, duplicates and cards."""

from __future__ import annotations

import aiosqlite

from storage.models import AuthorHistory


async def recent_submission_times(
    conn: aiosqlite.Connection, user_id: int, since: float
) -> list[float]:
    """When the reader submitted anything since `since`, newest first."""
    async with conn.execute(
        "SELECT created_at FROM submissions WHERE user_id = ? AND created_at > ?"
        " ORDER BY created_at DESC",
        (user_id, since),
    ) as cur:
        return [float(row[0]) for row in await cur.fetchall()]


async def has_sent_text_since(
    conn: aiosqlite.Connection, user_id: int, text: str, since: float
) -> bool:
    async with conn.execute(
        "SELECT 1 FROM submissions WHERE user_id = ? AND created_at > ? AND text = ? LIMIT 1",
        (user_id, since, text),
    ) as cur:
        return await cur.fetchone() is not None


async def of_author(
    conn: aiosqlite.Connection, user_id: int, excluding_submission: int | None = None
) -> AuthorHistory:
    async with conn.execute(
        "SELECT"
        " COALESCE(SUM(status = 'approved'), 0), COALESCE(SUM(status = 'rejected'), 0)"
        " FROM submissions WHERE user_id = ? AND id != ?",
        (user_id, excluding_submission or 0),
    ) as cur:
        counts = await cur.fetchone()
    async with conn.execute("SELECT lifted_at FROM bans WHERE user_id = ?", (user_id,)) as cur:
        ban = await cur.fetchone()
    return AuthorHistory(
        approved=int(counts[0]) if counts else 0,
        rejected=int(counts[1]) if counts else 0,
        banned_before=ban is not None,
    )
