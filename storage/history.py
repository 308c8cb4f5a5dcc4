"""What the bot knows of a reader's past: for flood control, duplicates and cards."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import aiosqlite

from storage import moderation_log
from storage.db import fetch_all, fetch_one
from storage.models import AuthorHistory, LoggedAction


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
        " COALESCE(SUM(status = 'approved'), 0), COALESCE(SUM(status = 'rejected'), 0),"
        " COALESCE(SUM(marked_spam), 0)"
        # A forgotten reader who comes back is a new reader: what they wrote before is not
        # theirs any more (a ban, the moderators' decision, still counts below).
        " FROM submissions WHERE user_id = ? AND id != ? AND author_forgotten = 0",
        (user_id, excluding_submission or 0),
    )
    ban = await fetch_one(conn, "SELECT lifted_at FROM bans WHERE user_id = ?", (user_id,))
    return AuthorHistory(
        approved=int(counts[0]) if counts else 0,
        rejected=int(counts[1]) if counts else 0,
        banned_before=ban is not None,
        spam=int(counts[2]) if counts else 0,
    )


# What a card shows of the record: the reasons of this many latest rejections (a line's
# worth), and the latest notes.
REJECTIONS_READ = 10
NOTES_ON_CARDS = 2


async def for_cards(
    conn: aiosqlite.Connection, user_id: int, excluding_submission: int | None = None
) -> AuthorHistory:
    """`of_author`, with what the moderation record adds for a card's summary: the latest
    rejections' reasons, the latest ban (its term) and the latest notes."""
    past = await of_author(conn, user_id, excluding_submission)
    rejections = await moderation_log.latest_of_author(
        conn,
        user_id,
        (LoggedAction.REJECT, LoggedAction.REMOVE, LoggedAction.REASON),
        REJECTIONS_READ,
    )
    reasons = [
        line.reason
        for line in rejections
        if line.reason
        and (excluding_submission is None or line.submission_id != excluding_submission)
    ]
    bans = await moderation_log.latest_of_author(conn, user_id, (LoggedAction.BAN,), 1)
    notes = await moderation_log.latest_of_author(
        conn, user_id, (LoggedAction.NOTE,), NOTES_ON_CARDS
    )
    return dataclasses.replace(
        past,
        rejection_reasons=tuple(dict.fromkeys(reasons)),
        latest_ban=bans[0] if bans else None,
        notes=tuple(notes),
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
