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

    def holds(self, item_id: int) -> bool:
        return self.state is DeskState.OPEN and self.item_id == item_id


_COLUMNS = "moderator_id, state, item_id, claimed_until, message_id, digest"


def _desk(row: aiosqlite.Row) -> PrivateDesk:
    return PrivateDesk(int(row[0]), DeskState(row[1]), row[2], row[3], row[4], row[5])


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
    """The desk is open and holds `item_id` (None: nothing to hold) until `until`."""
    await conn.execute(
        "INSERT INTO private_desks (moderator_id, state, item_id, claimed_until, updated_at)"
        " VALUES (?, 'open', ?, ?, ?) ON CONFLICT (moderator_id) DO UPDATE SET"
        " state = 'open', item_id = excluded.item_id,"
        " claimed_until = excluded.claimed_until, updated_at = excluded.updated_at",
        (moderator_id, item_id, until if item_id is not None else None, now),
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


async def idle(conn: aiosqlite.Connection) -> list[int]:
    """Open desks that hold nothing: they take the next item when one waits."""
    rows = await fetch_all(
        conn,
        "SELECT moderator_id FROM private_desks WHERE state = 'open' AND item_id IS NULL"
        " ORDER BY updated_at",
    )
    return [int(row[0]) for row in rows]


async def record_shown(
    conn: aiosqlite.Connection, moderator_id: int, message_id: int, digest: str
) -> None:
    await conn.execute(
        "UPDATE private_desks SET message_id = ?, digest = ? WHERE moderator_id = ?",
        (message_id, digest, moderator_id),
    )
