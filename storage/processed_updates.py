"""Which Telegram updates were handled already."""

from __future__ import annotations

import time

from storage.db import Database

# Telegram keeps an unconfirmed update for at most 24 hours; older marks serve no one.
KEEP_SECONDS = 2 * 24 * 3600


async def unprocessed(db: Database, update_ids: list[int]) -> set[int]:
    if not update_ids:
        return set()
    marks = ",".join("?" * len(update_ids))
    async with (
        db.reading() as conn,
        conn.execute(
            f"SELECT update_id FROM processed_updates WHERE update_id IN ({marks})", update_ids
        ) as cur,
    ):
        done = {int(row[0]) for row in await cur.fetchall()}
    return set(update_ids) - done


async def mark(db: Database, update_id: int) -> None:
    now = time.time()
    # One statement each, so each is its own transaction: no BEGIN/COMMIT round trips.
    async with db.reading() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
            (update_id, now),
        )
        # Cheap to do here: update ids only grow, so the index keeps this a range delete.
        if update_id % 1000 == 0:
            await conn.execute(
                "DELETE FROM processed_updates WHERE processed_at < ?", (now - KEEP_SECONDS,)
            )
