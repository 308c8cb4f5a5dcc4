"""Comments typed under a post with THREAD_MODERATION=post: they stay up while moderators
look, and a card offers ✅ Keep, 🗑 Remove, 🚫 Ban author and 🧹 Spam."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot
from tests.e2e.steps import (
    Message,
    card_without_buttons,
    post_article,
    press,
    thread_of,
    types_under,
)
from tests.factories import (
    ADMIN_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
    make_settings,
)

READER, OTHER_READER = READER_IDS[0], READER_IDS[1]


@pytest.fixture
def post_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    populate(telegram, with_discussion=True)
    return make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation="post",
    )


def labels(card: Message) -> list[str]:
    return [button["text"] for row in card["reply_markup"]["inline_keyboard"] for button in row]


def in_group(telegram: FakeTelegram, message: Message) -> bool:
    return telegram.message(DISCUSSION_CHAT_ID, message["message_id"]) is not None


async def card_showing(telegram: FakeTelegram, card: Message, words: str) -> Message:
    """Waits until the card was edited to show `words`."""

    def shown() -> Message | None:
        current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        return current if current and words in current["text"] else None

    return await telegram.wait_for(shown)


async def test_a_comment_stays_up_until_a_moderator_removes_it(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """Both comments are public from the start and carded; 🗑 Remove takes one down and its
    author hears it; ✅ Keep leaves the other where it is, posted nowhere a second time."""
    telegram.user_sends_text(READER, "/start")
    telegram.user_sends_text(OTHER_READER, "/start")
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        kept = types_under(telegram, READER, "Words to keep", thread["message_id"])
        doomed = types_under(telegram, OTHER_READER, "Words to remove", thread["message_id"])
        kept_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="to keep")
        doomed_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="to remove")
        assert labels(doomed_card) == ["✅ Keep", "🗑 Remove", "🚫 Ban author", "🧹 Spam"]
        assert "still up in the group, until a moderator removes it" in doomed_card["text"]
        assert in_group(telegram, doomed) and in_group(telegram, kept)

        answer = await press(telegram, MODERATOR_ID, doomed_card, Decision.REJECT)
        assert answer["text"] == "Removed from the group."
        await telegram.wait_for(lambda: not in_group(telegram, doomed))
        removed = await telegram.wait_for_bot_message(OTHER_READER, contains="was removed")
        assert "Words to remove" in removed["text"]
        gone = await card_showing(telegram, doomed_card, "🗑 Removed by Mo Derator")
        # No verdict left: only the reasons a rejection may be given.
        buttons = [b for row in gone["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons and all(b["callback_data"].startswith("why:") for b in buttons)
        # The card no longer says the words are up once they are down.
        await card_showing(telegram, doomed_card, "🧵 Typed under the post\n")

        answer = await press(telegram, MODERATOR_ID, kept_card, Decision.APPROVE)
        assert answer["text"] == "Kept."
        await telegram.wait_for_bot_message(READER, contains="stays up")
        decided = await card_without_buttons(telegram, kept_card)
    assert "✅ Kept by Mo Derator" in decided["text"]
    assert "still up in the group" in decided["text"]
    assert in_group(telegram, kept)
    # No notice, no repost: the bot itself said nothing in the group.
    assert telegram.bot_messages_in(DISCUSSION_CHAT_ID) == []
    assert not [c for c in telegram.calls if c.method in {"copyMessage", "deleteMessage"}][1:]


async def test_an_edited_comment_is_looked_at_again(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """An edit while the comment waits shows on its card; an edit after it was kept makes a
    new card for the new words, and removing that takes the message down."""
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(telegram, READER, "First draft", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="First draft")
        telegram.user_edits_text(READER, typed["message_id"], "Second draft", DISCUSSION_CHAT_ID)
        edited = await card_showing(telegram, card, "Second draft")
        assert "Typed under the post (edited)" in edited["text"]
        assert "First draft" not in edited["text"]
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        await card_without_buttons(telegram, card)

        telegram.user_edits_text(READER, typed["message_id"], "Now a scam link", DISCUSSION_CHAT_ID)
        again = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="scam link")
        assert again["message_id"] != card["message_id"]
        assert labels(again) == ["✅ Keep", "🗑 Remove", "🚫 Ban author", "🧹 Spam"]
        # The author's record counts the comment just kept.
        assert "📊 1 approved\n" in again["text"]
        await press(telegram, MODERATOR_ID, again, Decision.REJECT)
        await telegram.wait_for(lambda: not in_group(telegram, typed))
    first = telegram.message(MODERATION_CHAT_ID, card["message_id"])
    assert first is not None and "Second draft" in first["text"]


async def test_a_message_too_old_to_delete_is_named_on_its_card(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """Telegram lets bots delete messages only within 48 hours: 🗑 Remove on an older one
    says so on the card and asks for a hand; no right is missing, so admins hear nothing."""
    telegram.expect_bad_request("can't be deleted")
    telegram.user_sends_text(READER, "/start")
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(telegram, READER, "Old words", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Old words")
        telegram.age_message(DISCUSSION_CHAT_ID, typed["message_id"], hours=49)
        await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        decided = await card_showing(telegram, card, "within 48 hours")
    assert "🗑 Removed by Mo Derator" in decided["text"]
    assert "⚠️ Not taken down" in decided["text"]
    assert in_group(telegram, typed)
    assert not [m for m in telegram.bot_messages_in(ADMIN_ID) if "Delete messages" in m["text"]]
    # Still up: its author is not told it was removed.
    assert not [m for m in telegram.bot_messages_in(READER) if "removed" in m["text"]]


async def test_a_photo_stays_and_banning_its_author_takes_it_down(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """A photo is carded without a copy (it is up in the group to see); 🚫 Ban author takes
    it down, and the author's other words waiting on their cards, and bans the author from
    the group, whose next words go without a card."""
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        photo = telegram.user_sends_photo(
            READER, DISCUSSION_CHAT_ID, "Look at this", reply_to_message_id=thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Look at this")
        more = types_under(telegram, READER, "More of the same", thread["message_id"])
        more_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="More of")
        assert "📎 A photo" in card["text"] and "copy" not in card["text"]
        answer = await press(telegram, MODERATOR_ID, card, Decision.BAN)
        assert answer["text"] == "Removed from the group and the author is banned."
        await telegram.wait_for(lambda: not in_group(telegram, photo))
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "kicked"
        )
        decided = await card_without_buttons(telegram, card)
        assert "🚫 Removed, author banned by Mo Derator" in decided["text"]
        await telegram.wait_for(lambda: not in_group(telegram, more))
        swept = await card_without_buttons(telegram, more_card)
        assert "🚫 Removed, author banned by Mo Derator" in swept["text"]
        telegram.set_member_status(DISCUSSION_CHAT_ID, READER, "member")
        again = types_under(telegram, READER, "Back again", thread["message_id"])
        await telegram.wait_for(lambda: not in_group(telegram, again))
        types_under(telegram, OTHER_READER, "Honest words", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Honest words")
    assert not [c for c in telegram.calls if c.method == "copyMessage"]
    carded = [m["text"] for m in telegram.bot_messages_in(MODERATION_CHAT_ID)]
    assert not [text for text in carded if "Back again" in text]


async def test_a_premium_readers_long_caption_is_carded_whole_and_kept_as_written(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """A Premium reader's caption past a bot's 1024 characters: the card shows all of it,
    and ✅ Keep leaves the reader's own message, whole, as the published comment."""
    premium = 2100
    telegram.add_user(premium, "Pia", "Premium", "pia", is_premium=True)
    caption = " ".join(f"word{number}" for number in range(200))
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        photo = telegram.user_sends_photo(
            premium, DISCUSSION_CHAT_ID, caption, reply_to_message_id=thread["message_id"]
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="word0 ")
        assert caption in card["text"]
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        await card_showing(telegram, card, "✅ Kept by Mo Derator")
    kept = telegram.message(DISCUSSION_CHAT_ID, photo["message_id"])
    assert kept is not None and kept["caption"] == caption
    assert telegram.bot_messages_in(DISCUSSION_CHAT_ID) == []


