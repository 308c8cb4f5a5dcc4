"""The outbox worker: one lane per chat, a few chats at once, each chat's rows in order.

A lane takes its chat's due rows oldest first and delivers them one at a time; when one
has to wait (a 429, a network error) the rest of the chat waits with it, and the lane
ends. Other chats go on in their own lanes, so a reader's acknowledgement never waits
behind the moderation chat's cards. Every call passes through the TelegramBudget; in a
group the lane asks it first and holds the chat rather than wait inside it.

A row is settled only after Telegram has answered. A crash between Telegram acting and
the row being settled sends that row again on restart: the only way a message repeats,
at most one row per lane in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from telegram import Bot
from telegram.error import TelegramError

from bot.delivery import deliveries
from bot.delivery.base import Delivered, Delivery
from bot.delivery.outcome import Next, Outcome, classify
from bot.logging_setup import loggable_error, loggable_payload
from bot.services import admin_notices, chat_setup, effects, moderation
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
# Telegram has acted on a row but recording that failed (the database is locked, say):
# the record is tried again this often, waiting longer each time, since trying the row
# again would send its message twice.
SETTLE_ATTEMPTS = 5
FIRST_SETTLE_WAIT = 0.25
# A lane that failed (the database refused it) keeps its chat this long before the chat's
# rows are tried again, rather than at once and again and again.
FAILED_LANE_REST = IDLE_WAIT
# How long shutdown waits for the deliveries in flight before cutting them off.
STOP_GRACE = 10.0

# A group's minute, shared by sends and edits, is spent in this order:
# - cards stop (and fold into the review desk) when this many places are left, so that
#   the desk and the edits after moderators' taps still fit in the minute;
CARD_RESERVE = 5
# - while this few are left, the desk's edit goes first and decided cards wait; while
#   moderators work the desk (it changed within the last minute) cards wait until most
#   of the minute is free, since every place a card's edit takes is a tap the desk cannot
#   follow (the cards only catch up: the decision is made and shown on the desk);
DESK_FIRST_BELOW = CARD_RESERVE
DESK_BUSY_FIRST_BELOW = 15
# - and the last place is left to handlers' replies (a /queue answer, queued as
#   GROUP_REPLY rows), so that a moderator's command is answered even in a busy minute.
HANDLER_RESERVE = 1
# Rows that send and edit no message: deleting a reader's comment, banning. They take no
# place in a group's minute, never wait for one, and go before the chat's sends: a held
# comment must leave the thread even while the minute is spent. (Retracting a thread post
# is not one of them: one too old to delete is edited instead.)
SENDS_NOTHING = frozenset(
    {
        Effect.DELETE_GROUP_MESSAGE,
        Effect.BAN_IN_GROUP,
        Effect.UNBAN_IN_GROUP,
        Effect.DELETE_CHANNEL_POST,
    }
)


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
        self._moderation_chat_down = False
        # When the review desk was last shown or edited (clock time).
        self._desk_shown_at = 0.0
        # Rows Telegram acted on whose record the database refused even after retries:
        # when they come round again only the record is tried, never the call.
        self._unrecorded: dict[int, Delivered] = {}
        # The last error Telegram gave a delivery since start, for admins' /status; in
        # memory only, since the log keeps every one.
        self.last_telegram_error: DeliveryError | None = None

    @property
    def bot(self) -> Bot:
        return self._delivery.bot

    async def start(self) -> None:
        now = time.time()
        async with self._db.transaction() as conn:
            # A restart is the operator's "try again now": rows waiting out a backoff go first.
            await outbox.release_all(conn, now)
            # Telegram still counts what was sent to groups in the last minute.
            self._budget.restore(await outbox.recent_group_deliveries(conn, now - WINDOW_SECONDS))
        self._moderation_chat_down = await moderation.moderation_chat_is_down(self._db)
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
            rows = await self._plan_group(chat, rows)
        folded: set[int] = set()
        for index, row in enumerate(rows):
            if self._stopping.is_set():
                return
            if row.id in folded:
                continue
            if is_group(chat) and row.action not in SENDS_NOTHING:
                free = self._budget.free_places(chat)
                if row.action == Effect.SEND_CARD and free <= CARD_RESERVE:
                    # Past what the minute can carry, cards fold into the review desk; every
                    # later card of this batch would fold too, so they fold together.
                    cards = [r.id for r in rows[index:] if r.action == Effect.SEND_CARD]
                    async with self._db.transaction() as conn:
                        await effects.fold_cards_into_desk(conn, self._settings, cards, time.time())
                    folded.update(cards)
                    continue
                # Handlers' replies may take the place kept for them; the rest may not.
                keep = 0 if row.action == Effect.GROUP_REPLY else HANDLER_RESERVE
                if free <= keep:
                    # These rows wait for the minute to have room; rows that come in
                    # meanwhile (a handler's reply) are not held back with them.
                    waiting = [r.id for r in rows[index:] if r.id not in folded]
                    async with self._db.reading() as conn:
                        await outbox.postpone(
                            conn, waiting, self._budget.next_place(chat, keep=keep)
                        )
                    return
            outcome = await self._deliver(row)
            if outcome is not None and outcome.next is Next.HOLD_CHAT:
                return

    async def _plan_group(self, chat: str, rows: list[OutboxItem]) -> list[OutboxItem]:
        """Rows that send nothing (deletions, bans) go first, then handlers' replies:
        someone is waiting for them now, and the last place of the minute is theirs.
        Consecutive desk updates are one edit; when the minute runs short the desk goes
        next and the edits of decided cards wait for more room."""
        silent = [row for row in rows if row.action in SENDS_NOTHING]
        replies = [row for row in rows if row.action == Effect.GROUP_REPLY]
        rows = replies + [
            row
            for row in rows
            if row.action != Effect.GROUP_REPLY and row.action not in SENDS_NOTHING
        ]
        desk_rows = [row for row in rows if row.action == Effect.SHOW_DESK]
        if len(desk_rows) > 1:
            # The last one shows the latest state; a fresh desk message if any asked for one.
            keep = desk_rows[-1]
            merged = [row.id for row in desk_rows[:-1]]
            async with self._db.transaction() as conn:
                if not keep.payload.get("new") and any(row.payload.get("new") for row in desk_rows):
                    # Stored with the merge, so that a crash before the kept row is
                    # delivered still shows the fresh desk message one of them asked for.
                    keep = OutboxItem(
                        keep.id, keep.action, keep.chat_key, {"new": True}, keep.attempts
                    )
                    await outbox.set_payload(conn, keep.id, keep.payload)
                await outbox.settle_delivered(conn, merged, time.time(), note="merged desk update")
            rows = [keep if row.id == keep.id else row for row in rows if row.id not in merged]
        desk_busy = time.time() < self._desk_shown_at + WINDOW_SECONDS
        desk_first_below = DESK_BUSY_FIRST_BELOW if desk_busy else DESK_FIRST_BELOW
        if self._budget.free_places(chat) > desk_first_below:
            return silent + rows
        waiting = [row.id for row in rows if row.action == Effect.REFRESH_CARDS]
        if waiting:
            later = self._budget.next_place(chat, keep=desk_first_below)
            async with self._db.reading() as conn:
                await outbox.postpone(conn, waiting, later)
        desk = [row for row in rows if row.action == Effect.SHOW_DESK]
        rest = [
            row
            for row in rows
            if row.action not in {Effect.GROUP_REPLY, Effect.SHOW_DESK, Effect.REFRESH_CARDS}
        ]
        return silent + replies + desk + rest

    async def _deliver(self, item: OutboxItem) -> Outcome | None:
        """Try one row; None when it was delivered, else what became of it."""
        delivered = self._unrecorded.pop(item.id, None)
        try:
            if delivered is None:
                delivered = await deliveries.DELIVERIES[item.action](self._delivery, item)
        except Exception as error:
            to_moderation_chat = item.chat_key == str(self._settings.moderation_chat_id)
            outcome = classify(error, item.attempts, to_moderation_chat=to_moderation_chat)
            await self._settle_failure(item, outcome, error)
            return outcome
        await self._settle_delivered(item, delivered)
        if item.action == Effect.SHOW_DESK:
            self._desk_shown_at = time.time()
        if self._moderation_chat_down and item.chat_key == str(self._settings.moderation_chat_id):
            self._moderation_chat_down = False
            if await moderation.report_moderation_chat_back(self._db, self._settings, time.time()):
                logger.info("Moderation chat reachable again")
        return None

    async def _settle_delivered(self, item: OutboxItem, delivered: Delivered) -> None:
        wait = FIRST_SETTLE_WAIT
        for attempt in range(1, SETTLE_ATTEMPTS + 1):
            try:
                await self._settle(item, delivered)
                return
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
        self._wake.set()

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
            self._wake.set()

    async def _settle_failure(
        self, item: OutboxItem, outcome: Outcome, error: BaseException
    ) -> None:
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
            given_up = deliveries.GIVEN_UP.get(item.action)
            follow = (
                await given_up(self._delivery, item, outcome.reason) if given_up else Delivered()
            )
            async with self._db.transaction() as conn:
                if follow.record is not None:
                    await follow.record(conn)
                await outbox.enqueue_all(conn, follow.follow_ups, now)
                await outbox.settle_failed(conn, item.id, now, outcome.reason)
                if outcome.internal:
                    await admin_notices.report_delivery_failure(
                        conn, self._settings, item.action, outcome.reason, now
                    )
            self._wake.set()
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
            self._moderation_chat_down = True
            if await moderation.report_moderation_chat_down(
                self._db, self._settings, outcome.reason, now
            ):
                self._wake.set()
