"""The spam check's examples (what it learned from) and its model's snapshot."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_one

SPAM = "spam"
HAM = "ham"


@dataclass(frozen=True)
class SpamExample:
    id: int
    label: str
    text: str
    source: str


@dataclass(frozen=True)
class ModelSnapshot:
    examples_upto: int
    state: bytes


# bot_state: the highest example id ever given, kept before examples are deleted.
LAST_EXAMPLE_ID = "spam_examples_last_id"


async def add_example(
    conn: aiosqlite.Connection, label: str, text: str, text_key: str, source: str, at: float
) -> int | None:
    """The new example's id; None if this text was learned with this label already.

    Ids only grow: SQLite gives a deleted newest row's id again, and the model counts
    every example up to its last id as learned (bot.spam.filter), so an example stored
    under the id of one deleted by /forget would never be learned."""
    row = await fetch_one(
        conn,
        "INSERT INTO spam_examples (id, label, text, text_key, source, learned_at)"
        " VALUES (1 + MAX(COALESCE((SELECT MAX(id) FROM spam_examples), 0),"
        " COALESCE((SELECT CAST(value AS INTEGER) FROM bot_state WHERE key = ?), 0)),"
        " ?, ?, ?, ?, ?) ON CONFLICT (text_key, label) DO NOTHING RETURNING id",
        (LAST_EXAMPLE_ID, label, text, text_key, source, at),
    )
    return int(row[0]) if row else None


async def keep_last_id(conn: aiosqlite.Connection) -> None:
    """Before examples are deleted: the highest id given so far, never to be given again."""
    await conn.execute(
        "INSERT INTO bot_state (key, value)"
        " SELECT ?, CAST(COALESCE(MAX(id), 0) AS TEXT) FROM spam_examples WHERE true"
        " ON CONFLICT (key) DO UPDATE SET value ="
        " CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
        (LAST_EXAMPLE_ID,),
    )


async def examples_after(
    conn: aiosqlite.Connection, after_id: int, limit: int = 5000
) -> list[SpamExample]:
    rows = await fetch_all(
        conn,
        "SELECT id, label, text, source FROM spam_examples WHERE id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    )
    return [SpamExample(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


async def recent_spam(
    conn: aiosqlite.Connection, upto_id: int, limit: int, skip_source: str
) -> list[str]:
    """The texts of the latest spam examples up to `upto_id`, oldest first."""
    rows = await fetch_all(
        conn,
        "SELECT text FROM (SELECT id, text FROM spam_examples"
        " WHERE label = 'spam' AND source != ? AND id <= ? ORDER BY id DESC LIMIT ?)"
        " ORDER BY id",
        (skip_source, upto_id, limit),
    )
    return [str(row[0]) for row in rows]


async def count_examples(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await fetch_all(conn, "SELECT label, COUNT(*) FROM spam_examples GROUP BY label")
    counts = {SPAM: 0, HAM: 0}
    counts.update({str(row[0]): int(row[1]) for row in rows})
    return counts


async def has_source(conn: aiosqlite.Connection, source: str) -> bool:
    row = await fetch_one(conn, "SELECT 1 FROM spam_examples WHERE source = ? LIMIT 1", (source,))
    return row is not None


async def load_snapshot(conn: aiosqlite.Connection) -> ModelSnapshot | None:
    row = await fetch_one(conn, "SELECT examples_upto, state FROM spam_model WHERE id = 1")
    if row is None:
        return None
    return ModelSnapshot(int(row[0]), bytes(row[1]))


async def save_snapshot(
    conn: aiosqlite.Connection, examples_upto: int, state: bytes, at: float
) -> None:
    await conn.execute(
        "INSERT INTO spam_model (id, examples_upto, state, saved_at) VALUES (1, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET examples_upto = excluded.examples_upto,"
        " state = excluded.state, saved_at = excluded.saved_at",
        (examples_upto, state, at),
    )
