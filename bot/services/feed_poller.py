"""Fetches the blog's feeds (FEED_URLS) as they fall due, until stopped.

One feed at a time: a feed is small, and posting is paced by the outbox anyway. A feed
that fails never stops the others nor the bot: each fetch and its recording is guarded,
and a failure only makes that feed wait longer (bot.services.feeds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import httpx

from bot import feeds as feed_reader
from bot.services import feeds
from bot.settings import Settings
from storage.db import Database
from storage.models import FeedState

logger = logging.getLogger(__name__)

# How long the poller sleeps at most between looks at what is due (a feed added to
# FEED_URLS needs a restart anyway; this only bounds a wait computed from the database).
LONGEST_NAP = 60.0
# How long stopping waits for a fetch in flight before cutting it short.
STOP_GRACE = 2.0


class FeedPoller:
    def __init__(self, db: Database, settings: Settings, wake_outbox: Callable[[], None]) -> None:
        self._db = db
        self._settings = settings
        # The outbox carries the posts and the admins' notices a fetch may have queued.
        self._wake_outbox = wake_outbox
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="feeds")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is None:
            return
        # A fetch in flight may take FETCH_TIMEOUT: the bot does not wait that long to stop
        # (an entry fetched but not recorded is simply fetched again next time).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_GRACE)
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        async with httpx.AsyncClient(
            headers={"User-Agent": feed_reader.USER_AGENT}, follow_redirects=True
        ) as client:
            while not self._stopping.is_set():
                try:
                    for state in await feeds.due(self._db, self._settings, time.time()):
                        if self._stopping.is_set():
                            return
                        await self._poll(client, state)
                        self._wake_outbox()
                    nap = await self._until_next()
                except Exception:
                    logger.exception("Looking at the feeds failed; trying again shortly")
                    nap = min(self._settings.feed_poll_seconds, LONGEST_NAP)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=nap)

    async def _poll(self, client: httpx.AsyncClient, state: FeedState) -> None:
        url = state.url
        try:
            result = await feed_reader.fetch(client, url, state.etag, state.last_modified)
            if result.status is feed_reader.FetchStatus.FAILED:
                await feeds.failed(self._db, self._settings, url, result.reason, time.time())
                return
            if result.status is feed_reader.FetchStatus.NOT_MODIFIED:
                await feeds.not_modified(self._db, self._settings, url, time.time())
                return
            try:
                # Parsing a large feed takes a while: off the event loop, which serves
                # readers meanwhile.
                parsed = await asyncio.to_thread(feed_reader.parse, result.body, url)
            except feed_reader.FeedParseError as error:
                await feeds.failed(self._db, self._settings, url, str(error), time.time())
                return
            await feeds.took_entries(
                self._db,
                self._settings,
                url,
                parsed,
                (result.etag, result.last_modified),
                time.time(),
            )
        except Exception as error:
            # A bug, or the database refused: this feed waits like a failing one; the
            # others go on.
            logger.exception("Feed %s could not be handled", url)
            with contextlib.suppress(Exception):
                await feeds.failed(self._db, self._settings, url, repr(error), time.time())

    async def _until_next(self) -> float:
        states = await feeds.all_feeds(self._db, self._settings)
        if not states:
            return LONGEST_NAP
        soonest = min(state.next_fetch_at for state in states)
        return max(0.05, min(soonest - time.time(), LONGEST_NAP))
