"""Nothing lost by a mistake: /spam lists what the spam check caught by itself, and
↩️ Not spam puts it back as a card, lifts the ban the catch made, and teaches the check
the text is not spam; /stats counts catches and undos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.services.verdicts import Decision
from bot.settings import Settings
from bot.spam.checker import Thresholds
from bot.spam.filter import SpamFilter
from sandbox.bot_api import FakeTelegram
from storage.db import Database
from tests.e2e.harness import OUTSIDER_ID, populate, running_bot, wait_for_outbox
from tests.e2e.steps import (
    open_spam_list,
    post_article,
    press,
    send_contact_form,
    tap_not_spam,
    thread_of,
    types_under,
)
from tests.e2e.test_spam_intake import (
    GENUINE,
    SPAM,
    SPAMMER,
    caught,
    comment_privately,
    in_group,
    thread_settings,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID, make_settings


async def learned_as_ham(settings: Settings) -> list[str]:
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT text FROM spam_examples WHERE source = 'moderator' AND label = 'ham'"
        ) as cursor,
    ):
        return [row[0] for row in await cursor.fetchall()]


async def score_of(path: Path, text: str) -> float:
    db = await Database.open(path)
    try:
        return (await SpamFilter.open(db, Thresholds())).check(text).score
    finally:
        await db.close()


async def test_a_thread_catch_undone_unbans_its_author_and_is_published_on_approval(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Spam typed under a post is caught and its author kicked; /spam lists it; ↩️ Not
    spam unbans the author in the group, makes a card, and the list says nothing is left;
    approved, the comment is published in the thread by the bot; a second tap changes
    nothing; /stats counts one catch, one undone."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        types_under(telegram, SPAMMER, SPAM, under)
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) == "kicked"
        )
        listed = await open_spam_list(telegram)
        assert "WhatsApp" in listed["text"] and f"id {SPAMMER}" in listed["text"]
        assert "phone number" in listed["text"]

        answer = await tap_not_spam(telegram, listed, 1)

        assert answer.startswith("↩️ Restored") and "unbanned" in answer
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) != "kicked"
        )
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="WhatsApp")
        assert "Comment #" in card["text"]
        await telegram.wait_for(
            lambda: (
                "Nothing caught"
                in (telegram.message(MODERATION_CHAT_ID, listed["message_id"]) or {}).get(
                    "text", ""
                )
            )
        )
        again = await tap_not_spam(telegram, listed, 1)
        assert again.startswith("Already restored")

        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        published = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="WhatsApp")
        assert published["reply_to_message"]["message_id"] == under

        telegram.user_sends_text(MODERATOR_ID, "/stats", chat_id=MODERATION_CHAT_ID)
        stats = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Moderation stats")
        assert (
            "Caught as spam by the check: 1 in the last 7 days, 1 of them put back"
            in (stats["text"])
        )
    assert await caught(settings) == []
    assert await learned_as_ham(settings) == [SPAM]
    # The bot's model, reopened from its file, scores those words lower than a fresh
    # install's (the starter set only) does.
    fresh = database_path.parent / "fresh.sqlite3"
    assert await score_of(settings.database_path, SPAM) < await score_of(fresh, SPAM)


async def test_a_private_catch_undone_becomes_a_card_and_is_learned_as_ham(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A comment sent through the bot and caught: restored, it is a card like any other,
    and the check scores its words lower from then on."""
    populate(telegram, with_discussion=False)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        await comment_privately(telegram, SPAMMER, post)
        telegram.user_sends_text(SPAMMER, SPAM)
        await telegram.wait_for_bot_message(SPAMMER, contains="awaits moderation")
        listed = await open_spam_list(telegram)
        assert "WhatsApp" in listed["text"]
        answer = await tap_not_spam(telegram, listed, 1)
        assert answer == "↩️ Restored: its card is in the queue."
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="WhatsApp")
        assert "Comment #" in card["text"]
    assert await learned_as_ham(settings) == [SPAM]
    # The bot's model, reopened from its file, scores those words lower than a fresh
    # install's (the starter set only) does.
    fresh = database_path.parent / "fresh.sqlite3"
    assert await score_of(settings.database_path, SPAM) < await score_of(fresh, SPAM)


