"""Retention: what the bot no longer needs is pruned, so the database does not grow for ever.

- Delivered and given-up outbox rows after OUTBOX_RETENTION_DAYS (they are the record of
  what was sent, useful for a while when something is questioned).
- Ids of handled updates after HANDLED_UPDATES_RETENTION_HOURS (Telegram hands an
  unconfirmed update out again for at most 24 hours).
- Readers' states (an article open to comment on, a contact form half filled in) after
  READER_STATE_HOURS, when they have lapsed anyway.
- When each reader was last told of a reply, once the ten minutes it holds the next
  notice back are over (bot.services.reply_notices.NOTICE_INTERVAL).
- The /spam list messages whose ↩️ Not spam buttons are taken, after a week: an older
  list's button answers as stale, and /spam sends a fresh one.

Each is one indexed delete (see tests/storage/test_query_plans.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.services.periodic import Periodic
from bot.services.reply_notices import NOTICE_INTERVAL
from bot.settings import Settings
from storage import outbox, processed_updates, readers, reply_notices, spam_catches
from storage.db import Database

logger = logging.getLogger(__name__)

# Once an hour is plenty: nothing here is urgent, and each prune is one indexed delete.
INTERVAL_SECONDS = 3600.0
# How long a /spam list message's buttons are honoured.
SPAM_LIST_KEPT = 7 * 86400.0


@dataclass(frozen=True)
class Pruned:
    outbox_rows: int
    handled_updates: int
    reader_states: int
    reply_notices: int
    spam_lists: int


async def prune(db: Database, settings: Settings, now: float) -> Pruned:
    async with db.transaction() as conn:
        return Pruned(
            await outbox.prune_settled(conn, now - settings.outbox_retention_days * 86400),
            await processed_updates.prune(
                conn, now - settings.handled_updates_retention_hours * 3600
            ),
            await readers.prune_states(conn, now - settings.reader_state_hours * 3600),
            await reply_notices.prune(conn, now - NOTICE_INTERVAL),
            await spam_catches.prune_lists(conn, now - SPAM_LIST_KEPT),
        )


class Housekeeping(Periodic):
    """Prunes at start-up, then every hour, until stopped."""

    name = "housekeeping"

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(INTERVAL_SECONDS)
        self._db = db
        self._settings = settings

    async def turn(self) -> None:
        pruned = await prune(self._db, self._settings, time.time())
        if any(vars(pruned).values()):
            logger.info("Pruned %s", pruned)
