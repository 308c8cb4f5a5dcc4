"""When each reader last asked for a copy of their data (/mydata)."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one


async def last_request(conn: aiosqlite.Connection, user_id: int) -> float | None:
    row = await fetch_one(
        conn, "SELECT requested_at FROM data_exports WHERE user_id = ?", (user_id,)
    )
    return float(row[0]) if row else None


async def record_request(conn: aiosqlite.Connection, user_id: int, now: float) -> None:
    await conn.execute(
        "INSERT INTO data_exports (user_id, requested_at) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET requested_at = excluded.requested_at",
        (user_id, now),
    )
