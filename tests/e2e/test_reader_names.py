"""Readers' names as hostile readers choose them: changed after a moderator approved a
comment, or made to look like more lines of a card."""

from __future__ import annotations

import re

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, running_bot
from tests.e2e.steps import (
    Message,
    card_without_buttons,
    comment,
    post_article,
    press,
    start_payload,
    thread_of,
    types_under,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID

READER, OTHER_READER = READER_IDS[0], READER_IDS[1]
# What a reader renames themselves to once their comment waits on a card.
IMPOSTOR = "Editor-in-chief"


def renames(telegram: FakeTelegram, user_id: int, first_name: str) -> None:
    """The reader changes their Telegram name; the bot learns it from their next update."""
    telegram.add_user(user_id, first_name, None, f"reader{READER_IDS.index(user_id)}")


async def reopens(telegram: FakeTelegram, user_id: int, post: Message) -> Message:
    """The reader opens the article again (an update carrying their new name); returns
    the article view."""
    telegram.user_sends_text(user_id, f"/start {start_payload(post)}")
    return await telegram.wait_for_bot_message(user_id, contains="Send your comment")


async def test_a_name_changed_after_the_card_is_not_the_name_published(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A comment sent through the bot is published, in the thread and in the article view,
    under the name its card showed, not the one its author took while it waited."""
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, READER, post, "Measured words")
        assert "Reader0 @reader0" in card["text"]
        renames(telegram, READER, IMPOSTOR)
        await reopens(telegram, READER, post)
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(
            DISCUSSION_CHAT_ID, contains="Measured words"
        )
        decided = await card_without_buttons(telegram, card)
        view = await reopens(telegram, OTHER_READER, post)
    assert "Reader0" in published["text"]
    assert IMPOSTOR not in published["text"]
    assert "Reader0 @reader0" in decided["text"]
    assert "Reader0: Measured words" in view["text"]
    assert IMPOSTOR not in view["text"]


async def test_a_name_changed_after_typing_under_a_post_is_not_the_name_signed(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    """A comment typed under a post is signed, once approved, with the name its author
    wrote it under; what they write under a new name is carded under the new one."""
    telegram.user_sends_text(READER, "/start")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, READER, "Typed before", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Typed before")
        renames(telegram, READER, IMPOSTOR)
        types_under(telegram, READER, "Typed after", thread["message_id"])
        later_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Typed after")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Typed before")
    assert "Reader0" in published["text"]
    assert IMPOSTOR not in published["text"]
    assert IMPOSTOR in later_card["text"]


# A name made to read as a card's next line, and the other ways Telegram lets a name
# break or bend one: a line separator, tabs, runs of spaces, a right-to-left override.
FAKE_LINE = "\nTelegram: Jane @jane (id 123)"


def lines_starting(text: str, prefix: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith(prefix)]


async def test_a_contact_name_cannot_fake_a_line_on_the_card(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """A name typed into the contact form, and a Telegram name, with line breaks, odd spaces
    and a right-to-left override stay on their own line of the card, folded to single
    spaces."""
    renames(telegram, READER, "Rea\u2028der\tZero   \u202eX")
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "/contact")
        await telegram.wait_for_bot_message(READER, contains="What is your name")
        telegram.user_sends_text(READER, f"Ann{FAKE_LINE}")
        await telegram.wait_for_bot_message(READER, contains="email address")
        telegram.user_sends_text(READER, "ann@example.com")
        await telegram.wait_for_bot_message(READER, contains="Now your message")
        telegram.user_sends_text(READER, "Hello editors")
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Hello editors")
    assert lines_starting(card["text"], "Telegram:") == [
        "Telegram: Rea der Zero X @reader0 (id 2001)"
    ]
    assert lines_starting(card["text"], "Name:") == ["Name: Ann Telegram: Jane @jane (id 123)"]
    assert not re.search(r"[\u2028\u202e\t]|  ", card["text"])
    # Folded as they arrived, too: what is stored is one line.
    async with (
        aiosqlite.connect(e2e_settings.database_path) as conn,
        conn.execute(
            "SELECT s.contact_name, s.author_name, r.first_name FROM submissions s"
            " JOIN readers r ON r.user_id = s.user_id"
        ) as cursor,
    ):
        stored = await cursor.fetchall()
    assert [tuple(row) for row in stored] == [
        ("Ann Telegram: Jane @jane (id 123)", "Rea der Zero X", "Rea der Zero X")
    ]
