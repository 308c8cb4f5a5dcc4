"""/mydata: a reader asks for a copy of everything the bot keeps about them.

The request is recorded with the outbox row that sends the copy, in one transaction: the
copy is built when it is delivered (bot.delivery.my_data), from the database as it is
then, and a crash between the two loses neither. A reader gets one copy per
MY_DATA_INTERVAL_MINUTES: asking again meanwhile is answered, and builds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.effects import Effect
from bot.settings import Settings
from storage import data_exports, outbox
from storage.db import Database


@dataclass(frozen=True)
class CopyRequest:
    """`accepted`: a copy is on its way. Otherwise the last request was at `last_at`, and
    the next may be made at `next_at`."""

    accepted: bool
    last_at: float | None = None
    next_at: float | None = None


async def request_copy(db: Database, settings: Settings, user_id: int, now: float) -> CopyRequest:
    interval = settings.my_data_interval_minutes * 60
    async with db.transaction() as conn:
        last = await data_exports.last_request(conn, user_id)
        if last is not None and now < last + interval:
            return CopyRequest(False, last, last + interval)
        await data_exports.record_request(conn, user_id, now)
        await outbox.enqueue(conn, Effect.SEND_MY_DATA, str(user_id), {}, now)
    return CopyRequest(True)
