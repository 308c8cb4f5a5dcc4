"""Runs the real Application against the fake Bot API, as `python -m bot` would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

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


def populate(telegram: FakeTelegram, *, with_discussion: bool) -> None:
    """The newsroom: an admin, a moderator, readers, the channel and its groups."""
    telegram.add_user(ADMIN_ID, "Alice", "Admin", "alice_admin")
    telegram.add_user(MODERATOR_ID, "Mo", "Derator", "mo_mod")
    telegram.add_user(OUTSIDER_ID, "Otto", "Outsider", "otto")
    for number, user_id in enumerate(READER_IDS):
        telegram.add_user(user_id, f"Reader{number}", None, f"reader{number}")
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
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
