"""Readers' profiles, bans, and what each reader is in the middle of."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import Ban, Person, ReaderState

_REMEMBER = (
    "INSERT INTO readers (user_id, first_name, last_name, username, updated_at, language_code)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
    " last_name = excluded.last_name, username = excluded.username,"
    " updated_at = excluded.updated_at,"
    # An update without a language_code (a channel, some clients) keeps the last one known.
    " language_code = COALESCE(excluded.language_code, readers.language_code)"
)


async def remember(conn: aiosqlite.Connection, person: Person, now: float) -> None:
    await remember_all(conn, [person], now)


async def remember_all(conn: aiosqlite.Connection, people: Sequence[Person], now: float) -> None:
    """Store each person's current Telegram name, in one trip to the database thread."""
    await conn.executemany(
        _REMEMBER,
        [(p.user_id, p.first_name, p.last_name, p.username, now, p.language_code) for p in people],
    )


_BAN_COLUMNS = (
    "user_id, banned_by, banned_by_name, banned_at, until, reason, reason_submission_id, lifted_at"
)
# A ban holds until lifted or past its end (the periodic check lifts it soon after).
_HOLDS = "lifted_at IS NULL AND (until IS NULL OR until > ?)"


def _ban(row: aiosqlite.Row) -> Ban:
    return Ban(
        user_id=int(row["user_id"]),
        banned_by=int(row["banned_by"]),
        banned_by_name=row["banned_by_name"],
        banned_at=float(row["banned_at"]),
        until=row["until"],
        reason=row["reason"],
        submission_id=row["reason_submission_id"],
        lifted_at=row["lifted_at"],
    )


async def active_ban(conn: aiosqlite.Connection, user_id: int, now: float) -> Ban | None:
    """The reader's ban if it holds at `now`."""
    row = await fetch_one(
        conn, f"SELECT {_BAN_COLUMNS} FROM bans WHERE user_id = ? AND {_HOLDS}", (user_id, now)
    )
    return _ban(row) if row else None


async def is_banned(conn: aiosqlite.Connection, user_id: int, now: float) -> bool:
    return await active_ban(conn, user_id, now) is not None


async def ban(
    conn: aiosqlite.Connection,
    user_id: int,
    banned_by: Person | int,
    submission_id: int | None,
    now: float,
) -> bool:
    """Ban for good, unless a ban holds already (it stays as it is); False then.
    `banned_by`: the moderator, or the bot's own number (0) for its own bans."""
    by_id, by_name = (
        (banned_by.user_id, banned_by.display_name)
        if isinstance(banned_by, Person)
        else (banned_by, None)
    )
    cursor = await conn.execute(
        "INSERT INTO bans (user_id, banned_by, banned_by_name, banned_at, reason_submission_id)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " banned_by = excluded.banned_by, banned_by_name = excluded.banned_by_name,"
        " banned_at = excluded.banned_at, reason_submission_id = excluded.reason_submission_id,"
        " until = NULL, reason = NULL, lifted_at = NULL"
        " WHERE bans.lifted_at IS NOT NULL OR bans.until <= excluded.banned_at",
        (user_id, by_id, by_name, now, submission_id),
    )
    return cursor.rowcount == 1


async def set_ban(conn: aiosqlite.Connection, ban: Ban) -> None:
    """Write the reader's ban as given, over whatever was there (a moderator's /ban, or the
    term chosen on a card)."""
    await conn.execute(
        f"INSERT INTO bans ({_BAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"
        " ON CONFLICT (user_id) DO UPDATE SET banned_by = excluded.banned_by,"
        " banned_by_name = excluded.banned_by_name, banned_at = excluded.banned_at,"
        " until = excluded.until, reason = excluded.reason,"
        " reason_submission_id = excluded.reason_submission_id, lifted_at = NULL",
        (
            ban.user_id,
            ban.banned_by,
            ban.banned_by_name,
            ban.banned_at,
            ban.until,
            ban.reason,
            ban.submission_id,
        ),
    )


async def unban(conn: aiosqlite.Connection, user_id: int, now: float) -> bool:
    """Lift a ban that holds; False if none does (never banned, lifted, or run out)."""
    cursor = await conn.execute(
        f"UPDATE bans SET lifted_at = ? WHERE user_id = ? AND {_HOLDS}", (now, user_id, now)
    )
    return cursor.rowcount == 1


