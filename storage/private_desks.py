"""Moderators' private review desks and the claims they hold on pending items."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from storage.db import fetch_all, fetch_one


class DeskState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    CLOSED = "closed"


@dataclass(frozen=True)
class PrivateDesk:
    moderator_id: int
    state: DeskState
    # Open: the item claimed (None when nothing waited). Expired: the item it showed.
    item_id: int | None
    claimed_until: float | None
    message_id: int | None
    digest: str | None
    # The item the message was last confirmed to show (None: none, or not known since the
    # desk changed), since when by Telegram's clock, and whether an edit put it there (in
    # place of what the message showed before) rather than a fresh message.
    shown_item_id: int | None = None
    shown_since: float | None = None
    shown_by_edit: bool = False
    # When Telegram last confirmed that the moderator moderates.
    checked_at: float | None = None

    def holds(self, item_id: int) -> bool:
        return self.state is DeskState.OPEN and self.item_id == item_id


_COLUMNS = (
    "moderator_id, state, item_id, claimed_until, message_id, digest,"
    " shown_item_id, shown_since, shown_by_edit, checked_at"
)


def _desk(row: aiosqlite.Row) -> PrivateDesk:
    return PrivateDesk(
        moderator_id=int(row[0]),
        state=DeskState(row[1]),
        item_id=row[2],
        claimed_until=row[3],
        message_id=row[4],
        digest=row[5],
        shown_item_id=row[6],
        shown_since=row[7],
        shown_by_edit=bool(row[8]),
        checked_at=row[9],
    )


async def get(conn: aiosqlite.Connection, moderator_id: int) -> PrivateDesk | None:
    row = await fetch_one(
        conn, f"SELECT {_COLUMNS} FROM private_desks WHERE moderator_id = ?", (moderator_id,)
    )
    return _desk(row) if row else None


NEXT_UNCLAIMED_SQL = (
    "SELECT id FROM submissions WHERE status = 'pending' AND id > ?"
    " AND id NOT IN (SELECT value FROM json_each(?))"
    " AND id NOT IN (SELECT item_id FROM private_desks WHERE state = 'open'"
    " AND item_id IS NOT NULL AND moderator_id != ?) ORDER BY id LIMIT 1"
)


async def next_unclaimed(
    conn: aiosqlite.Connection, moderator_id: int, after_id: int, excluded: Collection[int]
) -> int | None:
    """The oldest pending item after `after_id` that no other open desk holds (nor any of
    `excluded`: the item the group's desk shows, one just skipped), wrapping round to the
    oldest."""
    for start in (after_id, 0):
        row = await fetch_one(
            conn, NEXT_UNCLAIMED_SQL, (start, json.dumps(list(excluded)), moderator_id)
        )
        if row:
            return int(row[0])
    return None


async def claim(
    conn: aiosqlite.Connection,
    moderator_id: int,
    item_id: int | None,
    until: float,
    now: float,
) -> None:
    """The desk is open and holds `item_id` (None: nothing to hold) until `until`. Unless
    it held that item open already, what its message shows is not known until the desk's
    next delivery records it: a reply meanwhile answers nobody."""
    await conn.execute(
        "INSERT INTO private_desks (moderator_id, state, item_id, claimed_until, updated_at)"
        " VALUES (?, 'open', ?, ?, ?) ON CONFLICT (moderator_id) DO UPDATE SET"
        f" shown_item_id = CASE WHEN {_SAME_OPEN_ITEM} THEN shown_item_id END,"
        f" shown_since = CASE WHEN {_SAME_OPEN_ITEM} THEN shown_since END,"
        " state = 'open', item_id = excluded.item_id,"
        " claimed_until = excluded.claimed_until, updated_at = excluded.updated_at",
        (moderator_id, item_id, until if item_id is not None else None, now),
    )


# In an upsert's update, the columns are the row's values before it.
_SAME_OPEN_ITEM = "state = 'open' AND item_id IS excluded.item_id"


async def release_claim(conn: aiosqlite.Connection, moderator_id: int, now: float) -> None:
    """The desk keeps its item (decided elsewhere) but no longer holds it against time."""
    await conn.execute(
        "UPDATE private_desks SET claimed_until = NULL, updated_at = ?"
        " WHERE moderator_id = ? AND state = 'open'",
        (now, moderator_id),
    )


async def pause_idle(conn: aiosqlite.Connection, moderator_id: int, now: float) -> None:
    """An open desk that holds nothing pauses: it takes nothing until its moderator asks."""
    await conn.execute(
        "UPDATE private_desks SET state = 'expired', updated_at = ?"
        " WHERE moderator_id = ? AND state = 'open' AND item_id IS NULL",
        (now, moderator_id),
    )


async def record_check(conn: aiosqlite.Connection, moderator_id: int, now: float) -> None:
    """Telegram confirmed just now that the desk's moderator moderates."""
    await conn.execute(
        "UPDATE private_desks SET checked_at = ? WHERE moderator_id = ?", (now, moderator_id)
    )


async def close(conn: aiosqlite.Connection, moderator_id: int, now: float) -> bool:
    """The desk is closed and its claim released; False if it was not open or expired."""
    cursor = await conn.execute(
        "UPDATE private_desks SET state = 'closed', claimed_until = NULL, updated_at = ?"
        " WHERE moderator_id = ? AND state != 'closed'",
        (now, moderator_id),
    )
    return cursor.rowcount == 1


async def expire_claims(conn: aiosqlite.Connection, now: float) -> list[int]:
    """Claims whose time ran out are released; returns the moderators who held them."""
    rows = await fetch_all(
        conn,
        "UPDATE private_desks SET state = 'expired', updated_at = ?"
        " WHERE state = 'open' AND claimed_until <= ? RETURNING moderator_id",
        (now, now),
    )
    return sorted(int(row[0]) for row in rows)


async def holding(conn: aiosqlite.Connection, item_id: int) -> list[int]:
    """The moderators whose open desk holds the item (one at most, by the unique index)."""
    rows = await fetch_all(
        conn,
        "SELECT moderator_id FROM private_desks WHERE state = 'open' AND item_id = ?",
        (item_id,),
    )
    return [int(row[0]) for row in rows]


async def idle(conn: aiosqlite.Connection) -> list[PrivateDesk]:
    """Open desks that hold nothing: they take the next item when one waits."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM private_desks WHERE state = 'open' AND item_id IS NULL"
        " ORDER BY updated_at",
    )
    return [_desk(row) for row in rows]


async def record_shown(
    conn: aiosqlite.Connection,
    moderator_id: int,
    message_id: int,
    digest: str,
    item_id: int | None,
    at: float,
    *,
    by_edit: bool,
) -> None:
    """The desk's message shows `item_id` (None: no item), as Telegram confirmed at `at`
    after an edit (`by_edit`) or a send; since then, unless it showed that item already on
    that message."""
    same = "message_id IS :message_id AND shown_item_id IS :item_id"
    await conn.execute(
        f"UPDATE private_desks SET shown_since = CASE WHEN {same} THEN shown_since ELSE :at END,"
        f" shown_by_edit = CASE WHEN {same} THEN shown_by_edit ELSE :by_edit END,"
        " message_id = :message_id, digest = :digest, shown_item_id = :item_id"
        " WHERE moderator_id = :moderator_id",
        {
            "message_id": message_id,
            "item_id": item_id,
            "at": at,
            "by_edit": by_edit,
            "digest": digest,
            "moderator_id": moderator_id,
        },
    )
