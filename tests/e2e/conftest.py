from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import RunningBot, populate, running_bot
from tests.factories import DISCUSSION_CHAT_ID, make_settings

StartBot = Callable[..., AbstractAsyncContextManager[RunningBot]]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
    # Every end-to-end test doubles as a check that the bot sent nothing Telegram refuses.
    if fake.bad_requests():
        print(
            "CALLS",
            [
                (c.method, c.params.get("chat_id"), c.status, c.injected, round(c.at, 3))
                for c in fake.calls
                if c.method != "getUpdates"
            ],
        )
    assert fake.bad_requests() == [], fake.bad_requests()


@pytest.fixture
def e2e_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    populate(telegram, with_discussion=False)
    return make_settings(database_path, telegram_api_url=telegram.base_url)


@pytest.fixture
def discussion_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    populate(telegram, with_discussion=True)
    return make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id=DISCUSSION_CHAT_ID
    )


@pytest.fixture
async def bot(e2e_settings: Settings) -> AsyncIterator[RunningBot]:
    async with running_bot(e2e_settings) as running:
        yield running
