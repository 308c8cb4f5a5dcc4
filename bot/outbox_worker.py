"""Delivers the outbox to Telegram: one worker, each chat's rows in order, retried until
settled.

A row is settled (delivered or failed) only after Telegram has answered. A crash between
Telegram acting and the row being marked delivered sends that row again on restart; that
is the only way a message can repeat, and it can happen only to the rows in flight at the
moment of the crash, at most one per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import rendering
from bot.pacing import GroupPacer, OverallPacer
from bot.services import abuse, desk, effects, moderation
from bot.services.effects import AdminNotice, Effect
from bot.settings import Settings
from storage import articles, contact_replies, history, outbox, submissions
from storage.db import Database
from storage.models import (
    OutboxItem,
    ReplyDirection,
    ReplyStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# Chats whose rows are delivered side by side. Each chat's own rows still go one at a time,
# in order; a crash can interrupt at most this many deliveries, one per chat.
LANES_IN_FLIGHT = 8
# A row a handler hands over waits at most this long for a place in the overall budget;
# beyond that it goes back to the worker's queue.
HANDED_OVER_MAX_WAIT = 1.0
# How long the worker waits for handlers to finish with chats it left to them, at most.
HANDED_OVER_WAIT = 1.0
# How many of them are sent at once: a few calls in flight hide each other's round trip,
# while the handlers that store new comments keep most of the bot's time.
HANDED_OVER_IN_FLIGHT = 4
IDLE_WAIT = 5.0
MAX_BACKOFF = 300.0
# How long shutdown waits for a delivery in flight before cutting it off.
STOP_GRACE = 10.0
# A thread post waits for Telegram to copy the channel post into the discussion group:
# first 5 s, doubling to MAX_BACKOFF; after 15 tries (about 50 minutes) the copy is not
# coming (the post predates DISCUSSION_CHAT_ID, or the group is not linked).
DISCUSSION_COPY_WAIT = 5.0
NOT_READY_ATTEMPTS = 15


class NotReadyError(Exception):
    """Deliver this row again later: the precondition is not there yet."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


# What sends a new message (edits and deletions are not counted against a group's budget;
# the review desk, mostly edited, counts itself when it has to send).
_SENDS = frozenset(
    {
        Effect.ACKNOWLEDGE,
        Effect.SEND_CARD,
        Effect.SEND_CONTINUATION,
        Effect.NOTIFY_AUTHOR,
        Effect.THREAD_POST,
        Effect.DELIVER_REPLY,
        Effect.REPLY_NOTICE,
        Effect.ADMIN_NOTICE,
    }
)
# Free places in the moderation chat's minute that cards leave for the review desk.
DESK_RESERVE = 2  # fold when one place is left: that one is the desk's


