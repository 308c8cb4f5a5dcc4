"""The moderation record: one line per decision, appended and never changed (migration
0026 refuses updates and deletes), so every decision keeps who, when and why."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import LogEntry, LoggedAction, Person

_COLUMNS = (
    "id, at, action, moderator_id, moderator_name, author_id, submission_id, reason, until, detail"
)

# Read for every card drawn (its summary and notes).
LATEST_OF_AUTHOR_SQL = (
    f"SELECT {_COLUMNS} FROM moderation_log WHERE author_id = ?"
    " AND action IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?"
)


async def append(
    conn: aiosqlite.Connection,
    action: LoggedAction,
    at: float,
    *,
    moderator: Person | None,
    author_id: int | None,
    submission_id: int | None = None,
    reason: str | None = None,
    until: float | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Write one line; `moderator` None is the bot itself. Never a reader's words here."""
    await conn.execute(
        "INSERT INTO moderation_log (at, action, moderator_id, moderator_name, author_id,"
        " submission_id, reason, until, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            action.value,
            moderator.user_id if moderator else None,
            moderator.display_name if moderator else None,
            author_id,
            submission_id,
            reason,
            until,
            json.dumps(detail, sort_keys=True) if detail else None,
        ),
    )


async def of_author(conn: aiosqlite.Connection, author_id: int, limit: int = 200) -> list[LogEntry]:
    """The newest `limit` lines about one reader, oldest first."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM (SELECT {_COLUMNS} FROM moderation_log WHERE author_id = ?"
        " ORDER BY id DESC LIMIT ?) ORDER BY id",
        (author_id, limit),
    )
    return [_entry(row) for row in rows]


async def newest_of_author(
    conn: aiosqlite.Connection, author_id: int, limit: int
) -> tuple[list[LogEntry], int]:
    """The newest `limit` lines about one reader, newest first, and how many there are."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM moderation_log WHERE author_id = ? ORDER BY id DESC LIMIT ?",
        (author_id, limit),
    )
    count = await fetch_one(
        conn, "SELECT COUNT(*) FROM moderation_log WHERE author_id = ?", (author_id,)
    )
    return [_entry(row) for row in rows], int(count[0]) if count else 0


async def latest_of_author(
    conn: aiosqlite.Connection, author_id: int, actions: Sequence[LoggedAction], limit: int
) -> list[LogEntry]:
    """The newest `limit` lines of these kinds about one reader, newest first."""
    rows = await fetch_all(
        conn, LATEST_OF_AUTHOR_SQL, (author_id, json.dumps([a.value for a in actions]), limit)
    )
    return [_entry(row) for row in rows]


async def of_submission(conn: aiosqlite.Connection, submission_id: int) -> list[LogEntry]:
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM moderation_log WHERE submission_id = ? ORDER BY id",
        (submission_id,),
    )
    return [_entry(row) for row in rows]


def _entry(row: aiosqlite.Row) -> LogEntry:
    return LogEntry(
        id=int(row["id"]),
        at=float(row["at"]),
        action=LoggedAction(row["action"]),
        moderator_id=row["moderator_id"],
        moderator_name=row["moderator_name"],
        author_id=row["author_id"],
        submission_id=row["submission_id"],
        reason=row["reason"],
        until=row["until"],
        detail=json.loads(row["detail"]) if row["detail"] else {},
    )
