"""What the bot knows of a reader's past: for flood control, duplicates and cards."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import AuthorHistory


async def recent_submission_times(
    conn: aiosqlite.Connection, user_id: int, since: float
) -> list[float]:
    """When the reader submitted anything since `since`, newest first."""
    return [
        float(row[0])
        for row in await fetch_all(
            conn,
            "SELECT created_at FROM submissions WHERE user_id = ? AND created_at > ?"
            " ORDER BY created_at DESC",
            (user_id, since),
        )
    ]


async def has_sent_text_since(
    conn: aiosqlite.Connection, user_id: int, text: str, since: float
) -> bool:
    return (
        await fetch_one(
            conn,
            "SELECT 1 FROM submissions WHERE user_id = ? AND created_at > ? AND text = ? LIMIT 1",
            (user_id, since, text),
        )
        is not None
    )


async def of_author(
    conn: aiosqlite.Connection, user_id: int, excluding_submission: int | None = None
) -> AuthorHistory:
    counts = await fetch_one(
        conn,
        "SELECT"
        " COALESCE(SUM(status = 'approved'), 0), COALESCE(SUM(status = 'rejected'), 0)"
        " FROM submissions WHERE user_id = ? AND id != ?",
        (user_id, excluding_submission or 0),
    )
    ban = await fetch_one(conn, "SELECT lifted_at FROM bans WHERE user_id = ?", (user_id,))
    return AuthorHistory(
        approved=int(counts[0]) if counts else 0,
        rejected=int(counts[1]) if counts else 0,
        banned_before=ban is not None,
    )
