"""Retention: old settled rows, handled update ids and lapsed states are pruned; nothing
pending or recent is touched."""

from __future__ import annotations

from bot.services import housekeeping
from bot.services.reply_notices import NOTICE_INTERVAL
from bot.settings import Settings
from storage import processed_updates, readers, reply_notices, spam_catches
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
    assert pruned == housekeeping.Pruned(
        outbox_rows=2, handled_updates=1, reader_states=1, reply_notices=0, spam_lists=0
    )
    assert await rows(db, "SELECT status FROM outbox ORDER BY id") == [("delivered",), ("pending",)]
    assert await rows(db, "SELECT update_id FROM processed_updates") == [(2,)]
    assert await rows(db, "SELECT user_id FROM reader_states") == [(2,)]


async def test_prune_forgets_reply_notices_and_spam_lists_once_they_cannot_matter(
    db: Database, settings: Settings
) -> None:
    """A reply notice older than the ten minutes it holds the next one back, and a /spam
    list message older than a week (its ↩️ Not spam then answers as stale: /spam again),
    are forgotten; newer ones stay and still count."""
    interval = NOTICE_INTERVAL
    async with db.transaction() as conn:
        await reply_notices.claim(conn, 1, 10, NOW - interval - 1, interval)
        await reply_notices.claim(conn, 2, 10, NOW - interval + 1, interval)
        await spam_catches.remember_list(conn, -100, 1, NOW - housekeeping.SPAM_LIST_KEPT - 1)
        await spam_catches.remember_list(conn, -100, 2, NOW - housekeeping.SPAM_LIST_KEPT + 1)
    pruned = await housekeeping.prune(db, settings, NOW)
    assert (pruned.reply_notices, pruned.spam_lists) == (1, 1)
    assert await rows(db, "SELECT user_id FROM reply_notices") == [(2,)]
    async with db.transaction() as conn:
        assert not await reply_notices.claim(conn, 2, 10, NOW, interval)
        assert await spam_catches.is_list(conn, -100, 2)
        assert not await spam_catches.is_list(conn, -100, 1)
