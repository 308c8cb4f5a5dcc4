from __future__ import annotations

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
