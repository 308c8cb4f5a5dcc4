"""The outbox: Telegram side effects written with the change that causes them."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_one, insert_rows
from storage.models import OutboxItem

PayloadValue = int | str | bool | None


@dataclass(frozen=True)
class NewRow:
    action: str
    chat_key: str
    payload: dict[str, PayloadValue]
    # None: due at once.
    due_at: float | None = None


async def enqueue(
    conn: aiosqlite.Connection,
    action: str,
    chat_key: str,
    payload: dict[str, PayloadValue],
    now: float,
) -> int:
    [row_id] = await enqueue_all(conn, [NewRow(action, chat_key, payload)], now)
    return row_id


async def enqueue_all(conn: aiosqlite.Connection, rows: Sequence[NewRow], now: float) -> list[int]:
    """Queue rows in one statement; returns their ids in the order given."""
    return await insert_rows(
        conn,
        "outbox (action, chat_key, payload, next_attempt_at, created_at)",
        "(?, ?, ?, ?, ?)",
        [
            (
                row.action,
                row.chat_key,
                json.dumps(row.payload),
                now if row.due_at is None else row.due_at,
                now,
            )
            for row in rows
        ],
    )


def _items(rows: Sequence[aiosqlite.Row]) -> list[OutboxItem]:
    return [
        OutboxItem(
            row["id"], row["action"], row["chat_key"], json.loads(row["payload"]), row["attempts"]
        )
        for row in rows
    ]


DUE_SQL = (
    "SELECT id, action, chat_key, payload, attempts FROM outbox"
    " WHERE status = 'pending' AND next_attempt_at <= ?"
    " AND chat_key NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?"
)


async def due(
    conn: aiosqlite.Connection, now: float, limit: int, *, except_chats: Collection[str] = ()
) -> list[OutboxItem]:
    """The oldest rows due now, leaving out the chats in `except_chats` (being delivered
    already), so that one busy chat never fills the batch."""
    return _items(await fetch_all(conn, DUE_SQL, (now, json.dumps(list(except_chats)), limit)))


async def next_due_time(conn: aiosqlite.Connection) -> float | None:
    row = await fetch_one(conn, "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
    return float(row[0]) if row and row[0] is not None else None


async def settle_failed(conn: aiosqlite.Connection, item_id: int, now: float, error: str) -> None:
    """Give a row up: it is not tried again."""
    await conn.execute(
        "UPDATE outbox SET status = 'failed', settled_at = ?, last_error = ?,"
        " attempts = attempts + 1 WHERE id = ?",
        (now, error, item_id),
    )


async def settle_delivered(
    conn: aiosqlite.Connection, item_ids: list[int], now: float, *, note: str | None = None
) -> None:
    """Mark rows delivered, in one statement however many there are."""
    await conn.execute(
        "UPDATE outbox SET status = 'delivered', settled_at = ?,"
        " last_error = COALESCE(?, last_error), attempts = attempts + 1"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (now, note, json.dumps(item_ids)),
    )


async def reschedule(
    conn: aiosqlite.Connection, item_id: int, at: float, error: str, *, count_attempt: bool = True
) -> None:
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts + ?"
        " WHERE id = ?",
        (at, error, int(count_attempt), item_id),
    )


async def set_payload(
    conn: aiosqlite.Connection, item_id: int, payload: dict[str, PayloadValue]
) -> None:
    await conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (json.dumps(payload), item_id))


async def count_pending(conn: aiosqlite.Connection) -> int:
    row = await fetch_one(conn, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    return int(row[0]) if row else 0


async def release_all(conn: aiosqlite.Connection, now: float) -> None:
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND next_attempt_at > ?",
        (now, now),
    )


async def release_action_for_article(
    conn: aiosqlite.Connection, action: str, article_id: int, now: float
) -> None:
    """Rows of `action` about one article that were waiting can go now."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND action = ?"
        " AND json_extract(payload, '$.article_id') = ?",
        (now, action, article_id),
    )


async def move_chat(conn: aiosqlite.Connection, old_key: str, new_key: str) -> None:
    """What waits for a chat goes to its new id (a group Telegram upgraded)."""
    await conn.execute(
        "UPDATE outbox SET chat_key = ? WHERE status = 'pending' AND chat_key = ?",
        (new_key, old_key),
    )


async def hold_chat(conn: aiosqlite.Connection, chat_key: str, now: float, until: float) -> None:
    """Rows of a chat that are due now wait until `until`, keeping their order."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND chat_key = ?"
        " AND next_attempt_at <= ?",
        (until, chat_key, now),
    )


async def postpone(conn: aiosqlite.Connection, item_ids: list[int], until: float) -> None:
    """These rows wait until `until`, without counting an attempt."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))",
        (until, json.dumps(item_ids)),
    )


RECENT_GROUP_DELIVERIES_SQL = (
    "SELECT chat_key, settled_at FROM outbox"
    " WHERE status = 'delivered' AND settled_at > ? AND substr(chat_key, 1, 1) IN ('-', '@')"
)


async def recent_group_deliveries(
    conn: aiosqlite.Connection, since: float
) -> list[tuple[str, float]]:
    """Rows delivered to groups and channels since `since`: each counted as one call, which
    errs on the safe side (a folded card made none, an edited card may have made two)."""
    rows = await fetch_all(conn, RECENT_GROUP_DELIVERIES_SQL, (since,))
    return [(str(row["chat_key"]), float(row["settled_at"])) for row in rows]


async def prune_settled(conn: aiosqlite.Connection, before: float) -> int:
    """Forget rows settled before `before`; returns how many."""
    cursor = await conn.execute(
        "DELETE FROM outbox WHERE status != 'pending' AND settled_at < ?", (before,)
    )
    return cursor.rowcount
