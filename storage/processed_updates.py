"""Which Telegram updates were handled already.

An update is recorded as handled in the same transaction as the state change it causes:
`Database.transaction()` writes the mark of the update being handled (`handling`) before
it commits. A crash before that commit leaves the update unrecorded and it is handled again
after the restart; a crash after it finds the change made and the update skipped. A
handler that changed nothing (it only read, or only answered) is recorded once it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

if TYPE_CHECKING:
    # storage.db records the update being handled in every transaction it commits.
    from storage.db import Database


@dataclass
class HandledUpdate:
    """The update a task is handling, and what became of it."""

    update_id: int
    # How often handling it failed before (the reader hears of the first failure only).
    earlier_failures: int = 0
    # Its mark is written (or is being written with the transaction now committing).
    recorded: bool = False
    # A handler failed on it: it is not recorded, so that it is handled again.
    failed: bool = False
    # A button press the error handler answered ("something went wrong"): Telegram takes
    # one answer per press, so handling it again must not answer it a second time.
    press_answered: bool = False


_current: ContextVar[HandledUpdate | None] = ContextVar("handled_update", default=None)


@contextmanager
def handling(
    update_id: int, earlier_failures: int = 0, *, press_answered: bool = False
) -> Iterator[HandledUpdate]:
    """While the block runs, this task's transactions record `update_id` as handled."""
    handled = HandledUpdate(update_id, earlier_failures, press_answered=press_answered)
    token = _current.set(handled)
    try:
        yield handled
    finally:
        _current.reset(token)


def current() -> HandledUpdate | None:
    return _current.get()


async def record(conn: aiosqlite.Connection, update_ids: Sequence[int], now: float) -> None:
    """Mark updates handled, in the caller's transaction; one held to be tried again
    (storage.held_updates) is held no more, in the same transaction, so that a crash never
    leaves an update both handled and waiting to be handled again."""
    ids = json.dumps(list(update_ids))
    await conn.execute(
        "INSERT OR IGNORE INTO processed_updates (update_id, processed_at)"
        " SELECT value, ? FROM json_each(?)",
        (now, ids),
    )
    await conn.execute(
        "DELETE FROM held_updates WHERE update_id IN (SELECT value FROM json_each(?))", (ids,)
    )


async def unprocessed(db: Database, update_ids: list[int]) -> set[int]:
    if not update_ids:
        return set()
    async with db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT update_id FROM processed_updates"
            " WHERE update_id IN (SELECT value FROM json_each(?))",
            (json.dumps(update_ids),),
        )
    return set(update_ids) - {int(row[0]) for row in rows}


async def prune(conn: aiosqlite.Connection, before: float) -> int:
    """Forget marks older than `before` (through the index on processed_at)."""
    cursor = await conn.execute("DELETE FROM processed_updates WHERE processed_at < ?", (before,))
    return cursor.rowcount
