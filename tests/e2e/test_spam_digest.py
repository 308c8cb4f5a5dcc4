"""The hourly spam digest in the moderation group: what the check caught is counted in
one message, and a restart within the hour sends no second one."""

from __future__ import annotations

from pathlib import Path

from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, running_bot
from tests.e2e.steps import post_article, thread_of, types_under
from tests.e2e.test_spam_intake import SPAM, SPAM_TOO, caught, in_group, thread_settings
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID

SPAMMER, OTHER, _ = READER_IDS
DIGEST = "spam messages caught in the last hour: /spam"


async def taken_down(telegram: FakeTelegram, message_id: int) -> None:
    await telegram.wait_for(lambda: not in_group(telegram, message_id))


async def spam_list_shown(telegram: FakeTelegram) -> None:
    """The bot answered /spam: its start-up digest check, started before it took
    updates, has queued what it would."""
    telegram.user_sends_text(MODERATOR_ID, "/spam", chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="🧹")


async def test_catches_are_told_in_one_digest_and_a_restart_sends_no_second(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Two catches under a post; the check runs when the bot starts (and every minute):
    after a restart the group reads one digest counting both; after another restart
    within the hour, none more."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        # Its start-up check has run (and found nothing) once it answers a command.
        await spam_list_shown(telegram)
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        for author, text in ((SPAMMER, SPAM), (OTHER, SPAM_TOO)):
            await taken_down(telegram, types_under(telegram, author, text, under)["message_id"])
    assert len(await caught(settings)) == 2
    async with running_bot(settings):
        digest = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=DIGEST)
        assert digest["text"] == f"🧹 2 {DIGEST}"
    async with running_bot(settings):
        await spam_list_shown(telegram)
    assert [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if DIGEST in m["text"]] == [
        digest
    ]
