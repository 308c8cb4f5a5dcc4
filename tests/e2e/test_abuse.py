"""Abuse controls end to end: flood control, flags on cards, trusted authors."""

from __future__ import annotations

from pathlib import Path

from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate, running_bot, submission_statuses
from tests.e2e.steps import (
    card_without_buttons,
    comment,
    post_article,
    press,
    start_payload,
    trusted_comment_in_thread,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID, make_settings

READER = READER_IDS[0]


async def test_flooding_reader_is_told_when_to_come_back(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A second comment within 15 s is refused with the wait; nothing stored, no card."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, flood_min_interval_seconds=15
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment(telegram, READER, post, "first")
        telegram.user_sends_text(READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(READER, contains="Send your comment")
        telegram.user_sends_text(READER, "second")
        refusal = await telegram.wait_for_bot_message(READER, contains="Please wait")
        assert "seconds before sending again" in refusal["text"]
        telegram.user_sends_text(READER, "/contact")
        await telegram.wait_for_bot_message(READER, contains="Please wait")
        telegram.user_sends_text(READER_IDS[1], f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(READER_IDS[1], contains="Send your comment")
        telegram.user_sends_text(READER_IDS[1], "first")
        await telegram.wait_for_bot_message(READER_IDS[1], contains="awaits moderation")
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Comment #2")
    assert await submission_statuses(settings) == ["pending", "pending"]


async def test_cards_flag_links_watch_words_and_history(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Links, watch words and an author's record appear on the card."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, watch_words="casino, Crypto"
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        first = await comment(telegram, READER, post, "Plain words")
        assert "🔗" not in first["text"]
        assert "📊" not in first["text"]
        await press(telegram, MODERATOR_ID, first, Decision.REJECT)
        await card_without_buttons(telegram, first)
        second = await comment(
            telegram, READER, post, "Win at CASINO https://spam.example and www.x.example"
        )
        assert "🔗 2 links" in second["text"]
        assert "👀 Watch words: casino" in second["text"]
        assert "📊 1 rejected\n" in second["text"]


async def test_a_trusted_author_is_published_at_once_and_can_be_taken_back(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """TRUSTED_AUTO_APPROVE=1: the second comment goes to the thread; Unpublish removes it."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        trusted_auto_approve=1,
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        in_thread, card = await trusted_comment_in_thread(
            telegram, READER, post, "Straight through"
        )
        assert "Published automatically" in card["text"]
        [[button]] = card["reply_markup"]["inline_keyboard"]
        assert button["text"] == "↩️ Unpublish"
        answer = await press(telegram, MODERATOR_ID, card, Decision.UNPUBLISH)
        assert answer["text"] == "Unpublished."
        undone = await card_without_buttons(telegram, card)
        assert "Unpublished by Mo Derator" in undone["text"]
        await telegram.wait_for_bot_message(READER, contains="was removed by the moderators")
        await telegram.wait_for(
            lambda: telegram.message(DISCUSSION_CHAT_ID, in_thread["message_id"]) is None
        )
    assert await submission_statuses(settings) == ["approved", "rejected"]
