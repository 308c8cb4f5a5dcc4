"""Updates whose handling failed, kept to be tried again apart, and those a person sent
behind them or beyond a batch's time budget (bot.update_handling).

A row goes in the transaction that records its update as handled (processed_updates.record),
so an update is never both held and handled. One person's rows are tried in update order:
the first is their head, and only a head's `retry_at` counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import fetch_all, fetch_one


@dataclass(frozen=True)
class HeldUpdate:
    update_id: int
    # Whose it is (bot.update_handling.order_key): their later updates wait behind it.
    person: int
    # The update as Telegram sent it.
    raw: dict[str, Any]
    # Failed tries so far (0: never tried, behind an earlier one of its person or put off
    # by a batch's time budget).
    attempts: int
    retry_at: float
    # A button press the error handler answered already (Telegram takes one answer).
    press_answered: bool


async def hold(conn: aiosqlite.Connection, updates: Sequence[HeldUpdate]) -> None:
    """Keep updates; one held already (its batch fetched again after a crash) stays as it is."""
    await conn.executemany(
        "INSERT OR IGNORE INTO held_updates"
        " (update_id, person, raw, attempts, retry_at, press_answered)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                held.update_id,
                held.person,
                json.dumps(held.raw),
                held.attempts,
                held.retry_at,
                int(held.press_answered),
            )
            for held in updates
        ],
    )


async def held_per_person(conn: aiosqlite.Connection) -> dict[int, int]:
    """How many updates of each person with any held are held."""
    rows = await fetch_all(conn, "SELECT person, COUNT(*) FROM held_updates GROUP BY person")
    return {int(row[0]): int(row[1]) for row in rows}


async def held_among(conn: aiosqlite.Connection, update_ids: Sequence[int]) -> set[int]:
    """Which of these updates are held (a batch fetched again after a crash)."""
    rows = await fetch_all(
        conn,
        "SELECT update_id FROM held_updates WHERE update_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(update_ids)),),
    )
    return {int(row[0]) for row in rows}


# Each person's first held update (SQLite takes a bare column of a MIN() aggregate from
# the row holding the minimum).
_HEADS = "SELECT person, MIN(update_id), retry_at FROM held_updates GROUP BY person"


async def people_due(conn: aiosqlite.Connection, now: float) -> list[int]:
    """The people whose first held update is due by `now`."""
    rows = await fetch_all(conn, f"SELECT person FROM ({_HEADS}) WHERE retry_at <= ?", (now,))
    return [int(row[0]) for row in rows]


async def next_due(conn: aiosqlite.Connection) -> float | None:
    """When the next held update is due; None if none is held."""
    row = await fetch_one(conn, f"SELECT MIN(retry_at) FROM ({_HEADS})")
    return float(row[0]) if row and row[0] is not None else None


FIRST_OF_SQL = (
    "SELECT update_id, person, raw, attempts, retry_at, press_answered FROM held_updates"
    " WHERE person = ? ORDER BY update_id LIMIT 1"
)


async def first_of(conn: aiosqlite.Connection, person: int) -> HeldUpdate | None:
    row = await fetch_one(conn, FIRST_OF_SQL, (person,))
    if row is None:
        return None
    return HeldUpdate(
        int(row[0]), int(row[1]), json.loads(row[2]), int(row[3]), float(row[4]), bool(row[5])
    )


async def failed_again(
    conn: aiosqlite.Connection,
    update_id: int,
    attempts: int,
    retry_at: float,
    *,
    press_answered: bool,
) -> None:
    await conn.execute(
        "UPDATE held_updates SET attempts = ?, retry_at = ?, press_answered = ?"
        " WHERE update_id = ?",
        (attempts, retry_at, int(press_answered), update_id),
    )
