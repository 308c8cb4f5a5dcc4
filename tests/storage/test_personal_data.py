"""The inventory of readers' data (storage.personal_data) covers the schema as migrated:
a migration that adds a table or a column about readers without placing it there fails
here, so /mydata (and erasure) cannot forget it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import personal_data
from storage.db import Database
from storage.personal_data import (
    NOT_ABOUT_READERS,
    PERSON_COLUMNS,
    QUOTED_ELSEWHERE,
    READER_TABLES,
    UNLINKED,
    ReaderTable,
)

Schema = dict[str, list[str]]


async def migrated_schema(database_path: Path) -> Schema:
    database = await Database.open(database_path)
    await database.close()
    with sqlite3.connect(database_path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: [row[1] for row in conn.execute(f"PRAGMA table_info({t})")] for t in tables}


def problems(schema: Schema, reader_tables: tuple[ReaderTable, ...]) -> list[str]:
    """Every way the inventory misses or misstates the schema."""
    found: list[str] = []
    by_name = {t.table: t for t in reader_tables}
    for name, columns in schema.items():
        places = [name in by_name, name in UNLINKED, name in NOT_ABOUT_READERS]
        if sum(places) != 1:
            found.append(f"{name}: placed {sum(places)} times in storage.personal_data")
        if PERSON_COLUMNS & set(columns) and name not in by_name:
            found.append(f"{name}: has {sorted(PERSON_COLUMNS & set(columns))} but no ReaderTable")
        entry = by_name.get(name)
        if entry is None:
            continue
        missing = [c for c in entry.reader_columns if c not in columns]
        if missing:
            found.append(f"{name}: reader columns {missing} do not exist")
        placed = set(entry.shown) | set(entry.withheld)
        if set(entry.shown) & set(entry.withheld):
            found.append(f"{name}: {sorted(set(entry.shown) & set(entry.withheld))} both ways")
        if unplaced := [c for c in columns if c not in placed]:
            found.append(f"{name}: columns {unplaced} neither shown nor withheld")
        if stale := sorted(placed - set(columns)):
            found.append(f"{name}: columns {stale} are not in the table")
    for name in (*by_name, *UNLINKED, *NOT_ABOUT_READERS):
        if name not in schema:
            found.append(f"{name}: no such table")
    return found


async def test_every_table_and_column_of_the_schema_is_placed(database_path: Path) -> None:
    """Every table is about readers (each column shown or withheld, with why), unlinked to
    them, or not about them; every table with a user_id/author_id/person column is about
    them."""
    schema = await migrated_schema(database_path)
    assert "data_exports" in schema
    assert problems(schema, READER_TABLES) == []
    assert set(QUOTED_ELSEWHERE) <= {entry.table for entry in READER_TABLES}


async def test_a_new_table_or_column_about_readers_is_caught(database_path: Path) -> None:
    """What the next migration might add without telling the inventory."""
    schema = await migrated_schema(database_path)
    schema["reader_badges"] = ["user_id", "badge"]
    schema["submissions"] = [*schema["submissions"], "sentiment"]
    assert problems(schema, READER_TABLES) == [
        "submissions: columns ['sentiment'] neither shown nor withheld",
        "reader_badges: placed 0 times in storage.personal_data",
        "reader_badges: has ['user_id'] but no ReaderTable",
    ]


def test_moderators_are_never_shown_by_name_or_id() -> None:
    """A moderator's id or name is withheld wherever it is kept (the copy says "a moderator")."""
    for entry in READER_TABLES:
        assert not personal_data.MODERATOR_COLUMNS & set(entry.shown), entry.table
