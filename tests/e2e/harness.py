"""Runs the real Application against the fake Bot API, as `python -m bot` would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiosqlite
import pytest

from bot.app import BotApp, build_application
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)

OUTSIDER_ID = 6666
READER_IDS = (2001, 2002, 2003)
# A reader whose Telegram name is made to break HTML that is not escaped.
HOSTILE_READER_ID = 2666
HOSTILE_FIRST_NAME = "<b>Eve</b> & <script>"
HOSTILE_LAST_NAME = "</i>&amp;"


def populate(telegram: FakeTelegram, *, with_discussion: bool) -> None:
    """The newsroom: an admin, a moderator, readers, the channel and its groups."""
    telegram.add_user(ADMIN_ID, "Alice", "Admin", "alice_admin")
    telegram.add_user(MODERATOR_ID, "Mo", "Derator", "mo_mod")
    telegram.add_user(OUTSIDER_ID, "Otto", "Outsider", "otto")
    for number, user_id in enumerate(READER_IDS):
        telegram.add_user(user_id, f"Reader{number}", None, f"reader{number}")
    telegram.add_user(HOSTILE_READER_ID, HOSTILE_FIRST_NAME, HOSTILE_LAST_NAME)
    telegram.add_channel(
        CHANNEL_ID,
        "The Blog",
        username="the_blog",
        linked_chat_id=DISCUSSION_CHAT_ID if with_discussion else None,
    )
    telegram.add_group(MODERATION_CHAT_ID, "Moderators", member_ids=[MODERATOR_ID])
    if with_discussion:
        telegram.add_group(DISCUSSION_CHAT_ID, "The Blog chat", linked_channel_id=CHANNEL_ID)


class MovedClocks:
    """Time passing at once for the bot and for Telegram, never waited for.

    The bot reads the time from time.time() throughout: it is replaced (for this test) by
    the wall clock plus what `move_forward` added. What was handed a clock of its own at
    start (the group's minute, the spam check's and CAS's caches) keeps the wall clock.
    Telegram's clock is the fake's (FakeTelegram.move_clock_forward)."""

    def __init__(self, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
        self._telegram = telegram
        self._wall = time.time
        self._ahead = 0.0
        monkeypatch.setattr(time, "time", self.now)

    def now(self) -> float:
        return self._wall() + self._ahead

    def move_forward(self, seconds: float) -> None:
        self._ahead += seconds
        self._telegram.move_clock_forward(seconds)


@dataclass
class RunningBot:
    bot_app: BotApp


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[RunningBot]:
    """The bot's own serve() in the test's event loop, stopped as a signal would stop it."""
    bot_app = build_application(settings)
    stopping, started = asyncio.Event(), asyncio.Event()
    # A short long-poll keeps shutdown quick; the loop is otherwise the production one.
    task = asyncio.create_task(bot_app.serve(stopping, poll_timeout=1, started=started))
    try:
        await asyncio.wait(
            {task, asyncio.ensure_future(started.wait())},
            timeout=10,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if task.done():
            task.result()
        assert started.is_set(), "the bot did not start within 10 s"
        yield RunningBot(bot_app)
    finally:
        stopping.set()
        await asyncio.wait_for(task, timeout=20)


async def outbox_statuses(settings: Settings) -> dict[str, str]:
    """Each outbox action with the status of its latest row, read from the bot's own file."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute("SELECT action, status FROM outbox ORDER BY id") as cursor,
    ):
        return {row[0]: row[1] for row in await cursor.fetchall()}


async def wait_for_outbox(
    settings: Settings, predicate: Callable[[dict[str, str]], bool]
) -> dict[str, str]:
    """The outbox lives in SQLite, which sends no events: look again every 20 ms, for 5 s."""
    deadline = time.monotonic() + 5.0
    while True:
        statuses = await outbox_statuses(settings)
        if predicate(statuses):
            return statuses
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox never matched; last seen {statuses}")
        await asyncio.sleep(0.02)


async def submission_statuses(settings: Settings) -> list[str]:
    """Every submission's status, in order, read from the bot's own SQLite file."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute("SELECT status FROM submissions ORDER BY id") as cursor,
    ):
        return [row[0] for row in await cursor.fetchall()]
