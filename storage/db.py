"""The SQLite connection: WAL mode, numbered migrations, and one transaction at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from storage import processed_updates

logger = logging.getLogger(__name__)

# How long a statement waits for another connection's lock (a backup, the command line).
BUSY_TIMEOUT_MS = 5000


def _migrations() -> list[tuple[int, str]]:
    """Numbered `.sql` files of storage/migrations, in order: `0001_initial.sql` is version 1."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.read_text(encoding="utf-8")))
    return sorted(found)


def database_problem(path: Path) -> str | None:
    """Why the database file cannot be used, worded for a one-line error; None if it can."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA user_version")
        finally:
            connection.close()
    except (OSError, sqlite3.Error) as error:
        return f"cannot be opened ({path}): {error}"
    return None


class Database:
    """One aiosqlite connection shared by the bot's coroutines.

    aiosqlite runs every statement on one thread, so two coroutines that interleave
    statements would share a transaction; the lock keeps each unit of work whole.
    """

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; `transaction()` issues BEGIN itself.
        connection = await aiosqlite.connect(path, isolation_level=None)
        try:
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a comment the reader was told about survives a power cut, not only a crash.
            await connection.execute("PRAGMA synchronous = FULL")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Deleted and overwritten content is zeroed, not left in free space where a copy
            # of the file would still hold it: a reader's erased words must be gone (issue 23).
            await connection.execute("PRAGMA secure_delete = ON")
            database = cls(connection)
            await database._migrate()
        except BaseException:
            # aiosqlite's connection is a thread that keeps the process alive until closed:
            # a file that is not a database would otherwise leave a command hanging.
            await connection.close()
            raise
        return database

    async def _migrate(self) -> None:
        async with self._connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        pending = [(version, script) for version, script in _migrations() if version > current]
        if not pending:
            return
        # A migration that rebuilds a table (SQLite's documented way to change a column)
        # drops it while other tables still refer to it: foreign keys are off meanwhile, and
        # checked whole before they are back on.
        await self._connection.execute("PRAGMA foreign_keys = OFF")
        for version, script in pending:
            logger.info("Applying database migration %04d", version)
            # executescript commits first, so the version bump rides in the script itself.
            await self._connection.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        broken = list(await self._connection.execute_fetchall("PRAGMA foreign_key_check"))
        if broken:
            raise RuntimeError(f"database migration left broken references: {broken[:5]}")
        await self._connection.execute("PRAGMA foreign_keys = ON")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        Inside the handling of a Telegram update, the update is recorded as handled in the
        same transaction, so the change and the record of it are one (storage.processed_updates).
        """
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            handled = processed_updates.current()
            changes_before = self._connection.total_changes
            try:
                yield self._connection
                changed = self._connection.total_changes != changes_before
                # A transaction that only read has not handled the update.
                if changed and handled is not None and not handled.recorded and not handled.failed:
                    await processed_updates.record(
                        self._connection, [handled.update_id], time.time()
                    )
                else:
                    handled = None
                await self._connection.execute("COMMIT")
            except BaseException:
                # A COMMIT that failed may leave the transaction open (or SQLite may have
                # rolled it back already): never leave it open for the next one to meet.
                if self._connection.in_transaction:
                    # A COMMIT cancelled while already under way may still complete, and
                    # then there is nothing to roll back: the original error is the one
                    # to raise.
                    with contextlib.suppress(sqlite3.OperationalError):
                        await self._connection.execute("ROLLBACK")
                raise
            if handled is not None:
                handled.recorded = True

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads that must not see another coroutine's transaction half done, and single
        write statements, each of which SQLite commits as a transaction of its own."""
        async with self._lock:
            yield self._connection

    async def clear_erased_pages(self) -> None:
        """After an erasure: the write-ahead log still holds the pages as they were before
        it, words included, until a checkpoint copies the new ones into the database and
        TRUNCATE empties the log. A reader (a backup under way) may keep the log from being
        emptied: the next checkpoint does it."""
        async with self._lock:
            # Without waiting for them (busy_timeout 0): a backup reading for minutes must
            # not hold every other write back. What it kept from being emptied goes at the
            # next erasure's checkpoint, or when the bot closes the database.
            await self._connection.execute("PRAGMA busy_timeout = 0")
            try:
                await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self._connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    async def close(self) -> None:
        await self._connection.close()


async def fetch_one(
    conn: aiosqlite.Connection,
    sql: str,
    parameters: Sequence[object] | Mapping[str, object] = (),
) -> aiosqlite.Row | None:
    """One row, in one trip to aiosqlite's thread (execute, fetch and close are three)."""
    rows = list(await conn.execute_fetchall(sql, parameters))
    return rows[0] if rows else None


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, parameters: Sequence[object] = ()
) -> list[aiosqlite.Row]:
    return list(await conn.execute_fetchall(sql, parameters))


async def insert_rows(
    conn: aiosqlite.Connection,
    into: str,
    row_values: str,
    rows: Sequence[Sequence[object]],
) -> list[int]:
    """Insert `rows` in one statement (`INSERT INTO {into} VALUES {row_values}, ...`);
    returns their ids in the order given."""
    if not rows:
        return []
    inserted = await fetch_all(
        conn,
        f"INSERT INTO {into} VALUES {', '.join([row_values] * len(rows))} RETURNING id",
        [value for row in rows for value in row],
    )
    # The rows of one INSERT take increasing ids in the order of its VALUES, while
    # RETURNING promises no order: sorting the ids restores the order given.
    return sorted(int(row[0]) for row in inserted)
