"""At most one digest an hour in the moderation group: "🧹 31 spam messages caught in the
last hour: /spam", so that moderators know the check is at work without a message per
catch.

The count is of the catches made since the last digest, and at most in the last hour (a
bot that was down for a day does not report yesterday's catches as this hour's). A catch
undone before the digest goes is not counted. When the last digest went is kept in
bot_state, written in the same transaction as the digest's outbox row, so that a crash
or a restart never sends two within the hour.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.services.effects import Effect
from bot.services.periodic import Periodic
from bot.settings import Settings
from storage import bot_state, outbox, spam_catches
from storage.db import Database

HOUR = 3600.0
# Checked every minute: a digest goes at most a minute late.
INTERVAL_SECONDS = 60.0


async def queue_digest(db: Database, settings: Settings, now: float) -> int:
    """Queue the digest if one is due; how many catches it counts (0: none queued)."""
    async with db.transaction() as conn:
        last = await bot_state.get(conn, bot_state.SPAM_DIGEST)
        if last is not None and now - float(last) < HOUR:
            return 0
        since = now - HOUR if last is None else max(float(last), now - HOUR)
        count = await spam_catches.caught_after(conn, since)
        if not count:
            return 0
        await outbox.enqueue(
            conn, Effect.SPAM_DIGEST, str(settings.moderation_chat_id), {"count": count}, now
        )
        await bot_state.put(conn, bot_state.SPAM_DIGEST, repr(now))
        return count


class SpamDigest(Periodic):
    """Queues the hourly spam digest when it is due, until stopped."""

    name = "spam digest"

    def __init__(self, db: Database, settings: Settings, wake_outbox: Callable[[], None]) -> None:
        super().__init__(INTERVAL_SECONDS)
        self._db = db
        self._settings = settings
        self._wake_outbox = wake_outbox

    async def turn(self) -> None:
        if await queue_digest(self._db, self._settings, time.time()):
            self._wake_outbox()
