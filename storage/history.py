"""What the bot knows of a reader's past: for flood control, duplicates and cards."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import AuthorHistory


async def recent_submissions(
    conn: aiosqlite.Connection, user_id: int, text: str, since: float
) -> list[tuple[float, bool]]:
    """The reader's submissions since `since`, newest first: when, and whether its text is
    `text`. One query serves both flood control and the repeat check."""
    rows = await fetch_all(
        conn,
        "SELECT created_at, text = ? FROM submissions WHERE user_id = ? AND created_at > ?"
        " ORDER BY created_at DESC",
        (text, user_id, since),
    )
    return [(float(row[0]), bool(row[1])) for row in rows]


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


async def spam_records(
    conn: aiosqlite.Connection, user_ids: Sequence[int]
) -> dict[int, tuple[int, int, int]]:
    """For the spam check, in one statement: each author's approved submissions, those
    marked spam (by a moderator or caught), and everything they sent before. An author
    not in the answer has sent nothing."""
    distinct = sorted(set(user_ids))
    if not distinct:
        return {}
    marks = ", ".join("?" * len(distinct))
    rows = await fetch_all(
        conn,
        "SELECT user_id, COALESCE(SUM(status = 'approved'), 0), COALESCE(SUM(marked_spam), 0),"
        f" COUNT(*) FROM submissions WHERE user_id IN ({marks}) GROUP BY user_id",
        distinct,
    )
    return {int(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in rows}