async def active_bans(
    conn: aiosqlite.Connection, now: float, limit: int
) -> tuple[int, list[tuple[Ban, Person | None]]]:
    """How many bans hold at `now`, and the newest `limit` of them, each with the reader as
    last seen (None: never seen)."""
    counted = await fetch_one(conn, f"SELECT COUNT(*) FROM bans WHERE {_HOLDS}", (now,))
    prefixed = ", ".join(f"b.{column.strip()}" for column in _BAN_COLUMNS.split(","))
    rows = await fetch_all(
        conn,
        f"SELECT {prefixed}, r.first_name, r.last_name, r.username, r.language_code"
        " FROM bans AS b LEFT JOIN readers AS r ON r.user_id = b.user_id"
        " WHERE b.lifted_at IS NULL AND (b.until IS NULL OR b.until > ?)"
        " ORDER BY b.banned_at DESC LIMIT ?",
        (now, limit),
    )
    listed = [(_ban(row), _person(row) if row["first_name"] is not None else None) for row in rows]
    return (int(counted[0]) if counted else 0), listed


# Every minute (bot.services.bans.BanExpiry): through the bans_running_out index.
RUN_OUT_SQL = (
    f"SELECT {_BAN_COLUMNS} FROM bans WHERE lifted_at IS NULL AND until IS NOT NULL"
    " AND until <= ? ORDER BY until LIMIT ?"
)


async def lift_run_out(conn: aiosqlite.Connection, now: float, limit: int = 100) -> list[Ban]:
    """Lift (as of their end) the bans past their end that nobody lifted yet; returns them."""
    rows = await fetch_all(conn, RUN_OUT_SQL, (now, limit))
    ended = [_ban(row) for row in rows]
    await conn.executemany(
        "UPDATE bans SET lifted_at = until WHERE user_id = ? AND lifted_at IS NULL",
        [(b.user_id,) for b in ended],
    )
    return ended


BY_USERNAME_SQL = (
    "SELECT user_id, first_name, last_name, username, language_code FROM readers"
    " WHERE username = ? COLLATE NOCASE ORDER BY updated_at DESC LIMIT 1"
)


async def find_by_username(conn: aiosqlite.Connection, username: str) -> Person | None:
    """The reader the bot last saw with this @username (Telegram's are case-insensitive)."""
    row = await fetch_one(conn, BY_USERNAME_SQL, (username,))
    return _person(row) if row else None


async def find(conn: aiosqlite.Connection, user_id: int) -> Person | None:
    row = await fetch_one(
        conn,
        "SELECT user_id, first_name, last_name, username, language_code FROM readers"
        " WHERE user_id = ?",
        (user_id,),
    )
    return _person(row) if row else None


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        int(row["user_id"]),
        row["first_name"],
        row["last_name"],
        row["username"],
        row["language_code"],
    )


async def get_state(conn: aiosqlite.Connection, user_id: int) -> ReaderState | None:
    row = await fetch_one(
        conn,
        "SELECT user_id, mode, article_id, data, updated_at FROM reader_states WHERE user_id = ?",
        (user_id,),
    )
    if row is None:
        return None
    return ReaderState(
        row["user_id"], row["mode"], row["article_id"], json.loads(row["data"]), row["updated_at"]
    )


async def set_state(
    conn: aiosqlite.Connection,
    user_id: int,
    mode: str,
    article_id: int | None,
    now: float,
    data: dict[str, str] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO reader_states (user_id, mode, article_id, data, updated_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode,"
        " article_id = excluded.article_id, data = excluded.data,"
        " updated_at = excluded.updated_at",
        (user_id, mode, article_id, json.dumps(data or {}), now),
    )


async def clear_state(conn: aiosqlite.Connection, user_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM reader_states WHERE user_id = ?", (user_id,))
    return cursor.rowcount == 1


async def clear_states(conn: aiosqlite.Connection, user_ids: Sequence[int]) -> None:
    await conn.execute(
        "DELETE FROM reader_states WHERE user_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(user_ids)),),
    )


async def prune_states(conn: aiosqlite.Connection, before: float) -> int:
    """Forget states last touched before `before` (they have expired); returns how many."""
    cursor = await conn.execute("DELETE FROM reader_states WHERE updated_at < ?", (before,))
    return cursor.rowcount


async def last_thread_notice(conn: aiosqlite.Connection, user_id: int) -> float | None:
    row = await fetch_one(
        conn, "SELECT noticed_at FROM thread_notices WHERE user_id = ?", (user_id,)
    )
    return float(row[0]) if row else None


async def note_thread_notice(conn: aiosqlite.Connection, user_id: int, now: float) -> None:
    await conn.execute(
        "INSERT INTO thread_notices (user_id, noticed_at) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET noticed_at = excluded.noticed_at",
        (user_id, now),
    )


async def language(conn: aiosqlite.Connection, user_id: int) -> tuple[str | None, str | None]:
    """The language a reader chose (None: none chosen) and Telegram's language_code."""
    row = await fetch_one(
        conn, "SELECT language, language_code FROM readers WHERE user_id = ?", (user_id,)
    )
    return (row[0], row[1]) if row else (None, None)


async def choose_language(conn: aiosqlite.Connection, user_id: int, language: str) -> None:
    await conn.execute("UPDATE readers SET language = ? WHERE user_id = ?", (language, user_id))
