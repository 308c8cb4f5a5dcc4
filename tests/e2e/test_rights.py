"""The bot's own membership and rights, as they change under it: demoted or removed in one
of its groups, a bot in privacy mode stops seeing what it moderates, so the admins are
told at once which chat and which right, and /status shows it."""

from __future__ import annotations

from pathlib import Path

from bot.services.verdicts import Decision
from bot.settings import Settings, ThreadModeration
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot, wait_for_outbox
from tests.e2e.steps import Message, comment, post_article, press, thread_of
from tests.factories import (
    ADMIN_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
    make_settings,
)

READER = READER_IDS[0]


def notices_about(telegram: FakeTelegram, chat_id: int) -> list[Message]:
    """What the admin was told of one chat, /status's answers aside."""
    return [
        m
        for m in telegram.bot_messages_in(ADMIN_ID)
        if str(chat_id) in m.get("text", "") and "Bot status" not in m["text"]
    ]


async def status_of(telegram: FakeTelegram) -> str:
    telegram.user_sends_text(ADMIN_ID, "/status")
    return str((await telegram.wait_for_bot_message(ADMIN_ID, contains="Bot status"))["text"])


def discussion_settings_with(
    telegram: FakeTelegram, database_path: Path, mode: ThreadModeration
) -> Settings:
    """The channel, its linked discussion group and the moderation group; the admin has
    opened the bot, as the README asks."""
    populate(telegram, with_discussion=True)
    telegram.user_sends_text(ADMIN_ID, "/start")
    return make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=mode,
    )


async def test_demoted_in_the_discussion_group_the_admins_are_told_at_once(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Demoted to a plain member, the bot no longer sees comments (privacy mode): the admins
    hear it at once, once, with the chat and what to grant; /status shows it; made admin
    again and demoted again, they hear it again."""
    settings = discussion_settings_with(telegram, database_path, ThreadModeration.PRE)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await thread_of(telegram, post)
        telegram.demote_bot(DISCUSSION_CHAT_ID, ADMIN_ID)
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        status = await status_of(telegram)
        telegram.user_adds_bot(ADMIN_ID, DISCUSSION_CHAT_ID, status="administrator")
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
        assert "not an administrator" not in await status_of(telegram)
        telegram.demote_bot(DISCUSSION_CHAT_ID, ADMIN_ID)
        await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
    assert "the discussion group" in told["text"] and str(DISCUSSION_CHAT_ID) in told["text"]
    assert "Delete messages" in told["text"] and "Ban users" in told["text"]
    # One notice for the demotion, not one per right it took away.
    assert len(notices_about(telegram, DISCUSSION_CHAT_ID)) == 2
    assert f"⚠️ discussion group {DISCUSSION_CHAT_ID}" in status
    assert "not an administrator" in status


async def test_demoted_the_bot_says_so_once_not_again_for_each_right_it_then_lacks(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Demoted in the discussion group, the bot still receives replies to its own messages
    (privacy mode lets those through) and cannot take them down: the admins, told already
    that it must be made an administrator again, are not told besides that it lacks
    Delete messages. Made an administrator without that right, they are."""
    settings = discussion_settings_with(telegram, database_path, ThreadModeration.PRE)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, READER, post, "Published before the demotion")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="Published before the demotion"
        )
        telegram.demote_bot(DISCUSSION_CHAT_ID, ADMIN_ID)
        await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        telegram.user_sends_text(
            READER_IDS[1],
            "Answering the published comment",
            chat_id=DISCUSSION_CHAT_ID,
            reply_to_message_id=published["message_id"],
        )
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Answering the")
        await wait_for_outbox(settings, lambda statuses: "pending" not in statuses.values())
        told_while_demoted = notices_about(telegram, DISCUSSION_CHAT_ID)
        telegram.withhold_bot_right(DISCUSSION_CHAT_ID, "can_delete_messages")
        telegram.user_adds_bot(ADMIN_ID, DISCUSSION_CHAT_ID, status="administrator")
        lacking = await telegram.wait_for_bot_message(ADMIN_ID, contains="Delete messages")
    assert len(told_while_demoted) == 1
    assert "plain member" not in lacking["text"]
    assert str(DISCUSSION_CHAT_ID) in lacking["text"]


