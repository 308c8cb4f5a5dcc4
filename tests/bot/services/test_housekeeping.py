"""Retention: old settled rows, handled update ids and lapsed states are pruned; nothing
pending or recent is touched."""

from __future__ import annotations

from bot.services import housekeeping
from bot.settings import Settings
from storage import processed_updates, readers
from storage.db import Database
from tests.bot.services.test_comments import rows

DAY = 86400.0
NOW = 100 * DAY


async def test_prune_keeps_what_is_pending_or_recent(db: Database, settings: Settings) -> None:
    async with db.transaction() as conn:
        for status, settled in (
            ("delivered", NOW - 8 * DAY),
            ("failed", NOW - 8 * DAY),
            ("delivered", NOW - 6 * DAY),
            ("pending", None),
        ):
            await conn.execute(
                "INSERT INTO outbox (action, chat_key, payload, status, next_attempt_at,"
                " created_at, settled_at) VALUES ('acknowledge', '1', '{}', ?, 0, 0, ?)",
                (status, settled),
            )
        await processed_updates.record(conn, [1], NOW - 3 * DAY)
        await processed_updates.record(conn, [2], NOW - 1 * DAY)
        await readers.set_state(conn, 1, "commenting", None, NOW - 2 * DAY)
        await readers.set_state(conn, 2, "commenting", None, NOW - 3600)
    pruned = await housekeeping.prune(db, settings, NOW)
    assert pruned == housekeeping.Pruned(outbox_rows=2, handled_updates=1, reader_states=1)
    assert await rows(db, "SELECT status FROM outbox ORDER BY id") == [("delivered",), ("pending",)]
    assert await rows(db, "SELECT update_id FROM processed_updates") == [(2,)]
    assert await rows(db, "SELECT user_id FROM reader_states") == [(2,)]
