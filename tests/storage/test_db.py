from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from storage.db import Database, _migrations


async def test_migrations_bring_a_new_file_to_the_latest_version(database_path: Path) -> None:
    """A new database file is created, with its folder, and migrated to the newest version."""
    database = await Database.open(database_path)
    async with database.reading() as conn:
        async with conn.execute("PRAGMA user_version") as cursor:
            version = (await cursor.fetchone())[0]  # type: ignore[index]
        async with conn.execute("PRAGMA journal_mode") as cursor:
            journal = (await cursor.fetchone())[0]  # type: ignore[index]
    await database.close()
    assert version == _migrations()[-1][0]
    assert journal == "wal"


async def test_reopening_keeps_data_and_applies_nothing_twice(database_path: Path) -> None:
    """Opening an already migrated file keeps its rows (migrations are not re-run)."""
    database = await Database.open(database_path)
    async with database.transaction() as conn:
        await conn.execute(
            "INSERT INTO readers (user_id, first_name, updated_at) VALUES (1, 'A', 0)"
        )
    await database.close()
    database = await Database.open(database_path)
    async with database.reading() as conn, conn.execute("SELECT COUNT(*) FROM readers") as cursor:
        count = (await cursor.fetchone())[0]  # type: ignore[index]
    await database.close()
    assert count == 1


async def test_a_failing_unit_of_work_is_rolled_back(db: Database) -> None:
    """An exception inside transaction() leaves nothing behind."""

    async def insert_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO readers (user_id, first_name, updated_at) VALUES (1, 'A', 0)"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    async with db.reading() as conn, conn.execute("SELECT COUNT(*) FROM readers") as cursor:
        assert (await cursor.fetchone())[0] == 0  # type: ignore[index]


async def test_comments_stored_before_names_were_kept_take_the_name_known_today(
    database_path: Path,
) -> None:
    """Migration 0017: each submission keeps its author's name; rows from before it take
    the name the readers table holds at the upgrade."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    older = sqlite3.connect(database_path)
    for version, script in _migrations():
        if version >= 17:
            break
        older.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    older.executescript(
        "INSERT INTO readers (user_id, first_name, last_name, updated_at) VALUES"
        " (1, 'Ann', 'Lee', 0), (2, 'Bo', NULL, 0), (3, '', 'Cy', 0);"
        "INSERT INTO submissions (kind, user_id, text, created_at) VALUES"
        " ('comment', 1, 'a', 0), ('comment', 2, 'b', 0), ('contact', 3, 'c', 0);"
    )
    older.close()
    database = await Database.open(database_path)
    async with (
        database.reading() as conn,
        conn.execute("SELECT user_id, author_name FROM submissions ORDER BY id") as cursor,
    ):
        names = [tuple(row) for row in await cursor.fetchall()]
    await database.close()
    assert names == [(1, "Ann Lee"), (2, "Bo"), (3, "Cy")]


def test_a_file_that_is_no_database_is_refused_and_leaves_no_thread(database_path: Path) -> None:
    """aiosqlite's connection is a thread that keeps a process alive: a failed open closes
    it, so a command line given a wrong file ends instead of hanging."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    database_path.write_text("not a database, only text long enough to be read as a header\n")
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.DatabaseError):
        asyncio.run(Database.open(database_path))
    for thread in set(threading.enumerate()) - before:
        # It ends just after close() returns: waited for, with a bound.
        thread.join(timeout=5.0)
        assert not thread.is_alive(), thread
