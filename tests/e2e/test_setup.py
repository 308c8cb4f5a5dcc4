"""Setting the bot up on Telegram as it really is: the channel by @username in any case,
the discussion group found by itself, the rights checked at start, and the admins told
the id of any chat the bot was added to by mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, populate, running_bot, wait_for_outbox
from tests.e2e.steps import Message, comment, post_article, thread_of, types_under
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    make_settings,
)

READER = READER_IDS[0]
STRANGE_GROUP_ID = -1009999999999


def admin_messages(telegram: FakeTelegram, contains: str) -> list[Message]:
    return [m for m in telegram.bot_messages_in(ADMIN_ID) if contains in m.get("text", "")]


@pytest.fixture
def linked_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    """The channel by @username, in another case than Telegram's, and no
    DISCUSSION_CHAT_ID: the bot is to find both by itself."""
    populate(telegram, with_discussion=True)
    return make_settings(database_path, telegram_api_url=telegram.base_url, channel_id="@The_Blog")


async def test_the_channel_by_username_and_its_linked_group_are_found_at_start(
    telegram: FakeTelegram, linked_settings: Settings
) -> None:
    """@The_Blog is the channel @the_blog: the bot stays in it when Telegram tells it of
    its membership; the linked group is the discussion group: comments typed there are
    held for a moderator."""
    async with running_bot(linked_settings) as running:
        settings = running.bot_app.runtime.settings
        assert (settings.channel_id, settings.discussion_chat_id) == (
            CHANNEL_ID,
            DISCUSSION_CHAT_ID,
        )
        telegram.user_adds_bot(ADMIN_ID, CHANNEL_ID, status="administrator")
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(telegram, READER, "Found by itself", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Found by itself")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, typed["message_id"]) is None
        )
    assert not [c for c in telegram.calls if c.method == "leaveChat"]
    assert telegram.bot_status_in(CHANNEL_ID) == "administrator"


async def test_discussion_none_turns_thread_publishing_off_but_the_bot_stays(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """DISCUSSION_CHAT_ID=none: posts carry the comments button, and the linked group,
    which the bot is added to again, is never left."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id="none"
    )
    async with running_bot(settings) as running:
        assert running.bot_app.runtime.settings.discussion_chat_id is None
        telegram.user_adds_bot(ADMIN_ID, DISCUSSION_CHAT_ID, status="administrator")
        _, post = await post_article(telegram)
        assert "reply_markup" in post
        # Fetched and handled once confirmed (the bot confirms only what it handled).
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
    assert not [c for c in telegram.calls if c.method == "leaveChat"]


async def test_a_chat_added_by_mistake_is_named_to_the_admins_then_left(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """The admins learn the group's title, id and the .env lines that would use it: this is
    how a newsroom finds a new group's id."""
    telegram.add_group(STRANGE_GROUP_ID, "Night desk", member_ids=[OUTSIDER_ID])
    telegram.set_member_status(STRANGE_GROUP_ID, telegram.bot_id, "left")
    # Admins open a private chat with the bot while setting it up (the README says so):
    # a bot cannot write first.
    telegram.user_sends_text(ADMIN_ID, "/start")
    async with running_bot(e2e_settings):
        telegram.user_adds_bot(OUTSIDER_ID, STRANGE_GROUP_ID)
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="Night desk")
        await telegram.wait_for(lambda: telegram.bot_status_in(STRANGE_GROUP_ID) == "left")
    assert f"MODERATION_CHAT_ID={STRANGE_GROUP_ID}" in told["text"]
    assert f"DISCUSSION_CHAT_ID={STRANGE_GROUP_ID}" in told["text"]


async def test_missing_rights_are_named_at_start_chat_by_chat(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """At start the bot looks at its rights: each one missing is named to the admins, once,
    with the chat and the exact right; the bot runs what it can."""
    populate(telegram, with_discussion=True)
    telegram.withhold_bot_right(CHANNEL_ID, "can_edit_messages")
    telegram.withhold_bot_right(DISCUSSION_CHAT_ID, "can_restrict_members")
    telegram.set_member_status(MODERATION_CHAT_ID, telegram.bot_id, "member")
    telegram.user_sends_text(ADMIN_ID, "/start")
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id=DISCUSSION_CHAT_ID
    )
    async with running_bot(settings):
        edit = await telegram.wait_for_bot_message(ADMIN_ID, contains="Edit messages of others")
        ban = await telegram.wait_for_bot_message(ADMIN_ID, contains="Ban users")
        admin = await telegram.wait_for_bot_message(ADMIN_ID, contains="plain member")
        _, post = await post_article(telegram)
    assert str(CHANNEL_ID) in edit["text"] and "the channel" in edit["text"]
    assert str(DISCUSSION_CHAT_ID) in ban["text"] and "the discussion group" in ban["text"]
    assert str(MODERATION_CHAT_ID) in admin["text"]
    assert post["message_id"]
    # A restart with the same rights missing tells nobody again.
    async with running_bot(settings):
        await post_article(telegram, title="A second story")
    assert len(admin_messages(telegram, "Ban users")) == 1
    assert not admin_messages(telegram, "Delete messages")


async def test_from_nothing_to_a_working_bot_with_the_bot_telling_the_group_id(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """MODERATION_CHAT_ID left empty: the bot starts in set-up mode, answers everyone that
    it is being set up, and when added to the moderators' group tells the admins its id
    and the .env line, and stays; with that line, it works."""
    populate(telegram, with_discussion=False)
    telegram.set_member_status(MODERATION_CHAT_ID, telegram.bot_id, "left")
    telegram.user_sends_text(ADMIN_ID, "/start")
    setting_up = make_settings(
        database_path, telegram_api_url=telegram.base_url, moderation_chat_id=""
    )
    async with running_bot(setting_up):
        await telegram.wait_for_bot_message(ADMIN_ID, contains="set-up mode")
        telegram.user_sends_text(READER, "/start")
        await telegram.wait_for_bot_message(READER, contains="setting me up")
        telegram.user_adds_bot(ADMIN_ID, MODERATION_CHAT_ID, status="administrator")
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="Moderators")
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
    assert f"MODERATION_CHAT_ID={MODERATION_CHAT_ID}" in told["text"]
    assert telegram.bot_status_in(MODERATION_CHAT_ID) == "administrator"
    configured = setting_up.model_copy(update={"moderation_chat_id": MODERATION_CHAT_ID})
    async with running_bot(configured):
        _, post = await post_article(telegram)
        await comment(telegram, READER, post, "Up and running")


async def test_an_admin_who_had_not_opened_the_bot_hears_of_a_missing_right_later(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The first start could not write to the admin (they had never opened the bot): the
    next start tells them, once they have."""
    populate(telegram, with_discussion=False)
    telegram.withhold_bot_right(CHANNEL_ID, "can_edit_messages")
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await wait_for_outbox(settings, lambda rows: rows.get("admin_notice") == "failed")
    telegram.user_sends_text(ADMIN_ID, "/start")
    async with running_bot(settings):
        await telegram.wait_for_bot_message(ADMIN_ID, contains="Edit messages of others")
