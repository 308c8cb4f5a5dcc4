"""Writing down what became of an outbox row once it was tried: delivered (with what the
delivery leaves to record), tried again later, its chat held, or given up; and what that
tells the admins (the moderation chat down or back, the last error for /status)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram.error import TelegramError

from bot.delivery import deliveries
from bot.delivery.base import Delivered, Delivery
from bot.delivery.outcome import Next, Outcome
from bot.logging_setup import loggable_error, loggable_payload
from bot.services import admin_notices, chat_setup
from bot.services.reports import DeliveryError
from storage import outbox
from storage.models import OutboxItem

logger = logging.getLogger(__name__)

# Telegram has acted on a row but recording that failed (the database is locked, say):
# the record is tried again this often, waiting longer each time, since trying the row
# again would send its message twice.
SETTLE_ATTEMPTS = 5
FIRST_SETTLE_WAIT = 0.25


class Settler:
    def __init__(
        self, delivery: Delivery, stopping: asyncio.Event, wake: Callable[[], None]
    ) -> None:
        self._delivery = delivery
        self._db = delivery.db
        self._settings = delivery.settings
        self._stopping = stopping
        # Called when rows were queued: the worker looks for them now.
        self._wake = wake
        # Rows Telegram acted on whose record the database refused even after retries:
        # when they come round again only the record is tried, never the call.
        self._unrecorded: dict[int, Delivered] = {}
        # Whether the moderation chat refused the bot; the admins are told when it ends.
        self.moderation_chat_down = False
        # The last error Telegram gave a delivery since start, for admins' /status; in
        # memory only, since the log keeps every one.
        self.last_telegram_error: DeliveryError | None = None

    def unrecorded(self, item_id: int) -> Delivered | None:
        """What Telegram did for this row that is still to be recorded, if anything."""
        return self._unrecorded.pop(item_id, None)

    def to_moderation_chat(self, item: OutboxItem) -> bool:
        return item.chat_key == str(self._settings.moderation_chat_id)

    async def delivered(self, item: OutboxItem, delivered: Delivered) -> None:
        wait = FIRST_SETTLE_WAIT
        for attempt in range(1, SETTLE_ATTEMPTS + 1):
            try:
                await self._settle(item, delivered)
                break
            except Exception:
                if attempt == SETTLE_ATTEMPTS or self._stopping.is_set():
                    self._unrecorded[item.id] = delivered
                    raise
                logger.warning(
                    "Recording outbox row %s as delivered failed; again in %.2f s",
                    item.id,
                    wait,
                    exc_info=True,
                )
            await asyncio.sleep(wait)
            wait *= 2
        if self.moderation_chat_down and self.to_moderation_chat(item):
            self.moderation_chat_down = False
            if await admin_notices.report_moderation_chat_back(
                self._db, self._settings, time.time()
            ):
                logger.info("Moderation chat reachable again")

    async def _settle(self, item: OutboxItem, delivered: Delivered) -> None:
        now = time.time()
        if delivered.record is None and not delivered.follow_ups:
            # A single statement: SQLite commits it on its own.
            async with self._db.reading() as conn:
                await outbox.settle_delivered(conn, [item.id], now)
            return
        async with self._db.transaction() as conn:
            if delivered.record is not None:
                await delivered.record(conn)
            await outbox.enqueue_all(conn, delivered.follow_ups, now)
            await outbox.settle_delivered(conn, [item.id], now)
        self._wake()

    async def failed(self, item: OutboxItem, outcome: Outcome, error: BaseException) -> None:
        now = time.time()
        if isinstance(error, TelegramError):
            self.last_telegram_error = DeliveryError(
                now, item.chat_key, item.action, outcome.reason
            )
        described = f"Outbox row {item.id} ({item.action} to {item.chat_key})"
        # Fields of their own in JSON logs (LOG_FORMAT=json), for a collector to search by.
        ids = {"outbox_id": item.id, "action": item.action, "chat_id": item.chat_key}
        if isinstance(submission_id := item.payload.get("submission_id"), int):
            ids["submission_id"] = submission_id
        if outcome.next is Next.GIVE_UP:
            if outcome.internal:
                # The bot's own error: its message may quote the row's words, as its
                # payload does.
                logger.error(
                    "%s given up: %s %s",
                    described,
                    loggable_error(error),
                    loggable_payload(item.payload),
                    extra=ids,
                )
            else:
                logger.warning("%s given up: %s", described, outcome.reason, extra=ids)
            await self._give_up(item, outcome, now)
            return
        if outcome.internal:
            logger.error("%s failed, will retry", described, exc_info=error, extra=ids)
        else:
            logger.warning("%s will be retried: %s", described, outcome.reason, extra=ids)
        at = now + outcome.delay
        async with self._db.transaction() as conn:
            await outbox.reschedule(conn, item.id, at, outcome.reason, count_attempt=outcome.counts)
            if outcome.next is Next.HOLD_CHAT:
                await outbox.hold_chat(conn, item.chat_key, now, at)
        if outcome.moved_to is not None:
            await self._follow_moved_chat(item, outcome.moved_to, now)
        if outcome.moderation_chat_unreachable:
            self.moderation_chat_down = True
            if await admin_notices.report_moderation_chat_down(
                self._db, self._settings, outcome.reason, now
            ):
                self._wake()

    async def _give_up(self, item: OutboxItem, outcome: Outcome, now: float) -> None:
        given_up = deliveries.GIVEN_UP.get(item.action)
        follow = await given_up(self._delivery, item, outcome.reason) if given_up else Delivered()
        async with self._db.transaction() as conn:
            if follow.record is not None:
                await follow.record(conn)
            await outbox.enqueue_all(conn, follow.follow_ups, now)
            await outbox.settle_failed(conn, item.id, now, outcome.reason)
            if outcome.internal:
                await admin_notices.report_delivery_failure(
                    conn, self._settings, item.action, outcome.reason, now
                )
        self._wake()

    async def _follow_moved_chat(self, item: OutboxItem, new_id: int, now: float) -> None:
        """Telegram moved a group: which one is told by the row's chat, or, for a call
        that named another chat (a card's edit, a copy from the discussion group), by
        which of the bot's groups is still a basic group (only those are upgraded)."""
        settings = self._settings
        groups = chat_setup.basic_groups(settings)
        old = next((chat for chat in groups if str(chat) == item.chat_key), None)
        if old is None and len(groups) == 1:
            old = groups[0]
        if old is None:
            logger.error("A group moved to %s, but which of mine it was is unclear", new_id)
            return
        if await chat_setup.chat_moved(self._db, settings, old, new_id, now):
            self._wake()
