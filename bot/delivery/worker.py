"""The outbox worker: one lane per chat, a few chats at once, each chat's rows in order.

A lane takes its chat's due rows oldest first and delivers them one at a time; when one
has to wait (a 429, a network error) the rest of the chat waits with it, and the lane
ends. Other chats go on in their own lanes, so a reader's acknowledgement never waits
behind the moderation chat's cards. Every call passes through the TelegramBudget; in a
group the lane asks it first (group_minute) and holds the chat rather than wait inside it.

A row is settled (settling) only after Telegram has answered. A crash between Telegram acting and
the row being settled sends that row again on restart: the only way a message repeats,
at most one row per lane in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import Bot

from bot.delivery import deliveries
from bot.delivery.base import Delivery
from bot.delivery.group_minute import SENDS_NOTHING, Turn, places_kept_from, plan_group, turn_of
from bot.delivery.outcome import Next, Outcome, classify
from bot.delivery.settling import Settler
from bot.services import admin_notices, desk
from bot.services.effects import Effect
from bot.services.reports import DeliveryError
from bot.settings import Settings
from bot.telegram_budget import WINDOW_SECONDS, TelegramBudget, is_group
from storage import outbox
from storage.db import Database
from storage.models import OutboxItem

logger = logging.getLogger(__name__)

# Chats delivered side by side. A crash can interrupt at most this many deliveries.
LANES = 8
# Due rows fetched at a time, across chats, oldest first.
FETCH_ROWS = 100
IDLE_WAIT = 5.0
# A lane that failed (the database refused it) keeps its chat this long before the chat's
# rows are tried again, rather than at once and again and again.
FAILED_LANE_REST = IDLE_WAIT
# How long shutdown waits for the deliveries in flight before cutting them off.
STOP_GRACE = 10.0


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        settings: Settings,
        bot_username: str,
        budget: TelegramBudget,
    ) -> None:
        self._db = db
        self._delivery = Delivery(db, bot, settings, bot_username)
        self._settings = settings
        self._budget = budget
        self._wake = asyncio.Event()
        self._lanes: dict[str, asyncio.Task[None]] = {}
        # Due rows fetched for chats that wait for a free lane, oldest chat first.
        self._in_hand: dict[str, list[OutboxItem]] = {}
        self._task: asyncio.Task[None] | None = None
        # Set once stop() is called.
        self._stopping = asyncio.Event()
        # Records what became of each row tried.
        self._settler = Settler(self._delivery, self._stopping, self._wake.set)
        # When a card or the review desk was last sent or edited in the moderation chat
        # (clock time): within a minute of it, cards are still coming or being worked.
        self._cards_busy_at = 0.0

    @property
    def bot(self) -> Bot:
        return self._delivery.bot

    @property
    def last_telegram_error(self) -> DeliveryError | None:
        """The last error Telegram gave a delivery since start, for admins' /status."""
        return self._settler.last_telegram_error

    async def start(self) -> None:
        now = time.time()
        async with self._db.transaction() as conn:
            # A restart is the operator's "try again now": rows waiting out a backoff go first.
            await outbox.release_all(conn, now)
            # Telegram still counts what was sent to groups in the last minute.
            self._budget.restore(await outbox.recent_group_deliveries(conn, now - WINDOW_SECONDS))
        self._settler.moderation_chat_down = await admin_notices.moderation_chat_is_down(self._db)
        self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        """Let the rows in flight settle, so a clean shutdown never sends anything twice."""
        if self._task is None:
            return
        self._stopping.set()
        self._wake.set()
        in_flight = {self._task, *self._lanes.values()}
        _, late = await asyncio.wait(in_flight, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        self._task = None

    def wake(self) -> None:
        """New rows were committed: look now rather than at the next idle tick."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            # Cleared before looking, so a wake-up that arrives meanwhile is not lost.
            self._wake.clear()
            try:
                await self._start_lanes()
                # A lane that ends wakes the worker; only an idle worker needs to know when
                # the next row comes due.
                busy = self._lanes or self._in_hand
                delay = IDLE_WAIT if busy else await self._seconds_until_next_due()
            except Exception:
                logger.exception("Outbox pass failed; trying again shortly")
                delay = IDLE_WAIT
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def deliver_due(self) -> None:
        """Deliver everything due now and wait for it (tests, and nothing else, use this)."""
        while True:
            await self._start_lanes()
            if not self._lanes:
                return
            await asyncio.gather(*self._lanes.values())

    async def _start_lanes(self) -> None:
        """Start lanes for the chats with due rows, as many as there is room for.

        One query fetches the oldest due rows of up to FETCH_ROWS, leaving out the chats
        whose lanes run; they stay in hand, by chat, until a lane is free for them. Under
        a burst of acknowledgements this is one query for dozens of readers, not one each.
        """
        if self._stopping.is_set():
            return
        if not self._in_hand and len(self._lanes) < LANES:
            async with self._db.reading() as conn:
                rows = await outbox.due(
                    conn, time.time(), FETCH_ROWS, except_chats=self._lanes.keys()
                )
            for row in rows:
                self._in_hand.setdefault(row.chat_key, []).append(row)
        while self._in_hand and len(self._lanes) < LANES and not self._stopping.is_set():
            chat = next(iter(self._in_hand))
            rows = self._in_hand.pop(chat)
            self._lanes[chat] = asyncio.create_task(
                self._lane(chat, rows), name=f"outbox-lane-{chat}"
            )

    async def _seconds_until_next_due(self) -> float:
        async with self._db.reading() as conn:
            next_time = await outbox.next_due_time(conn)
        if next_time is None:
            return IDLE_WAIT
        return min(IDLE_WAIT, max(0.0, next_time - time.time()))

    async def _lane(self, chat: str, rows: list[OutboxItem]) -> None:
        try:
            await self._deliver_rows(chat, rows)
        except Exception:
            logger.exception(
                "Delivering to chat %s failed; its rows wait %.0f s", chat, FAILED_LANE_REST
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=FAILED_LANE_REST)
        finally:
            del self._lanes[chat]
            # Room for another chat; and this chat's rows that came in meanwhile, or that
            # did not fit in one fetch, are found by the next one.
            self._wake.set()

    async def _deliver_rows(self, chat: str, rows: list[OutboxItem]) -> None:
        """Deliver the chat's rows in order, until one makes the chat wait."""
        if is_group(chat):
            busy = time.time() < self._cards_busy_at + WINDOW_SECONDS
            rows = await plan_group(self._db, self._budget, chat, rows, cards_busy=busy)
        folded: set[int] = set()
        for index, row in enumerate(rows):
            if self._stopping.is_set():
                return
            if row.id in folded:
                continue
            if is_group(chat) and row.action not in SENDS_NOTHING:
                turn = turn_of(row.action, self._budget.free_places(chat))
                if turn is Turn.FOLD_CARDS:
                    # Every later card of this batch would fold too, so they fold together.
                    cards = [r for r in rows[index:] if r.action == Effect.SEND_CARD]
                    async with self._db.transaction() as conn:
                        await desk.fold(
                            conn,
                            self._settings,
                            [card.id for card in cards],
                            [int(str(card.payload["submission_id"])) for card in cards],
                            time.time(),
                        )
                    folded.update(card.id for card in cards)
                    continue
                if turn is Turn.WAIT:
                    # These rows wait for the minute to have room; rows that come in
                    # meanwhile (a handler's reply) are not held back with them.
                    waiting = [r.id for r in rows[index:] if r.id not in folded]
                    keep = places_kept_from(row.action)
                    async with self._db.reading() as conn:
                        await outbox.postpone(
                            conn, waiting, self._budget.next_place(chat, keep=keep)
                        )
                    return
            outcome = await self._deliver(row)
            if outcome is not None and outcome.next is Next.HOLD_CHAT:
                return

    async def _deliver(self, item: OutboxItem) -> Outcome | None:
        """Try one row; None when it was delivered, else what became of it."""
        delivered = self._settler.unrecorded(item.id)
        try:
            if delivered is None:
                delivered = await deliveries.DELIVERIES[item.action](self._delivery, item)
        except Exception as error:
            to_moderation_chat = self._settler.to_moderation_chat(item)
            outcome = classify(error, item.attempts, to_moderation_chat=to_moderation_chat)
            await self._settler.failed(item, outcome, error)
            return outcome
        await self._settler.delivered(item, delivered)
        if item.action in {Effect.SHOW_DESK, Effect.SEND_CARD}:
            self._cards_busy_at = time.time()
        return None