async def test_a_contact_catch_undone_becomes_a_contact_card(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A contact message caught as spam: restored, it is a contact card with the name and
    email the sender gave."""
    populate(telegram, with_discussion=False)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        await send_contact_form(telegram, SPAMMER, "Rich Quick", "rich@example.com", SPAM)
        listed = await open_spam_list(telegram)
        assert await tap_not_spam(telegram, listed, 1) == "↩️ Restored: its card is in the queue."
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="WhatsApp")
        assert "Contact message #" in card["text"] and "rich@example.com" in card["text"]


@pytest.mark.parametrize("mode", ["pre", "post"])
async def test_a_catch_telegram_would_not_take_down_is_shown_once_when_restored_and_approved(
    telegram: FakeTelegram, database_path: Path, mode: str
) -> None:
    """Telegram refuses to delete the caught comment (as for a message past 48 hours), so
    it stays up in the thread; restored and approved, it is kept where it stands, not
    posted again beside itself."""
    settings = thread_settings(telegram, database_path, thread_moderation=mode)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        # /work/shared/telegram/README.md: "message can't be deleted" (no right, or over
        # 48 hours old). No other deletion is in flight: the thread is quiet.
        telegram.fail_next(
            "deleteMessage",
            400,
            "Bad Request: message can't be deleted",
            chat_id=DISCUSSION_CHAT_ID,
        )
        spam = types_under(telegram, SPAMMER, SPAM, under)
        await wait_for_outbox(settings, lambda s: s.get("delete_group_message") == "delivered")
        listed = await open_spam_list(telegram)
        await tap_not_spam(telegram, listed, 1)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="WhatsApp")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        await wait_for_outbox(settings, lambda s: s.get("thread_post") == "delivered")
        shown = [
            m for m in telegram.messages_in(DISCUSSION_CHAT_ID) if "WhatsApp" in m.get("text", "")
        ]
        assert [m["message_id"] for m in shown] == [spam["message_id"]]


async def answer_to(telegram: FakeTelegram, query_id: str) -> dict[str, Any]:
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))


async def undone(settings: Settings) -> list[tuple[int | None, int | None]]:
    """Each catch's undo, from the bot's own file: restored_at set, and its ban lifted."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT s.restored_at, b.lifted_at FROM submissions s"
            " LEFT JOIN bans b ON b.reason_submission_id = s.id"
            " WHERE s.caught_at IS NOT NULL OR s.restored_at IS NOT NULL ORDER BY s.id"
        ) as cursor,
    ):
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_a_forged_not_spam_tap_is_refused_and_changes_nothing(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A client can send any button data from any message it sees: ↩️ Not spam's data
    pressed in the discussion group, on a message of the moderation group that is not
    /spam's list, or on the list by someone who does not moderate, is refused with an
    alert, and the catch stays caught, its author banned."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        types_under(telegram, SPAMMER, SPAM, under)
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) == "kicked"
        )
        listed = await open_spam_list(telegram)
        [[button]] = listed["reply_markup"]["inline_keyboard"]
        data = button["callback_data"]
        not_the_list = telegram.user_sends_text(MODERATOR_ID, "hello", chat_id=MODERATION_CHAT_ID)
        forged = [
            (MODERATOR_ID, DISCUSSION_CHAT_ID, under),
            (MODERATOR_ID, MODERATION_CHAT_ID, not_the_list["message_id"]),
            (OUTSIDER_ID, MODERATION_CHAT_ID, listed["message_id"]),
        ]
        for user_id, chat_id, message_id in forged:
            query_id = telegram.user_presses_button(user_id, chat_id, message_id, data)
            answer = await answer_to(telegram, query_id)
            assert answer.get("show_alert"), answer
            assert "Restored" not in answer["text"], answer
        assert await undone(settings) == [(None, None)]
        assert telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) == "kicked"
    assert await caught(settings) == [(SPAM, SPAMMER, 1)]


def buttons_of(telegram: FakeTelegram, card: dict[str, Any]) -> list[str]:
    current = telegram.message(MODERATION_CHAT_ID, card["message_id"]) or {}
    return [
        button.get("callback_data", "")
        for row in current.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]


async def test_a_catch_sweeps_its_authors_waiting_comments_and_its_undo_brings_them_back(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Post-moderation: a newcomer's comment waits on its card, up in the thread; their
    next message is caught as spam, so they are banned, and the waiting one comes down
    with them, its card decided (as 🚫 Ban author sweeps). ↩️ Not spam brings it back as
    pending with its buttons; approved, the bot posts it in the thread, once."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        waiting = types_under(telegram, SPAMMER, GENUINE, under)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="the mayor")
        types_under(telegram, SPAMMER, SPAM, under)
        await telegram.wait_for(lambda: not in_group(telegram, waiting["message_id"]))
        await telegram.wait_for(lambda: buttons_of(telegram, card) == [])
        swept = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        assert swept is not None and "author banned by the spam check" in swept["text"]

        listed = await open_spam_list(telegram)
        await tap_not_spam(telegram, listed, 1)
        await telegram.wait_for(lambda: buttons_of(telegram, card) != [])
        swept_back = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        assert swept_back is not None
        await press(telegram, MODERATOR_ID, swept_back, Decision.APPROVE)
        await wait_for_outbox(settings, lambda s: s.get("thread_post") == "delivered")
        shown = [
            m for m in telegram.messages_in(DISCUSSION_CHAT_ID) if "the mayor" in m.get("text", "")
        ]
        assert len(shown) == 1 and shown[0]["from"]["is_bot"], shown
