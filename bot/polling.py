"""Fetching updates from Telegram, and acknowledging only what was handled.

python-telegram-bot's Updater confirms a batch of updates (by asking for the next offset)
as soon as it has queued them, so updates in its queue are lost if the process dies.
Here a batch is confirmed only after every update in it was handled: after a crash,
Telegram hands the unconfirmed ones out again, and `processed_updates` skips those that
were already handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.pacing import OverallPacer
from storage import processed_updates
from storage.db import Database

logger = logging.getLogger(__name__)

# Waits after a failure: 0.5 s, doubling up to 30 s, back to 0.5 s after a success.
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
UPDATES_PER_REQUEST = 100


class TelegramUnavailableError(Exception):
    """Start-up cannot finish: the token is refused."""


async def with_retries(
    what: str, action: Callable[[], Awaitable[object]], stopping: asyncio.Event
) -> bool:
    """Run `action` until it succeeds, backing off to 30 s; False if asked to stop."""
    delay = FIRST_BACKOFF
    while not stopping.is_set():
        try:
            await action()
        except InvalidToken as error:
            raise TelegramUnavailableError(f"Telegram refused the bot token: {error}") from None
        except RetryAfter as error:
            wait = _retry_after_seconds(error)
            logger.warning("%s: Telegram asks to wait %.0f s", what, wait)
            await _sleep_unless(stopping, wait)
        except (NetworkError, TelegramError) as error:
            logger.warning("Telegram unreachable (%s: %s); retrying in %.1f s", what, error, delay)
            await _sleep_unless(stopping, delay)
            delay = min(MAX_BACKOFF, delay * 2)
        else:
            return True
    return False


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return float(value if isinstance(value, int | float) else value.total_seconds())


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


class _Handling:
    """The update this task is handling, and whether it is recorded as handled yet."""

    def __init__(self, db: Database, update_id: int) -> None:
        self._db = db
        self._update_id = update_id
        self.recorded = False

    async def record(self) -> None:
        if not self.recorded:
            self.recorded = True
            await processed_updates.mark(self._db, self._update_id)


_handling: ContextVar[_Handling | None] = ContextVar("handling", default=None)


def handled_idempotently() -> None:
    """The handler stored what it did keyed by the reader's message, so handling the update
    again finds it: no need to spend a write recording the update as handled."""
    handling = _handling.get()
    if handling is not None:
        handling.recorded = True


# Calls to Telegram in flight at once (getUpdates has a connection of its own). A burst of
# handlers queues here: the HTTP client's pool does the same, but walks every connection
# and every waiting call each time one moves, which costs more than the calls themselves.
CALLS_IN_FLIGHT = 8
# The calls Telegram counts against its overall budget: the bot sends text messages only.
PACED_METHOD_SUFFIX = "/sendMessage"


class RecordingRequest(HTTPXRequest):
    """Before a handler's first call to Telegram, the update is recorded as handled.

    Handlers change state first and answer after, so by then the change is committed. If
    the process dies later, the update is not handled again and its answers are not sent
    twice; if it dies sooner, nothing was said yet and handling it again is right.
    """

    def __init__(self, pacer: OverallPacer | None = None) -> None:
        super().__init__(connection_pool_size=CALLS_IN_FLIGHT)
        self._in_flight = asyncio.Semaphore(CALLS_IN_FLIGHT)
        self._pacer = pacer

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        handling = _handling.get()
        if handling is not None:
            await handling.record()
        async with self._in_flight:
            if self._pacer is not None and url.endswith(PACED_METHOD_SUFFIX):
                # Every send the bot makes, a handler's reply or the outbox's, keeps within
                # Telegram's overall budget. The place is taken just before the call, so
                # that the calls reach Telegram as far apart as their places are.
                now = time.monotonic()
                slot = self._pacer.take_slot(now)
                if slot > now:
                    await asyncio.sleep(slot - now)
            return await super().do_request(url, method, *args, **kwargs)


def _order_key(update: Update) -> int:
    """Updates from one person (or chat) are handled in order; others run alongside."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return 0