async def test_a_flooding_reader_makes_one_card_and_the_rest_come_down(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Flood control applies under the post as through the bot: one card, and every
    message past the limit is taken down, its author told why with their words once (then
    not again until they may write: a flood costs no answer each)."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation="post",
        flood_min_interval_seconds=60,
    )
    telegram.user_sends_text(READER, "/start")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        burst = [
            types_under(telegram, READER, f"Spam number {n}", thread["message_id"])
            for n in range(6)
        ]
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Spam number 0")
        await telegram.wait_for(lambda: not any(in_group(telegram, m) for m in burst[1:]))
        told = await telegram.wait_for_bot_message(READER, contains="Spam number 1")
        assert "faster than we can read" in told["text"]
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
    assert sum("Spam number" in m["text"] for m in telegram.bot_messages_in(READER)) == 1
    assert in_group(telegram, burst[0])
    cards = [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Spam number" in m["text"]]
    assert len(cards) == 1


async def test_without_the_ban_right_admins_are_told_and_the_bots_own_ban_holds(
    telegram: FakeTelegram, post_settings: Settings
) -> None:
    """Telegram refuses the ban in the group: the admins hear once that the bot needs Ban
    users there; the author's words come down, and so does what they type next."""
    telegram.withhold_bot_right(DISCUSSION_CHAT_ID, "can_restrict_members")
    telegram.expect_bad_request("not enough rights")
    async with running_bot(post_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = types_under(telegram, READER, "Troll words", thread["message_id"])
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Troll words")
        await press(telegram, MODERATOR_ID, card, Decision.BAN)
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="Ban users")
        await telegram.wait_for(lambda: not in_group(telegram, typed))
        again = types_under(telegram, READER, "Troll again", thread["message_id"])
        await telegram.wait_for(lambda: not in_group(telegram, again))
    assert str(DISCUSSION_CHAT_ID) in told["text"]
    assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "member"
