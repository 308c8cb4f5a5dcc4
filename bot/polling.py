"""Fetching updates from Telegram, and acknowledging only what was handled or kept.

python-telegram-bot's Updater confirms a batch of updates (by asking for the next offset)
as soon as it has queued them, so updates in its queue are lost if the process dies.
Here a batch is confirmed only after every update in it was handled, or failed and was
kept in the database to be tried again apart (bot.update_handling): after a crash,
Telegram hands the unconfirmed ones out again, and `processed_updates` skips those that
were already handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import time
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.logging_setup import update_kinds
from bot.update_handling import Fetched, HeldUpdatesError, UpdateHandling
from storage.db import Database

logger = logging.getLogger(__name__)

# Waits after a failure: 0.5 s, doubling up to 30 s, back to 0.5 s after a success.
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
UPDATES_PER_REQUEST = 100
# A long poll may take its whole timeout; the answer gets this much longer to arrive.
POLL_READ_MARGIN = 5.0
# getUpdates answers 409 Conflict for three reasons, told apart only by the description
# (/work/shared/telegram/README.md; tdlib/telegram-bot-api's Client.cpp,
# process_get_updates_query and abort_long_poll):
#   "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to
#   delete the webhook first": a webhook is set for the token;
#   "Conflict: terminated by setWebhook request": one was set while this poll waited;
#   "Conflict: terminated by other getUpdates request; make sure that only one bot
#   instance is running": another process polls with the same token.
_WEBHOOK_CONFLICTS = ("while webhook is active", "terminated by setWebhook request")


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


# Another instance polling with the token is gone once no 409 came for this long beyond a
# poll: longer than its longest wait between tries.
OTHER_INSTANCE_QUIET = MAX_BACKOFF + 5.0


class Poller:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        db: Database,
        allowed_updates: list[str],
        poll_timeout: int,
    ) -> None:
        self._application = application
        self._handling = UpdateHandling(application, db)
        self._allowed_updates = allowed_updates
        self._poll_timeout = poll_timeout
        self._offset: int | None = None
        # When held updates are next due (time.time(); None: none held). At start, at
        # once: some may have been kept before a restart.
        self._held_due: float | None = 0.0
        # The wait before trying held updates again after the database failed on them.
        self._held_delay = FIRST_BACKOFF
        # When another instance last took a poll over (None: not in this streak), and
        # whether this one removed a webhook since the last getUpdates that worked.
        self._other_instance_seen_at: float | None = None
        self._webhook_removed = False

    async def run(self, stopping: asyncio.Event) -> None:
        delay = FIRST_BACKOFF
        while not stopping.is_set():
            await self._retry_held()
            try:
                updates, last_id = await self._fetch(stopping)
            except RetryAfter as error:
                await _sleep_unless(stopping, _retry_after_seconds(error))
                continue
            except Conflict as error:
                delay = await self._after_conflict(error, stopping, delay)
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
            self._note_polling_works(stopping)
            if last_id is None:
                delay = FIRST_BACKOFF
                continue
            try:
                held = await self._handling.handle_batch(updates)
            except Exception:
                # The database failed us (disk full, say): before any handler ran, or
                # when it was to keep the updates that failed.
                logger.exception("Handling a batch of updates failed; trying it again")
                # Unconfirmed: getUpdates hands the same batch out again, and the updates
                # already handled in it are skipped.
                await _sleep_unless(stopping, delay)
                delay = min(MAX_BACKOFF, delay * 2)
                continue
            delay = FIRST_BACKOFF
            if held:
                # Look at once when they are due.
                self._held_due = 0.0
            # Confirmed by the next getUpdates, which asks for what comes after these.
            self._offset = last_id + 1
        await self._confirm_handled()

    async def _retry_held(self) -> None:
        """Try again the held updates whose time came (between polls, so that none of them
        runs beside a batch's handling of the same person's updates)."""
        if self._held_due is None or self._held_due > time.time():
            return
        try:
            self._held_due = await self._handling.retry_held()
        except Exception as error:
            # HeldUpdatesError: each person's failure is logged already.
            logger.warning(
                "Trying held updates again failed (%s); trying again in %.1f s",
                error,
                self._held_delay,
                exc_info=not isinstance(error, HeldUpdatesError),
            )
            self._held_due = time.time() + self._held_delay
            self._held_delay = min(MAX_BACKOFF, self._held_delay * 2)
        else:
            self._held_delay = FIRST_BACKOFF

    def _poll_wait(self) -> int:
        """The long poll's timeout: shorter when a held update comes due sooner. Telegram
        takes whole seconds, so a held update waits up to a second longer."""
        if self._held_due is None:
            return self._poll_timeout
        return max(0, min(self._poll_timeout, math.ceil(self._held_due - time.time())))

    async def _after_conflict(
        self, error: Conflict, stopping: asyncio.Event, delay: float
    ) -> float:
        """Deal with a 409 from getUpdates; returns the wait after the next failure."""
        if any(text in error.message for text in _WEBHOOK_CONFLICTS):
            if self._webhook_removed:
                # Set again before a poll got through: something keeps setting it, and
                # waiting between removals keeps that tug of war from running flat out.
                await _sleep_unless(stopping, delay)
                delay = min(MAX_BACKOFF, delay * 2)
            self._webhook_removed = await self._remove_webhook(stopping)
            return delay
        # Telegram ends the older of two waiting polls, so two instances take turns and
        # both see this again and again: one line for the whole streak, not one a try.
        if self._other_instance_seen_at is None:
            logger.warning(
                "A second bot instance is polling with this token (Telegram: %s); only "
                "one of them gets updates, so this one keeps trying, waiting up to %.0f s "
                "between tries, until the other stops",
                error.message,
                MAX_BACKOFF,
            )
        else:
            logger.debug("getUpdates still in conflict; retrying in %.1f s", delay)
        self._other_instance_seen_at = time.monotonic()
        await _sleep_unless(stopping, delay)
        return min(MAX_BACKOFF, delay * 2)

    async def _remove_webhook(self, stopping: asyncio.Event) -> bool:
        """deleteWebhook, retried like any call; False if asked to stop first."""
        bot = self._application.bot
        # Updates queued while the webhook was set are still to be handled: keep them.
        removed = await with_retries(
            "deleteWebhook", lambda: bot.delete_webhook(drop_pending_updates=False), stopping
        )
        if removed:
            logger.warning(
                "A webhook was set for this bot's token, which stops getUpdates; removed it "
                "(pending updates kept) and polling on"
            )
        return removed

    def _note_polling_works(self, stopping: asyncio.Event) -> None:
        self._webhook_removed = False
        seen_at = self._other_instance_seen_at
        # A poll cut short by stopping proves nothing about the other instance; nor does
        # one that got through while the other was between its polls (two instances take
        # turns): the other has stopped only once none came for a while.
        if seen_at is None or stopping.is_set():
            return
        if time.monotonic() - seen_at < OTHER_INSTANCE_QUIET + self._poll_timeout:
            return
        logger.info("getUpdates works again: no other instance polls with this token now")
        self._other_instance_seen_at = None

    async def _fetch(self, stopping: asyncio.Event) -> tuple[tuple[Fetched, ...], int | None]:
        """One long poll, cut short when the bot is asked to stop: the updates, and the
        last update id of the batch (unreadable ones included; None: nothing came)."""
        poll = asyncio.ensure_future(self._get_updates())
        stop = asyncio.ensure_future(stopping.wait())
        done, _ = await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await poll
            return (), None
        stop.cancel()
        return poll.result()

    async def _get_updates(self) -> tuple[tuple[Fetched, ...], int | None]:
        """The next updates, each parsed on its own: one that python-telegram-bot cannot
        read (a field it does not know how to take) is logged and passed over, where
        Bot.get_updates would fail the whole batch again and again."""
        bot = self._application.bot
        timeout = self._poll_wait()
        # Bot.get_updates parses the batch as a whole; _post is the same request without it.
        raw = await bot._post(
            "getUpdates",
            {
                "offset": self._offset,
                "limit": UPDATES_PER_REQUEST,
                "timeout": timeout,
                "allowed_updates": self._allowed_updates,
            },
            read_timeout=POLL_READ_MARGIN + timeout,
        )
        updates: list[Fetched] = []
        last_id: int | None = None
        for data in raw if isinstance(raw, list) else []:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if isinstance(update_id, int):
                last_id = max(last_id or update_id, update_id)
            try:
                update = Update.de_json(data, bot)
            except Exception:
                # Ids and kind only: the update holds a person's words.
                logger.exception(
                    "Passing over update %s (%s), which cannot be read",
                    update_id,
                    update_kinds(data),
                )
                continue
            updates.append(Fetched(update, data))
        return tuple(updates), last_id

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