async def test_removed_from_or_demoted_in_the_moderation_group_the_admins_are_told(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Demoted there, a bare /queue may never reach the bot; removed, no card can: the admins
    hear each at once."""
    populate(telegram, with_discussion=False)
    telegram.set_member_status(MODERATION_CHAT_ID, ADMIN_ID, "administrator")
    telegram.user_sends_text(ADMIN_ID, "/start")
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        telegram.demote_bot(MODERATION_CHAT_ID, ADMIN_ID)
        demoted = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        telegram.remove_bot_from(MODERATION_CHAT_ID)
        removed = await telegram.wait_for_bot_message(ADMIN_ID, contains="I am not in")
    assert "the moderation group" in demoted["text"]
    assert str(MODERATION_CHAT_ID) in demoted["text"]
    assert "the moderation group" in removed["text"]
    assert str(MODERATION_CHAT_ID) in removed["text"]


async def test_a_plain_member_of_the_discussion_group_is_named_at_start(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Started as a plain member there (privacy mode, THREAD_MODERATION=pre): one notice says
    so, naming the rights to grant, rather than one per right."""
    settings = discussion_settings_with(telegram, database_path, ThreadModeration.PRE)
    telegram.set_member_status(DISCUSSION_CHAT_ID, telegram.bot_id, "member")
    async with running_bot(settings):
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        status = await status_of(telegram)
    assert "the discussion group" in told["text"] and str(DISCUSSION_CHAT_ID) in told["text"]
    assert "Delete messages" in told["text"] and "Ban users" in told["text"]
    assert len(notices_about(telegram, DISCUSSION_CHAT_ID)) == 1
    assert "not an administrator" in status


async def test_with_threads_unmoderated_a_member_bot_is_told_to_be_made_admin(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """THREAD_MODERATION=off, the bot a plain member of the discussion group: it never sees
    the posts' automatic forwards (privacy mode), so it could never publish an approved
    comment under a post. The admins are told at start; made admin, the bot publishes."""
    settings = discussion_settings_with(telegram, database_path, ThreadModeration.OFF)
    telegram.set_member_status(DISCUSSION_CHAT_ID, telegram.bot_id, "member")
    async with running_bot(settings):
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        telegram.user_adds_bot(ADMIN_ID, DISCUSSION_CHAT_ID, status="administrator")
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        card = await comment(telegram, READER, post, "Under the post at last")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="Under the post at last"
        )
    assert "the discussion group" in told["text"] and str(DISCUSSION_CHAT_ID) in told["text"]
    # Unmoderated threads need no rights beyond being an administrator.
    assert "Ban users" not in told["text"]
    assert published["message_thread_id"] == thread["message_id"]


async def test_privacy_mode_turned_off_does_not_excuse_a_member_bot_from_being_admin(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Privacy mode turned off in BotFather (getMe's can_read_all_group_messages) reaches only
    the groups the bot is added to afterwards (core.telegram.org/bots/features#privacy-mode:
    "the bot will need to be re-added to the group"), and the bot cannot tell when it was
    added: a plain member of the discussion group may see no post's copy still, so even
    with THREAD_MODERATION=off the admins are told to make it an administrator."""
    settings = discussion_settings_with(telegram, database_path, ThreadModeration.OFF)
    telegram.set_member_status(DISCUSSION_CHAT_ID, telegram.bot_id, "member")
    telegram.privacy_mode = False
    async with running_bot(settings):
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        status = await status_of(telegram)
    assert "the discussion group" in told["text"] and str(DISCUSSION_CHAT_ID) in told["text"]
    assert "not an administrator" in status