class Poller:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        db: Database,
        allowed_updates: list[str],
        poll_timeout: int,
    ) -> None:
        self._application = application
        self._db = db
        self._allowed_updates = allowed_updates
        self._poll_timeout = poll_timeout
        self._offset: int | None = None

    async def run(self, stopping: asyncio.Event) -> None:
        delay = FIRST_BACKOFF
        while not stopping.is_set():
            try:
                updates = await self._fetch(stopping)
            except RetryAfter as error:
                await _sleep_unless(stopping, _retry_after_seconds(error))
                continue
            except Conflict as error:
                logger.warning("Another instance polls with this token (%s); retrying", error)
                await _sleep_unless(stopping, delay)
                delay = min(MAX_BACKOFF, delay * 2)
                continue
            except InvalidToken:
                raise
            except (NetworkError, TelegramError) as error:
                logger.warning(
                    "Telegram unreachable (getUpdates: %s); retrying in %.1f s", error, delay
                )
                await _sleep_unless(stopping, delay)
                delay = min(MAX_BACKOFF, delay * 2)
                continue
            delay = FIRST_BACKOFF
            if not updates:
                continue
            try:
                await self._handle_batch(updates)
            except Exception:
                # The database failed us (disk full, say): keep the batch unconfirmed and try
                # it again, rather than lose it or end the process.
                logger.exception("Handling a batch of updates failed; trying it again")
                await _sleep_unless(stopping, delay)
                continue
            # Confirmed by the next getUpdates, which asks for what comes after these.
            self._offset = updates[-1].update_id + 1
        await self._confirm_handled()

    async def _fetch(self, stopping: asyncio.Event) -> tuple[Update, ...]:
        """One long poll, cut short when the bot is asked to stop."""
        poll = asyncio.ensure_future(
            self._application.bot.get_updates(
                offset=self._offset,
                limit=UPDATES_PER_REQUEST,
                timeout=self._poll_timeout,
                allowed_updates=self._allowed_updates,
            )
        )
        stop = asyncio.ensure_future(stopping.wait())
        done, _ = await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await poll
            return ()
        stop.cancel()
        updates: tuple[Update, ...] = poll.result()
        return updates

    async def _handle_batch(self, updates: tuple[Update, ...]) -> None:
        fresh = await processed_updates.unprocessed(self._db, [u.update_id for u in updates])
        queues: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            if update.update_id in fresh:
                queues[_order_key(update)].append(update)
        await asyncio.gather(*(self._handle_in_order(queue) for queue in queues.values()))

    async def _handle_in_order(self, queue: list[Update]) -> None:
        for update in queue:
            handling = _Handling(self._db, update.update_id)
            token = _handling.set(handling)
            try:
                # Errors inside handlers go to the error handler; this returns after it.
                await self._application.process_update(update)
            finally:
                _handling.reset(token)
            await handling.record()

    async def _confirm_handled(self) -> None:
        """Tell Telegram, on the way out, that what was handled need not come again."""
        if self._offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self._application.bot.get_updates(offset=self._offset, timeout=0, limit=1)


async def serve(
    application: Application,  # type: ignore[type-arg]
    allowed_updates: list[str],
    stopping: asyncio.Event,
    *,
    poll_timeout: int = 10,
    db_of: Callable[[], Database],
    started: asyncio.Event | None = None,
) -> None:
    """The bot's whole life: start (retrying while Telegram is away), poll, stop cleanly."""
    if not await with_retries("start-up", application.initialize, stopping):
        return
    try:
        if not await with_retries("deleteWebhook", application.bot.delete_webhook, stopping):
            return
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if started is not None:
            started.set()
        try:
            await Poller(application, db_of(), allowed_updates, poll_timeout).run(stopping)
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def stop_on_signals(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
