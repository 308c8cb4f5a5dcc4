"""The CAS ban list, seen from the running bot: with CAS_CHECK off it is never asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot
from tests.e2e.steps import comment, post_article, thread_of, types_under
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, make_settings
from tests.fake_cas import FakeCas


@pytest.fixture
async def fake_cas() -> AsyncIterator[FakeCas]:
    server = FakeCas()
    await server.start()
    yield server
    await server.stop()


async def test_with_cas_check_off_no_comment_asks_cas(
    telegram: FakeTelegram, fake_cas: FakeCas, database_path: Path
) -> None:
    """CAS_CHECK off (the default), CAS_API_URL set: a comment through the bot and one
    typed under a post reach their cards, and CAS hears nothing of either."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        cas_api_url=fake_cas.base_url,
    )
    assert settings.cas_check is False
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "A comment through the bot")
        thread = await thread_of(telegram, post)
        types_under(telegram, READER_IDS[1], "A comment typed in the thread", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="typed in the thread")

    assert fake_cas.asked == []