@dataclass(frozen=True)
class _Retry:
    at: float
    holds_chat: bool = True


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        settings: Settings,
        bot_username: str,
        overall_pacer: OverallPacer | None = None,
    ) -> None:
        self._db = db
        self._bot = bot
        self._settings = settings
        self._bot_username = bot_username
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._held_until: dict[str, float] = {}
        self._stopping = False
        self._moderation_chat_down = False
        # Delivered rows waiting to be marked so, and the task marking them.
        self._delivered_waiting: dict[int, asyncio.Future[None]] = {}
        self._marking: asyncio.Task[None] | None = None
        # Deliveries handlers handed over, running alongside the worker.
        self._handed_over: set[asyncio.Task[None]] = set()
        # Chats with handed-over rows not yet settled, and how many; and those of them
        # whose other rows the worker found due and left for later.
        self._handed_over_chats: dict[str, int] = {}
        self._deferred_chats: set[str] = set()
        self._handed_over_sending = asyncio.Semaphore(HANDED_OVER_IN_FLIGHT)
        self._pacer = GroupPacer(settings.group_messages_per_minute)
        # The budget the bot's requests keep to (see RecordingRequest), consulted so that a
        # handed-over acknowledgement does not wait long for a place.
        self._overall_pacer = overall_pacer
        self._handlers: dict[str, Callable[[OutboxItem], Awaitable[None]]] = {
            Effect.ACKNOWLEDGE: self._acknowledge,
            Effect.SEND_CARD: self._send_card,
            Effect.REFRESH_CARDS: self._refresh_cards,
            Effect.NOTIFY_AUTHOR: self._notify_author,
            Effect.THREAD_POST: self._thread_post,
            Effect.RETRACT_THREAD_POST: self._retract_thread_post,
            Effect.REFRESH_COUNTER: self._refresh_counter,
            Effect.SEND_CONTINUATION: self._send_continuation,
            Effect.DELIVER_REPLY: self._deliver_reply,
            Effect.REPLY_NOTICE: self._reply_notice,
            Effect.ADMIN_NOTICE: self._admin_notice,
            Effect.SHOW_DESK: self._show_desk,
        }

    @property
    def bot(self) -> Bot:
        return self._bot

    async def start(self) -> None:
        # A restart is the operator's "try again now": rows waiting out a backoff go first.
        async with self._db.transaction() as conn:
            await outbox.release_all(conn, time.time())
        self._moderation_chat_down = await moderation.moderation_chat_is_down(self._db)
        self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        """Let the rows in flight settle, so a clean shutdown never sends anything twice."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        in_flight = {self._task, *self._handed_over}
        _, late = await asyncio.wait(in_flight, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        self._task = None

    def deliver_soon(self, item: OutboxItem) -> None:
        """Send a row a handler's transaction just queued for it, without making the handler
        (or the worker's queue) wait for Telegram's answer.

        Until that send is settled the worker leaves the row's chat alone: it neither sends
        the row a second time nor lets a later row of that chat overtake it.
        """
        self._handed_over_chats[item.chat_key] = self._handed_over_chats.get(item.chat_key, 0) + 1
        task = asyncio.create_task(self._deliver_handed_over(item))
        self._handed_over.add(task)
        task.add_done_callback(self._handed_over.discard)

    async def _deliver_handed_over(self, item: OutboxItem) -> None:
        try:
            now = time.monotonic()
            pacer = self._overall_pacer
            if pacer is not None and pacer.next_slot(now) - now > HANDED_OVER_MAX_WAIT:
                # A burst beyond the overall budget: the worker sends the rest in order.
                await self._reschedule(item, 0.0, "paced by the outbox", count=False)
                self.wake()
                return
            retry = await self._deliver(item, calling=self._handed_over_sending)
            if retry is not None and retry.holds_chat:
                # As the worker's own lane would: the chat waits with its row.
                self._held_until[item.chat_key] = max(
                    retry.at, self._held_until.get(item.chat_key, 0.0)
                )
        except Exception:
            logger.exception("Delivering outbox row %s failed; the worker will retry", item.id)
            with contextlib.suppress(Exception):
                await self._reschedule(item, 1.0, "handed-over delivery failed")
        finally:
            remaining = self._handed_over_chats[item.chat_key] - 1
            if remaining:
                self._handed_over_chats[item.chat_key] = remaining
            else:
                del self._handed_over_chats[item.chat_key]
                if item.chat_key in self._deferred_chats:
                    self._deferred_chats.discard(item.chat_key)
                    self.wake()

    def wake(self) -> None:
        """New rows were committed: look now rather than at the next idle tick."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            # Cleared before the pass, so a wake-up that arrives during it is not lost.
            self._wake.clear()
            try:
                settled = await self.deliver_due()
                delay = await self._seconds_until_next_due()
                if not settled and delay == 0.0:
                    # What is due belongs to chats a handler is delivering to; the handler
                    # wakes the worker when it is done.
                    delay = HANDED_OVER_WAIT
            except Exception:
                logger.exception("Outbox pass failed; trying again shortly")
                delay = IDLE_WAIT
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _seconds_until_next_due(self) -> float:
        async with self._db.reading() as conn:
            next_time = await outbox.next_due_time(conn)
        if next_time is None:
            return IDLE_WAIT
        return min(IDLE_WAIT, max(0.0, next_time - time.time()))

    async def deliver_due(self) -> int:
        """Deliver every row that is due now; returns how many were settled.

        Each chat is a lane: its rows go one after another, in order, and once one has to
        wait the rest of that chat waits with it. A lane that ends makes room for the next
        at once, so readers' acknowledgements never wait behind the moderation chat's cards
        or its rate limit.

        Acknowledgements come in bursts, one per reader's submission, and hearing "received"
        twice after a crash does no harm: up to LANES_IN_FLIGHT lanes of nothing else run
        side by side, answering a burst at the pace of Telegram's replies taken together.
        Every other lane (cards, notices, thread posts, edits) runs alone, so a crash can
        repeat at most one of those.
        """
        settled = 0
        failure: BaseException | None = None
        # Chats waiting out a limit: the worker's own holds, merged in before each fetch, and
        # those this pass's lanes add.
        held: dict[str, float] = {}
        # Chats whose lane failed in this pass: they wait for the next pass, which comes
        # after the worker's pause, rather than have the failing row tried again at once.
        failed: set[str] = set()
        waiting: dict[str, list[OutboxItem]] = {}
        running: dict[asyncio.Task[int], _Lane] = {}
        woken = asyncio.ensure_future(self._wake.wait())
        nothing_more_due = False
        try:
            while True:
                while not self._stopping:
                    for lane in _lanes_to_start(waiting, list(running.values())):
                        items = waiting.pop(lane.chat_key)
                        task = asyncio.create_task(self._deliver_lane(lane.chat_key, items, held))
                        running[task] = lane
                    # Enough in hand: a backlog to many chats is fetched as lanes free up,
                    # not all at once (each fetch leaves out every chat in hand).
                    if (
                        nothing_more_due
                        or len(running) >= LANES_IN_FLIGHT
                        or len(waiting) >= BATCH_SIZE
                    ):
                        break
                    now = time.time()
                    # Holds set meanwhile too (a handler's delivery met a 429 or an error).
                    held.update(
                        (chat, until) for chat, until in self._held_until.items() if until > now
                    )
                    _forget_expired(held, now)
                    # Chats already running or waiting keep their place: their later rows
                    # come after the ones in hand.
                    busy = {lane.chat_key for lane in running.values()} | failed
                    fresh = await self._due_lanes(busy | waiting.keys() | held.keys())
                    nothing_more_due = not fresh
                    waiting.update(fresh)
                if not running:
                    break
                # Every lane runs to its end even if another fails: a lane cut off mid-call
                # could leave a row that Telegram acted on unsettled, to be sent again.
                done, _ = await asyncio.wait([*running, woken], return_when=asyncio.FIRST_COMPLETED)
                for task in done - {woken}:
                    lane = running.pop(task)
                    error = task.exception()
                    if error is not None:
                        logger.error("Delivering to chat %s failed", lane.chat_key, exc_info=error)
                        failed.add(lane.chat_key)
                        failure = failure or error
                    else:
                        settled += task.result()
                if woken.done():
                    # New rows were committed: look for them, even while lanes run.
                    self._wake.clear()
                    woken = asyncio.ensure_future(self._wake.wait())
                # The chat of a lane that ended may have rows that came in meanwhile.
                nothing_more_due = False
        finally:
            woken.cancel()
            # Only when the worker itself is cancelled (a stop that ran out of grace).
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        # What waits behind a held chat waits in one statement per chat, not one per row.
        await self._hold_chats(held, time.time())
        if failure is not None:
            raise failure
        return settled

    async def _due_lanes(self, except_chats: set[str]) -> dict[str, list[OutboxItem]]:
        """The rows due now, by chat, oldest chat first."""
        async with self._db.reading() as conn:
            batch = await outbox.due(conn, time.time(), BATCH_SIZE, except_chats=except_chats)
        lanes: dict[str, list[OutboxItem]] = {}
        for item in batch:
            if item.chat_key in self._handed_over_chats:
                # A handler is delivering to this chat: its rows wait for that, so that
                # nothing overtakes the handed-over row (the handler wakes the worker).
                self._deferred_chats.add(item.chat_key)
                continue
            lanes.setdefault(item.chat_key, []).append(item)
        return lanes

    async def _deliver_lane(
        self, chat_key: str, items: list[OutboxItem], held: dict[str, float]
    ) -> int:
        settled = 0
        folded: set[int] = set()
        for index, item in enumerate(items):
            if self._stopping:
                break
            if item.id in folded:
                continue
            now = time.time()
            if item.action in _SENDS:
                if (
                    item.action == Effect.SEND_CARD
                    and self._pacer.free_slots(chat_key, now) < DESK_RESERVE
                ):
                    # Past the group's budget the card folds into the review desk, which
                    # keeps the last free place for itself. Every later card of this pass
                    # would fold too: one transaction and one desk update carry them all.
                    card_rows = [
                        later.id for later in items[index:] if later.action == Effect.SEND_CARD
                    ]
                    async with self._db.transaction() as conn:
                        await effects.fold_cards_into_desk(conn, self._settings, card_rows, now)
                    folded.update(card_rows)
                    settled += len(card_rows)
                    continue
                slot = self._pacer.next_slot(chat_key, now)
                if slot > now:
                    # The group's minute is full: the rest of this chat waits for a place.
                    held[chat_key] = slot
                    break
                self._pacer.record(chat_key, now)
            retry = await self._deliver(item)
            if retry is None:
                settled += 1
                continue
            if retry.holds_chat:
                held[chat_key] = retry.at
                break
        return settled

    async def _deliver(
        self,
        item: OutboxItem,
        calling: contextlib.AbstractAsyncContextManager[object] | None = None,
    ) -> _Retry | None:
        """Try one row; None when it is settled, else when it will be tried again.

        `calling` is held while Telegram is called, and not while the outcome is written.
        """
        handler = self._handlers.get(item.action)
        try:
            if handler is None:
                raise BadRequest(f"unknown outbox action {item.action!r}")
            async with calling or contextlib.nullcontext():
                await handler(item)
        except RetryAfter as error:
            delay = float(
                error.retry_after
                if isinstance(error.retry_after, int | float)
                else error.retry_after.total_seconds()
            )
            self._held_until[item.chat_key] = time.time() + delay
            logger.warning(
                "Telegram asks to wait %.0f s before writing to chat %s", delay, item.chat_key
            )
            return await self._reschedule(item, delay, f"429 retry after {delay:.0f}s", count=False)
        except NotReadyError as error:
            if item.attempts + 1 >= NOT_READY_ATTEMPTS:
                logger.warning("Outbox row %s (%s) given up: %s", item.id, item.action, error)
                await self._give_up(item, str(error))
                return None
            # Waiting for this row's own precondition: other rows for the chat may go ahead.
            retry = await self._reschedule(item, self._backoff(item, error.delay), str(error))
            return _Retry(retry.at, holds_chat=False)
        except (BadRequest, Forbidden) as error:
            if self._is_moderation_chat_outage(item, error):
                # Cards must reach moderators eventually: wait for the chat to come back.
                logger.warning(
                    "Moderation chat unreachable (%s); card %s waits", error.message, item.id
                )
                await self._moderation_chat_unreachable(error.message)
                return await self._reschedule(item, self._backoff(item, 5.0), error.message)
            logger.warning(
                "Outbox row %s (%s to %s) given up: %s",
                item.id,
                item.action,
                item.chat_key,
                error.message,
            )
            await self._give_up(item, error.message)
            return None
        except NetworkError as error:
            # Timeouts, 5xx answers and dropped connections: Telegram may act later, try again.
            logger.warning(
                "Outbox row %s (%s) network error, will retry: %s",
                item.id,
                item.action,
                error.message,
            )
            return await self._reschedule(item, self._backoff(item, 1.0), error.message)
        except TelegramError as error:
            # What is left: 401 and 409 (token revoked, a second instance polling). The
            # row is not at fault, so it waits for the operator to fix the bot.
            logger.warning(
                "Outbox row %s (%s) failed, will retry: %s", item.id, item.action, error.message
            )
            return await self._reschedule(item, self._backoff(item, 1.0), error.message)
        await self._settle_delivered(item)
        if self._moderation_chat_down and item.chat_key == str(self._settings.moderation_chat_id):
            self._moderation_chat_down = False
            if await moderation.report_moderation_chat_back(self._db, self._settings, time.time()):
                logger.info("Moderation chat reachable again")
        return None

    async def _moderation_chat_unreachable(self, reason: str) -> None:
        self._moderation_chat_down = True
        if await moderation.report_moderation_chat_down(
            self._db, self._settings, reason, time.time()
        ):
            self.wake()

    def _is_moderation_chat_outage(self, item: OutboxItem, error: TelegramError) -> bool:
        if item.chat_key != str(self._settings.moderation_chat_id):
            return False
        message = error.message.lower()
        return isinstance(error, Forbidden) or "chat not found" in message

    @staticmethod
    def _backoff(item: OutboxItem, base: float) -> float:
        return float(min(MAX_BACKOFF, base * 2 ** min(item.attempts, 10)))

    async def _reschedule(
        self, item: OutboxItem, delay: float, reason: str, *, count: bool = True
    ) -> _Retry:
        at = time.time() + delay
        # A single statement: SQLite commits it on its own.
        async with self._db.reading() as conn:
            await outbox.reschedule(conn, item.id, at, reason, count_attempt=count)
        return _Retry(at)

    async def _hold_chats(self, held: dict[str, float], now: float) -> None:
        if not held:
            return
        async with self._db.transaction() as conn:
            for chat_key, until in held.items():
                await outbox.hold_chat(conn, chat_key, now, until)

    async def _settle_delivered(self, item: OutboxItem) -> None:
        """Mark the row delivered; returns once that is on disk.

        Lanes running side by side finish at nearly the same moment: the rows that are
        waiting when a write starts are all marked by it, rather than each queueing for
        the database on its own.
        """
        marked = self._delivered_waiting.get(item.id)
        if marked is None:
            marked = asyncio.get_running_loop().create_future()
            self._delivered_waiting[item.id] = marked
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._mark_delivered())
        await marked

    async def _mark_delivered(self) -> None:
        while self._delivered_waiting:
            rows, self._delivered_waiting = self._delivered_waiting, {}
            try:
                # A single statement: SQLite commits it on its own.
                async with self._db.reading() as conn:
                    await outbox.settle_delivered(conn, list(rows), time.time())
            except Exception as error:
                # Each waiting lane fails with it, as it would have on its own write.
                for marked in rows.values():
                    if not marked.done():
                        marked.set_exception(error)
            else:
                for marked in rows.values():
                    # A lane cut off by a stop that ran out of grace no longer waits.
                    if not marked.done():
                        marked.set_result(None)

    async def _give_up(self, item: OutboxItem, error: str) -> None:
        # A single statement: SQLite commits it on its own.
        async with self._db.reading() as conn:
            await outbox.settle_failed(conn, item.id, time.time(), error)

    # --- one function per effect --------------------------------------------------------

    async def _load_submission_and_title(
        self, item: OutboxItem
    ) -> tuple[Submission, str | None] | None:
        submission_id = int(item.payload["submission_id"] or 0)
        async with self._db.reading() as conn:
            submission = await submissions.get(conn, submission_id)
            if submission is None:
                return None
            article = (
                await articles.get(conn, submission.article_id)
                if submission.article_id is not None
                else None
            )
        return submission, article.title if article else None

    async def _render_card(self, item: OutboxItem) -> tuple[Submission, rendering.Card] | None:
        loaded = await self._load_submission_and_title(item)
        if loaded is None:
            return None
        submission, title = loaded
        async with self._db.reading() as conn:
            answers = await contact_replies.answers_of(conn, submission.id)
            past = await history.of_author(conn, submission.author.user_id, submission.id)
        flags = abuse.flags_for(submission, past, self._settings)
        return submission, rendering.card(submission, title, answers, flags)

    async def _send_card(self, item: OutboxItem) -> None:
        rendered = await self._render_card(item)
        if rendered is None:
            return
        submission, card = rendered
        async with self._db.reading() as conn:
            if await submissions.cards_of(conn, submission.id):
                return
        message = await self._bot.send_message(
            self._settings.moderation_chat_id, card.text, reply_markup=card.markup
        )
        async with self._db.transaction() as conn:
            await submissions.add_card(
                conn, submission.id, message.chat_id, message.message_id, rendered=card.digest
            )
            for part in range(len(card.continuation)):
                await effects.send_continuation(
                    conn, self._settings, submission.id, message.message_id, part, time.time()
                )

    async def _send_continuation(self, item: OutboxItem) -> None:
        """The rest of a text too long for its card, as a reply to the card."""
        rendered = await self._render_card(item)
        if rendered is None:
            return
        submission, card = rendered
        part = int(item.payload["part"] or 0)
        if part >= len(card.continuation):
            return
        message = await self._bot.send_message(
            self._settings.moderation_chat_id,
            card.continuation[part],
            reply_parameters=ReplyParameters(
                int(item.payload["card_message_id"] or 0), allow_sending_without_reply=True
            ),
        )
        async with self._db.transaction() as conn:
            await submissions.add_card(
                conn, submission.id, message.chat_id, message.message_id, continuation=True
            )

    async def _refresh_cards(self, item: OutboxItem) -> None:
        rendered = await self._render_card(item)
        if rendered is None:
            return
        submission, card = rendered
        async with self._db.reading() as conn:
            shown = await submissions.card_states(conn, submission.id)
        for existing in shown:
            if existing.rendered == card.digest:
                continue
            try:
                await self._bot.edit_message_text(
                    card.text,
                    chat_id=existing.chat_id,
                    message_id=existing.message_id,
                    reply_markup=card.markup,
                )
            except BadRequest as error:
                lowered = error.message.lower()
                if "message to edit not found" in lowered:
                    # A moderator deleted the card; the decision stands without it.
                    async with self._db.transaction() as conn:
                        await submissions.forget_card(conn, existing.chat_id, existing.message_id)
                    continue
                # Not modified: the card already shows this (the digest was lost in a crash).
                if "message is not modified" not in lowered:
                    raise
            async with self._db.transaction() as conn:
                await submissions.set_card_rendered(
                    conn, existing.chat_id, existing.message_id, card.digest
                )

    async def _acknowledge(self, item: OutboxItem) -> None:
        # Everything the text needs travels in the row: the reader's answer costs no query.
        await self._bot.send_message(
            int(item.chat_key),
            rendering.acknowledgement(
                SubmissionKind(str(item.payload["kind"])),
                _optional_text(item.payload.get("title")),
                published=bool(item.payload.get("published")),
            ),
        )

    async def _notify_author(self, item: OutboxItem) -> None:
        loaded = await self._load_submission_and_title(item)
        if loaded is None:
            return
        submission, title = loaded
        if submission.status is SubmissionStatus.PENDING:
            return
        await self._bot.send_message(
            submission.author.user_id, rendering.author_outcome(submission, title)
        )

    async def _thread_post(self, item: OutboxItem) -> None:
        loaded = await self._load_submission_and_title(item)
        if loaded is None or self._settings.discussion_chat_id is None:
            return
        submission, _ = loaded
        async with self._db.reading() as conn:
            article = await articles.get(conn, int(item.payload["article_id"] or 0))
        # Taken back (unpublished) before it went out: nothing to post.
        if submission.status is not SubmissionStatus.APPROVED:
            return
        if article is None or not article.open_for_comments:
            return
        if article.discussion_message_id is None:
            raise NotReadyError(
                "the discussion copy of the post has not arrived yet", DISCUSSION_COPY_WAIT
            )
        message = await self._bot.send_message(
            self._settings.discussion_chat_id,
            rendering.thread_comment(submission),
            reply_parameters=ReplyParameters(article.discussion_message_id),
        )
        async with self._db.transaction() as conn:
            await submissions.set_thread_message(conn, submission.id, message.message_id)

    async def _retract_thread_post(self, item: OutboxItem) -> None:
        loaded = await self._load_submission_and_title(item)
        if loaded is None or self._settings.discussion_chat_id is None:
            return
        submission, _ = loaded
        if submission.thread_message_id is None:
            return
        try:
            await self._bot.delete_message(
                self._settings.discussion_chat_id, submission.thread_message_id
            )
        except BadRequest as error:
            # Someone removed it by hand already: the comment is gone either way.
            if "message to delete not found" not in error.message.lower():
                raise

    async def _refresh_counter(self, item: OutboxItem) -> None:
        async with self._db.reading() as conn:
            article = await articles.get(conn, int(item.payload["article_id"] or 0))
            if article is None or article.channel_message_id is None:
                return
            count = await submissions.approved_count(conn, article.id)
        # Two approvals in a row both render the latest count; the second has nothing to do.
        if not article.open_for_comments or count == article.counter_shown:
            return
        try:
            await self._bot.edit_message_reply_markup(
                chat_id=self._settings.channel_id,
                message_id=article.channel_message_id,
                reply_markup=rendering.comments_button(article, self._bot_username, count),
            )
        except BadRequest as error:
            if "message is not modified" not in error.message.lower():
                raise
        async with self._db.transaction() as conn:
            await articles.set_counter_shown(conn, article.id, count)

    async def _deliver_reply(self, item: OutboxItem) -> None:
        """One message of a contact conversation, to the reader or under the card."""
        reply_id = int(item.payload["reply_id"] or 0)
        async with self._db.reading() as conn:
            reply = await contact_replies.get(conn, reply_id)
            submission = await submissions.get(conn, reply.submission_id) if reply else None
            cards = await submissions.cards_of(conn, submission.id) if submission else []
        if reply is None or submission is None or reply.status is not ReplyStatus.PENDING:
            return
        if reply.direction is ReplyDirection.TO_EDITORS:
            message = await self._bot.send_message(
                self._settings.moderation_chat_id,
                rendering.reader_answer(submission, reply),
                reply_parameters=ReplyParameters(cards[-1][1], allow_sending_without_reply=True)
                if cards
                else None,
            )
            async with self._db.transaction() as conn:
                await contact_replies.mark_delivered(
                    conn, reply.id, message.chat_id, message.message_id, time.time()
                )
            return
        try:
            message = await self._bot.send_message(
                submission.author.user_id, rendering.editors_answer(reply.text)
            )
        except (Forbidden, BadRequest) as error:
            # The moderator must hear that the reader never got the answer.
            async with self._db.transaction() as conn:
                await contact_replies.mark_undeliverable(conn, reply.id, error.message)
                await effects.reply_notice(conn, self._settings, reply.id, time.time())
            self.wake()
            return
        async with self._db.transaction() as conn:
            await contact_replies.mark_delivered(
                conn, reply.id, message.chat_id, message.message_id, time.time()
            )
            await effects.refresh_cards(conn, self._settings, submission.id, time.time())
        self.wake()

    async def _reply_notice(self, item: OutboxItem) -> None:
        async with self._db.reading() as conn:
            reply = await contact_replies.get(conn, int(item.payload["reply_id"] or 0))
        if reply is None:
            return
        await self._bot.send_message(
            self._settings.moderation_chat_id,
            rendering.answer_not_delivered(reply.failure or ""),
            reply_parameters=ReplyParameters(
                reply.source_message_id, allow_sending_without_reply=True
            ),
        )

    async def _admin_notice(self, item: OutboxItem) -> None:
        notice = AdminNotice(str(item.payload["notice"]))
        if notice is AdminNotice.MODERATION_CHAT_DOWN:
            async with self._db.reading() as conn:
                pending = await outbox.count_pending(conn)
            text = rendering.moderation_chat_down(str(item.payload["reason"] or ""), pending)
        else:
            text = rendering.MODERATION_CHAT_BACK
        await self._bot.send_message(int(item.chat_key), text)

    async def _show_desk(self, item: OutboxItem) -> None:
        """Post the review desk, or edit it to the item it should show now."""
        async with self._db.reading() as conn:
            state = await desk.load(conn)
            item_id = await desk.current_item(conn, state)
            submission = await submissions.get(conn, item_id) if item_id else None
            article = (
                await articles.get(conn, submission.article_id)
                if submission is not None and submission.article_id is not None
                else None
            )
            waiting = await submissions.count_by_status(conn, SubmissionStatus.PENDING)
            past = (
                await history.of_author(conn, submission.author.user_id, submission.id)
                if submission is not None
                else None
            )
        flags = (
            abuse.flags_for(submission, past, self._settings)
            if submission is not None and past is not None
            else None
        )
        text, markup = rendering.desk(
            submission, article.title if article else None, waiting, flags
        )
        digest = rendering.Card(text, markup).digest
        message_id = state.message_id
        if message_id is not None and not item.payload.get("new"):
            if digest == state.digest:
                return
            try:
                await self._bot.edit_message_text(
                    text,
                    chat_id=self._settings.moderation_chat_id,
                    message_id=message_id,
                    reply_markup=markup,
                )
            except BadRequest as error:
                lowered = error.message.lower()
                if "message to edit not found" in lowered:
                    message_id = None
                elif "message is not modified" not in lowered:
                    raise
        if message_id is None or item.payload.get("new"):
            # The desk is mostly edited; a new desk message is a send, within the budget.
            chat_key, now = str(self._settings.moderation_chat_id), time.time()
            slot = self._pacer.next_slot(chat_key, now)
            if slot > now:
                raise NotReadyError("the moderation chat's minute is full", slot - now)
            self._pacer.record(chat_key, now)
            sent = await self._bot.send_message(
                self._settings.moderation_chat_id, text, reply_markup=markup
            )
            message_id = sent.message_id
        async with self._db.transaction() as conn:
            await desk.save(conn, desk.DeskState(message_id, item_id, digest))


def _forget_expired(held: dict[str, float], now: float) -> None:
    """A chat whose wait is over may be delivered again (in place: lanes share the dict)."""
    for chat_key in [chat for chat, until in held.items() if until <= now]:
        del held[chat_key]


@dataclass(frozen=True)
class _Lane:
    chat_key: str
    acknowledgements_only: bool


def _lanes_to_start(waiting: dict[str, list[OutboxItem]], running: list[_Lane]) -> list[_Lane]:
    """Which waiting chats start now, oldest first: any lane of acknowledgements only while
    there is room, and any other lane only if no other such lane is running."""
    room = LANES_IN_FLIGHT - len(running)
    other_running = any(not lane.acknowledgements_only for lane in running)
    starting: list[_Lane] = []
    for chat_key, items in waiting.items():
        if len(starting) >= room:
            break
        lane = _Lane(chat_key, all(item.action == Effect.ACKNOWLEDGE for item in items))
        if not lane.acknowledgements_only:
            if other_running:
                continue
            other_running = True
        starting.append(lane)
    return starting


def _optional_text(value: int | str | bool | None) -> str | None:
    return None if value is None else str(value)
