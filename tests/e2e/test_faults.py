"""Hostile chats and Telegram faults, injected into the fake Bot API."""

from __future__ import annotations

from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, RunningBot, running_bot
from tests.e2e.steps import comment, post_article
from tests.factories import ADMIN_ID, MODERATION_CHAT_ID

STRANGE_GROUP_ID = -1009999999999


async def test_the_bot_leaves_groups_it_was_not_configured_for(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Added to an unknown group, the bot leaves; re-added to its moderation chat, it stays."""
    telegram.add_group(STRANGE_GROUP_ID, "Somewhere else", member_ids=[OUTSIDER_ID])
    telegram.set_member_status(STRANGE_GROUP_ID, telegram.bot_id, "left")
    telegram.user_adds_bot(OUTSIDER_ID, STRANGE_GROUP_ID)
    await telegram.wait_for(lambda: telegram.bot_status_in(STRANGE_GROUP_ID) == "left")
    telegram.user_adds_bot(ADMIN_ID, MODERATION_CHAT_ID, status="administrator")
    # Processed in order: once this comment is carded, the re-add was handled too.
    _, post = await post_article(telegram)
    await comment(telegram, READER_IDS[0], post, "after the re-add")
    assert telegram.bot_status_in(MODERATION_CHAT_ID) == "administrator"
    assert next(c for c in telegram.calls if c.method == "leaveChat").params["chat_id"] == (
        STRANGE_GROUP_ID
    )


async def test_polling_survives_gateway_errors_without_spinning(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """getUpdates answering 502 and dropping connections: the bot backs off and carries on."""
    async with running_bot(e2e_settings):
        await telegram.wait_for(telegram.is_polling)
        telegram.fail_next("getUpdates", 502, "Bad Gateway", times=2)
        telegram.fail_next("getUpdates", 0, "", drop_connection=True)
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "through the storm")
    failed = [c for c in telegram.calls if c.method == "getUpdates" and c.injected]
    assert len(failed) == 3
    # Backing off: the retries were spread over at least 0.5 + 1 s, not fired at once.
    assert failed[-1].at - failed[0].at >= 1.4
