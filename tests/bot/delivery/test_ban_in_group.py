"""A ban carried to the discussion group: with its end as Telegram's until_date, and one
whose end is under 30 seconds away when its row is delivered (late) lifted instead, since
Telegram would take so near an end for good."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import ExtBot

from bot.delivery import discussion
from bot.delivery.base import Delivery
from bot.services.effects import Effect
from sandbox.bot_api import FakeTelegram
from storage.db import Database
from storage.models import OutboxItem
from tests.e2e.harness import READER_IDS, populate
from tests.factories import DISCUSSION_CHAT_ID, make_settings

READER = READER_IDS[0]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    populate(fake, with_discussion=True)
    fake.set_member_status(DISCUSSION_CHAT_ID, READER, "member")
    yield fake
    await fake.stop()
    assert fake.bad_requests() == [], fake.bad_requests()


@pytest.fixture
async def delivery(
    telegram: FakeTelegram, db: Database, database_path: Path
) -> AsyncIterator[Delivery]:
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
    )
    async with ExtBot(telegram.token, base_url=telegram.base_url) as bot:
        yield Delivery(db, bot, settings, telegram.bot_username)


def ban_row(until: float | None, action: Effect = Effect.BAN_IN_GROUP) -> OutboxItem:
    payload: dict[str, int | str | bool | None] = {"user_id": READER}
    if until is not None:
        payload["until"] = int(until)
    return OutboxItem(1, action, str(DISCUSSION_CHAT_ID), payload, 0)


async def test_a_ban_with_an_end_carries_it_as_until_date(
    telegram: FakeTelegram, delivery: Delivery
) -> None:
    until = int(time.time()) + 86400
    await discussion.ban_in_group(delivery, ban_row(until))
    [call] = [c for c in telegram.calls if c.method == "banChatMember"]
    assert call.params["until_date"] == until
    telegram.move_clock_forward(86400 + 1)
    assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "left"


async def test_a_ban_ending_within_30_seconds_is_lifted_not_made_for_good(
    telegram: FakeTelegram, delivery: Delivery
) -> None:
    await discussion.ban_in_group(delivery, ban_row(None))
    assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "kicked"
    await discussion.ban_in_group(delivery, ban_row(time.time() + 10))
    assert [c.method for c in telegram.calls if "ban" in c.method.lower()] == [
        "banChatMember",
        "unbanChatMember",
    ]
    assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "left"
