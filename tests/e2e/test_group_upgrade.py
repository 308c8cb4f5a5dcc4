"""A basic moderation group that Telegram upgrades to a supergroup, which has a new id:
the bot follows it, keeps the new id across restarts, tells the admins, and never leaves
the group it was moved into."""

from __future__ import annotations

from pathlib import Path

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot, wait_for_outbox
from tests.e2e.steps import Message, comment, post_article, press
from tests.factories import ADMIN_ID, MODERATOR_ID, make_settings

BASIC_GROUP_ID = -4518810793
SUPERGROUP_ID = -1002471352452


def basic_group_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    """The moderators' group is a basic group (small negative id), as a newly made group
    often is; admins have opened the bot."""
    populate(telegram, with_discussion=False)
    telegram.add_group(BASIC_GROUP_ID, "Small desk", member_ids=[MODERATOR_ID], basic=True)
    telegram.user_sends_text(ADMIN_ID, "/start")
    return make_settings(
        database_path, telegram_api_url=telegram.base_url, moderation_chat_id=BASIC_GROUP_ID
    )


def env_unchanged(database_path: Path, telegram: FakeTelegram) -> Settings:
    """The settings a restart reads from a .env that still names the basic group."""
    return make_settings(
        database_path, telegram_api_url=telegram.base_url, moderation_chat_id=BASIC_GROUP_ID
    )


def everything_settled(statuses: dict[str, str]) -> bool:
    """Nothing the bot queued (a notice to the admins, say) still waits to be sent."""
    return "pending" not in statuses.values()


async def card_in(telegram: FakeTelegram, chat_id: int, contains: str) -> Message:
    return await telegram.wait_for_bot_message(chat_id, contains=contains)


async def test_the_bot_follows_its_upgraded_moderation_group(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Upgraded while the bot runs: the bot hears of its membership of the new supergroup
    first and stays; cards go there; the admins get the .env line; after a restart with
    .env unchanged the bot still uses the new id."""
    settings = basic_group_settings(telegram, database_path)
    # The bot learns of the move by being refused (migrate_to_chat_id), as on Telegram.
    telegram.expect_bad_request("upgraded to a supergroup")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "Before the upgrade", BASIC_GROUP_ID)
        telegram.upgrade_group(BASIC_GROUP_ID, MODERATOR_ID, SUPERGROUP_ID)
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="supergroup")
        await comment(telegram, READER_IDS[1], post, "After the upgrade", SUPERGROUP_ID)
        card = await card_in(telegram, SUPERGROUP_ID, "After the upgrade")
        answer = await press(telegram, MODERATOR_ID, card, Decision.APPROVE, SUPERGROUP_ID)
        assert answer["text"] == "Approved."
        # Commands in the new group are the moderation group's.
        telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=SUPERGROUP_ID)
        await card_in(telegram, SUPERGROUP_ID, "waiting for moderation")
        # The card made in the old group cannot be edited there any more: the desk, posted
        # afresh in the new group, shows what still waits.
        desks = [m for m in telegram.bot_messages_in(SUPERGROUP_ID) if "Review desk" in m["text"]]
        assert "Before the upgrade" in desks[0]["text"]
    assert f"MODERATION_CHAT_ID={SUPERGROUP_ID}" in told["text"]
    assert not [c for c in telegram.calls if c.method == "leaveChat"]
    assert telegram.bot_status_in(SUPERGROUP_ID) == "administrator"

    # Restarted with .env unchanged: Settings read afresh name the old id (the run above
    # changed its own Settings object in place).
    async with running_bot(env_unchanged(database_path, telegram)) as running:
        assert running.bot_app.runtime.settings.moderation_chat_id == SUPERGROUP_ID
        await comment(telegram, READER_IDS[2], post, "After a restart", SUPERGROUP_ID)
        await wait_for_outbox(running.bot_app.runtime.settings, everything_settled)
    # Told once, not again at the restart.
    assert len([m for m in telegram.bot_messages_in(ADMIN_ID) if "supergroup" in m["text"]]) == 1


async def test_a_group_upgraded_while_the_bot_was_down_is_followed_at_start(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The upgrade happened while the bot was stopped, long enough ago that Telegram no longer
    keeps the updates that told of it. getChatMember on the old id only says "left" (it
    reads; only writes are refused with migrate_to_chat_id): the start-up check finds the
    new id by a harmless write, remembers it, checks the bot's rights there and tells the
    admins, as a move seen live would; nothing goes to the old id, and nobody hears that the
    bot is not in its group."""
    settings = basic_group_settings(telegram, database_path)
    telegram.expect_bad_request("upgraded to a supergroup")
    telegram.upgrade_group(BASIC_GROUP_ID, MODERATOR_ID, SUPERGROUP_ID)
    telegram.expire_pending_updates()
    # In the new supergroup the bot is a plain member: it must hear so for the new id.
    telegram.set_member_status(SUPERGROUP_ID, telegram.bot_id, "member")
    async with running_bot(settings) as running:
        assert running.bot_app.runtime.settings.moderation_chat_id == SUPERGROUP_ID
        moved = await telegram.wait_for_bot_message(ADMIN_ID, contains="supergroup")
        member = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "Straight to the new group", SUPERGROUP_ID)
    assert f"MODERATION_CHAT_ID={SUPERGROUP_ID}" in moved["text"]
    assert str(SUPERGROUP_ID) in member["text"]
    assert not [m for m in telegram.bot_messages_in(ADMIN_ID) if "not in" in m["text"]]
    assert not [
        c
        for c in telegram.calls
        if c.method == "sendMessage" and c.params["chat_id"] == BASIC_GROUP_ID
    ]
    async with running_bot(env_unchanged(database_path, telegram)) as running:
        assert running.bot_app.runtime.settings.moderation_chat_id == SUPERGROUP_ID
        await wait_for_outbox(running.bot_app.runtime.settings, everything_settled)
    assert len([m for m in telegram.bot_messages_in(ADMIN_ID) if "supergroup" in m["text"]]) == 1
