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

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.logging_setup import update_kinds
from storage import processed_updates
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


def _order_key(update: Update) -> int:
    """Updates from one person (or chat) are handled in order; others run alongside."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return 0


# An update whose handling keeps failing (the database refuses it, a bug) is tried this
# many times, each batch retry waiting longer, then logged in full and left behind, so one
# update can never stop the bot from hearing every later one.
MAX_HANDLING_ATTEMPTS = 5
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
        self._db = db
        self._allowed_updates = allowed_updates
        self._poll_timeout = poll_timeout
        self._offset: int | None = None
        # Failed attempts of updates not handled yet, by update id.
        self._failures: dict[int, int] = {}
        # Presses among them that the error handler answered already.
        self._answered_presses: set[int] = set()
        # When another instance last took a poll over (None: not in this streak), and
        # whether this one removed a webhook since the last getUpdates that worked.
        self._other_instance_seen_at: float | None = None
        self._webhook_removed = False

    async def run(self, stopping: asyncio.Event) -> None:
        delay = FIRST_BACKOFF
        while not stopping.is_set():
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
                failed = await self._handle_batch(updates)
            except Exception:
                # The database failed us before any handler ran (disk full, say).
                logger.exception("Handling a batch of updates failed; trying it again")
                failed = True
            if failed:
                # Unconfirmed: getUpdates hands the same batch out again, and the updates
                # already handled in it are skipped.
                await _sleep_unless(stopping, delay)
                delay = min(MAX_BACKOFF, delay * 2)
                continue
            delay = FIRST_BACKOFF
            # Confirmed by the next getUpdates, which asks for what comes after these.
            self._offset = last_id + 1
        await self._confirm_handled()

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

    async def _fetch(self, stopping: asyncio.Event) -> tuple[tuple[Update, ...], int | None]:
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

    async def _get_updates(self) -> tuple[tuple[Update, ...], int | None]:
        """The next updates, each parsed on its own: one that python-telegram-bot cannot
        read (a field it does not know how to take) is logged and passed over, where
        Bot.get_updates would fail the whole batch again and again."""
        bot = self._application.bot
        # Bot.get_updates parses the batch as a whole; _post is the same request without it.
        raw = await bot._post(
            "getUpdates",
            {
                "offset": self._offset,
                "limit": UPDATES_PER_REQUEST,
                "timeout": self._poll_timeout,
                "allowed_updates": self._allowed_updates,
            },
            read_timeout=POLL_READ_MARGIN + self._poll_timeout,
        )
        updates: list[Update] = []
        last_id: int | None = None
        for data in raw if isinstance(raw, list) else []:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if isinstance(update_id, int):
                last_id = max(last_id or update_id, update_id)
            try:
                update = Update.de_json(data, bot)
            except Exception:
                logger.exception(
                    "Passing over update %s (%s), which cannot be read",
                    update_id,
                    update_kinds(data),
                )
                continue
            updates.append(update)
        return tuple(updates), last_id

    async def _handle_batch(self, updates: tuple[Update, ...]) -> bool:
        """Handle what in the batch is not handled yet; True if any of it failed."""
        fresh = await processed_updates.unprocessed(self._db, [u.update_id for u in updates])
        queues: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            if update.update_id in fresh:
                queues[_order_key(update)].append(update)
        # Every queue runs to its end, whatever happens to the others: none may still be
        # running when the batch is tried again, or one update could run twice at once.
        results = await asyncio.gather(
            *(self._handle_in_order(queue) for queue in queues.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                logger.error("Handling updates failed", exc_info=result)
        return any(result is not True for result in results)

    async def _handle_in_order(self, queue: list[Update]) -> bool:
        """One person's updates in order; stops at the first that fails (True: none did)."""
        for update in queue:
            earlier_failures = self._failures.get(update.update_id, 0)
            with processed_updates.handling(
                update.update_id,
                earlier_failures,
                press_answered=update.update_id in self._answered_presses,
            ) as handled:
                # Errors inside handlers go to the error handler (handlers.errors), which
                # marks the update failed; this returns after it.
                await self._application.process_update(update)
            if handled.press_answered:
                self._answered_presses.add(update.update_id)
            # Failed after its change was committed (its answer did not go): nothing to redo.
            if handled.failed and not handled.recorded and not self._give_up(update):
                return False
            if not handled.recorded:
                # Nothing it did wrote to the database (it only read, or only answered).
                async with self._db.reading() as conn:
                    await processed_updates.record(conn, [update.update_id], time.time())
            self._failures.pop(update.update_id, None)
            self._answered_presses.discard(update.update_id)
        return True

    def _give_up(self, update: Update) -> bool:
        attempts = self._failures.get(update.update_id, 0) + 1
        self._failures[update.update_id] = attempts
        if attempts < MAX_HANDLING_ATTEMPTS:
            return False
        logger.error(
            "Update %s (%s) failed %s times; passing over it",
            update.update_id,
            update_kinds(update.to_dict()),
            attempts,
        )
        return True

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
