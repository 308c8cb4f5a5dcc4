"""Runs the real Application against the fake Bot API, as `python -m bot` would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiosqlite
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.settings import Settings
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
)
from tests.fake_telegram import FakeTelegram

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


@dataclass
class RunningBot:
    application: Application  # type: ignore[type-arg]


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[RunningBot]:
    """The lifecycle of Application.run_polling, inside the test's event loop."""
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        allowed_updates=ALLOWED_UPDATES, poll_interval=0, timeout=1
    )
    await application.start()
    try:
        yield RunningBot(application)
    finally:
        await application.updater.stop()
        await application.stop()
        assert application.post_stop is not None
        await application.post_stop(application)
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


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
