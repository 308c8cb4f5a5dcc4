"""Floods cost nothing: a flooder is told once when to write again, then not answered;
one who keeps flooding is banned as spam; nobody else waits behind them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import (
    OUTSIDER_ID,
    READER_IDS,
    populate,
    running_bot,
    submission_statuses,
)
from tests.e2e.steps import (
    card_without_buttons,
    fill_form,
    open_spam_list,
    post_article,
    press,
    start_payload,
    tap_not_spam,
    thread_of,
    types_under,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID, make_settings

FLOODER, READER = READER_IDS[0], READER_IDS[1]
# FLOOD_GATE_BURST as by default.
BURST = 10
# The gate refilled slowly in the tests that count what a burst lets through: at one a
# second, as by default, a loaded machine taking more than a second over the burst lets
# one more through, and the count depends on the machine's speed.
SLOW_REFILL = 600.0
FLOOD_NOTICE = "I will not answer anything you send"


def answers_to(telegram: FakeTelegram, chat_id: int) -> list[str]:
    """The texts the bot sent to a private chat, and the alerts it showed there."""
    return [
        str(call.params.get("text", ""))
        for call in telegram.calls
        if call.status == 200
        and call.method == "sendMessage"
        and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def all_handled(telegram: FakeTelegram) -> None:
    """Every update sent so far was handled and confirmed."""
    await telegram.wait_for(lambda: telegram.pending_updates() == 0, timeout=30)


async def bans_of(database_path: Path) -> list[int]:
    async with (
        aiosqlite.connect(database_path) as conn,
        conn.execute("SELECT user_id FROM bans WHERE lifted_at IS NULL") as cursor,
    ):
        return [row[0] for row in await cursor.fetchall()]


async def test_a_flooder_is_told_once_and_another_reader_is_answered(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """20 texts at once get a handful of answers, one saying when to write again; a reader
    commenting meanwhile gets their acknowledgement."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        telegram.user_sends_text(FLOODER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(FLOODER, contains="Send your comment")
        for number in range(20):
            telegram.user_sends_text(FLOODER, f"Flood {number}")
        telegram.user_sends_text(READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(READER, contains="Send your comment")
        telegram.user_sends_text(READER, "A genuine comment")
        await telegram.wait_for_bot_message(READER, contains="awaits moderation")
        await all_handled(telegram)
        answers = answers_to(telegram, FLOODER)
        assert len(answers) <= BURST + 1, answers
        assert sum(FLOOD_NOTICE in text for text in answers) == 1, answers
        assert await bans_of(database_path) == []


async def test_a_reader_who_keeps_flooding_is_banned_as_spam(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Past FLOOD_SPAM_AFTER messages while told to wait: banned, here and from the
    discussion group, with no more answers."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
        flood_spam_after=10,
    )
    async with running_bot(settings):
        for number in range(BURST + 1 + 10):
            telegram.user_sends_text(FLOODER, f"Buy now {number}")
        await all_handled(telegram)
        await telegram.wait_for(
            lambda: any(
                call.method == "banChatMember" and call.params.get("user_id") == FLOODER
                for call in telegram.calls
            )
        )
        assert await bans_of(database_path) == [FLOODER]
        assert sum(FLOOD_NOTICE in text for text in answers_to(telegram, FLOODER)) == 1


@pytest.mark.parametrize("command", ["/desk", "/language", "/start a1", "/help"])
async def test_repeated_commands_are_answered_a_few_times(
    telegram: FakeTelegram, database_path: Path, command: str
) -> None:
    """/desk from a non-moderator, /language, /start a<id>: a burst, then one word."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
    )
    async with running_bot(settings):
        await post_article(telegram)
        for _ in range(15):
            telegram.user_sends_text(OUTSIDER_ID, command)
        await all_handled(telegram)
        await telegram.wait_for(
            lambda: any(FLOOD_NOTICE in t for t in answers_to(telegram, OUTSIDER_ID))
        )
        answers = answers_to(telegram, OUTSIDER_ID)
        assert len(answers) <= BURST + 1, answers
        member_checks = [
            c
            for c in telegram.calls
            if c.method == "getChatMember" and c.params.get("user_id") == OUTSIDER_ID
        ]
        assert len(member_checks) <= BURST + 1


async def test_language_taps_are_answered_a_few_times(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Tapping a language button again and again: a burst of answers, then an alert."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
    )
    async with running_bot(settings):
        telegram.user_sends_text(READER, "/language")
        choice = await telegram.wait_for_bot_message(READER, contains="Which language")
        [buttons] = choice["reply_markup"]["inline_keyboard"]
        for _ in range(15):
            telegram.user_presses_button(
                READER, READER, choice["message_id"], buttons[1]["callback_data"]
            )
        await all_handled(telegram)
        await telegram.wait_for(
            lambda: any(
                # In Spanish: the first tap chose it.
                "No responderé nada" in str(call.params.get("text", ""))
                for call in telegram.calls
                if call.method == "answerCallbackQuery"
            )
        )
        # Each tap let through is answered (answerCallbackQuery), and the one past the
        # burst with the alert; the rest are not answered at all.
        answered = [call for call in telegram.calls if call.method == "answerCallbackQuery"]
        assert len(answered) <= BURST + 1, answered


async def outbox_rows(database_path: Path, action: str) -> int:
    async with (
        aiosqlite.connect(database_path) as conn,
        conn.execute("SELECT COUNT(*) FROM outbox WHERE action = ?", (action,)) as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def thread_settings(telegram: FakeTelegram, database_path: Path, **overrides: Any) -> Settings:
    """A discussion group, and flood control as by default."""
    populate(telegram, with_discussion=True)
    values: dict[str, Any] = {
        "telegram_api_url": telegram.base_url,
        "discussion_chat_id": DISCUSSION_CHAT_ID,
        "flood_min_interval_seconds": 15,
        "flood_window_max": 5,
        "flood_gate_burst": BURST,
    }
    return make_settings(database_path, **(values | overrides))


@pytest.mark.parametrize("spam_filter", ["on", "flag", "off"])
async def test_a_flooder_in_the_thread_is_told_once_then_removed_quietly_and_banned(
    telegram: FakeTelegram, database_path: Path, spam_filter: str
) -> None:
    """30 comments at once under a post: one held, one notice, every other one deleted
    without a word, and the author banned from the group once they keep on. Flood
    control is not the spam check: SPAM_FILTER=flag or off leaves it as it is."""
    settings = thread_settings(
        telegram, database_path, flood_spam_after=10, spam_filter=spam_filter
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        typed = [
            types_under(telegram, FLOODER, f"Signals {n}", thread["message_id"]) for n in range(30)
        ]
        await all_handled(telegram)
        # The held comment's notice and one refusal: not 29 refusals.
        assert await outbox_rows(database_path, "thread_author_notice") == 2
        assert await bans_of(database_path) == [FLOODER]
        await telegram.wait_for(
            lambda: (
                not any(
                    telegram.message(DISCUSSION_CHAT_ID, message["message_id"]) for message in typed
                )
            )
        )
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, FLOODER) == "kicked"
        )


async def test_an_album_passes_once_and_albums_again_are_refused_as_a_flood(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The pictures of one album are held together; a second album at once is refused."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        for album in ("first", "second", "third"):
            for _ in range(3):
                telegram.user_sends_photo(
                    READER,
                    DISCUSSION_CHAT_ID,
                    reply_to_message_id=thread["message_id"],
                    media_group_id=album,
                )
        await all_handled(telegram)
    assert await submission_statuses(settings) == ["pending"] * 3


async def test_a_picture_sent_again_without_a_caption_is_a_repeat(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """The same photo again, captionless, is refused as already received."""
    settings = thread_settings(telegram, database_path, flood_min_interval_seconds=0)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        first = telegram.user_sends_photo(
            READER, DISCUSSION_CHAT_ID, reply_to_message_id=thread["message_id"]
        )
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Comment #1")
        telegram.user_sends_photo(
            READER,
            DISCUSSION_CHAT_ID,
            reply_to_message_id=thread["message_id"],
            same_photo_as=first,
        )
        await all_handled(telegram)
    assert await submission_statuses(settings) == ["pending"]


async def test_a_reader_answering_the_editors_again_and_again_waits_for_them(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Three answers in a row reach the moderators; more wait until the editors write
    again, the reader told so, their words kept for them."""
    populate(telegram, with_discussion=False)
    # The flood gate lifted: this is about the answers' own limit, below the gate's.
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, flood_gate_burst=1000
    )
    async with running_bot(settings):
        card = await fill_form(telegram, READER, "Bob", "bob@example.com", "Is this true?")
        telegram.user_sends_text(
            MODERATOR_ID, "Yes.", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
        )
        answer = await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
        for number in range(6):
            telegram.user_sends_text(
                READER, f"And another thing {number}", reply_to_message_id=answer["message_id"]
            )
        await all_handled(telegram)
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="another thing 2")
        told = [t for t in answers_to(telegram, READER) if "have not answered yet" in t]
        assert len(told) == 3
        forwarded = [
            m["text"]
            for m in telegram.bot_messages_in(MODERATION_CHAT_ID)
            if "another thing" in m["text"]
        ]
        assert len(forwarded) == 3, forwarded
        telegram.user_sends_text(
            MODERATOR_ID,
            "Anything else?",
            chat_id=MODERATION_CHAT_ID,
            reply_to_message_id=card["message_id"],
        )
        again = await telegram.wait_for_bot_message(READER, contains="Anything else?")
        telegram.user_sends_text(READER, "One last thing", reply_to_message_id=again["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="One last thing")


async def test_a_decided_contact_card_keeps_its_ban_button(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A contact message approved, then its author replying abusively: `🚫 Ban author`
    on the card bans them; their next answer is refused."""
    populate(telegram, with_discussion=False)
    # The flood gate lifted: this is about the answers' own limit, below the gate's.
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, flood_gate_burst=1000
    )
    async with running_bot(settings):
        card = await fill_form(telegram, READER, "Bob", "bob@example.com", "Is this true?")
        await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        decided = await card_without_buttons(telegram, card)
        [[ban]] = decided["reply_markup"]["inline_keyboard"]
        assert ban["text"] == "🚫 Ban author"
        telegram.user_sends_text(
            MODERATOR_ID, "Yes.", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
        )
        answer = await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
        await press(telegram, MODERATOR_ID, card, Decision.BAN)
        banned = await telegram.wait_for(
            lambda: (
                (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
                and "author banned" in m["text"]
                and m
            )
        )
        assert "Approved, author banned since" in banned["text"]
        # `🚫 Ban author` gave way to the ban's terms.
        [terms] = banned["reply_markup"]["inline_keyboard"]
        assert [button["text"] for button in terms] == ["24 h", "7 days", "✓ Forever"]
        telegram.user_sends_text(READER, "You idiots", reply_to_message_id=answer["message_id"])
        await telegram.wait_for_bot_message(READER, contains="no longer send")
    assert await bans_of(database_path) == [READER]


async def test_a_comment_refused_in_the_thread_does_not_silence_the_private_chat(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Two comments under a post within FLOOD_MIN_INTERVAL_SECONDS: the second is refused
    with a wait; that wait is for comments in the thread, not for the private chat, where
    the reader is still answered (a reader never meets silence)."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, READER, "A first thought", thread["message_id"])
        types_under(telegram, READER, "And a second one", thread["message_id"])
        await all_handled(telegram)
        assert await outbox_rows(database_path, "thread_author_notice") == 2
        telegram.user_sends_text(READER, "/help")
        await telegram.wait_for_bot_message(READER, contains="How to comment")


async def test_a_moderator_is_never_banned_by_the_gate_when_telegram_could_not_say_who_they_are(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A moderator past the burst while Telegram cannot answer whether they moderate: told
    to wait, as anyone would be; but when they keep on, they are asked about again before
    any ban, and let through instead."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
        flood_spam_after=5,
        # Asked afresh each time, so that the fault below is met.
        moderator_cache_seconds=0,
    )
    async with running_bot(settings):
        for _ in range(BURST):
            telegram.user_sends_text(MODERATOR_ID, "/help")
        await all_handled(telegram)
        telegram.fail_next(
            "getChatMember", 500, "Internal Server Error", chat_id=MODERATION_CHAT_ID
        )
        telegram.user_sends_text(MODERATOR_ID, "/help")
        await telegram.wait_for_bot_message(MODERATOR_ID, contains=FLOOD_NOTICE)
        for _ in range(5):
            telegram.user_sends_text(MODERATOR_ID, "/help")
        await all_handled(telegram)
        answers = answers_to(telegram, MODERATOR_ID)
        assert sum("How to comment" in text for text in answers) > BURST, answers
    assert await bans_of(database_path) == []


async def test_unban_lets_a_banned_flooder_be_answered_at_once(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Banned by the gate for flooding, then `/unban` by a moderator (a mistake, or they
    calmed down): their next message is answered, not ignored until their wait is over."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
        flood_spam_after=5,
    )
    async with running_bot(settings):
        for number in range(BURST + 1 + 5):
            telegram.user_sends_text(FLOODER, f"Buy now {number}")
        await all_handled(telegram)
        assert await bans_of(database_path) == [FLOODER]
        telegram.user_sends_text(MODERATOR_ID, f"/unban {FLOODER}", chat_id=MODERATION_CHAT_ID)
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=str(FLOODER))
        telegram.user_sends_text(FLOODER, "/help")
        await telegram.wait_for_bot_message(FLOODER, contains="How to comment")
    assert await bans_of(database_path) == []


async def test_an_update_tried_again_after_a_failure_is_not_counted_again(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A reader's /help whose answer fails (Telegram erring) is tried again, as any failed
    update is (bot.update_handling): the retry is the same update, not one more, so it is
    not stopped at the gate, and is answered. (A burst of one: the reader has used the
    rest of theirs, filling the contact form, say.)"""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        flood_gate_burst=1,
        flood_gate_refill_seconds=SLOW_REFILL,
    )
    async with running_bot(settings):
        telegram.fail_next("sendMessage", 500, "Internal Server Error", times=2, chat_id=READER)
        telegram.user_sends_text(READER, "/help")
        await telegram.wait_for_bot_message(READER, contains="How to comment", timeout=15)
        assert not any(FLOOD_NOTICE in text for text in answers_to(telegram, READER))


async def test_a_word_to_a_flooder_that_fails_lets_nothing_through(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Telegram refuses the word "I will not answer" (the flooder blocked the bot, or an
    error): the update past the gate is still not handled, nor answered."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        flood_gate_burst=1,
        flood_gate_refill_seconds=SLOW_REFILL,
    )
    async with running_bot(settings):
        telegram.user_sends_text(FLOODER, "/help")
        await telegram.wait_for_bot_message(FLOODER, contains="How to comment")
        telegram.fail_next("sendMessage", 500, "Internal Server Error", chat_id=FLOODER)
        telegram.user_sends_text(FLOODER, "/help")
        await all_handled(telegram)
        await telegram.wait_for(
            lambda: any(
                call.method == "sendMessage" and call.status == 500 for call in telegram.calls
            )
        )
        assert sum("How to comment" in t for t in answers_to(telegram, FLOODER)) == 1


async def test_a_persistent_flooder_is_listed_by_spam_and_not_spam_lifts_the_ban(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Banned by the gate for flooding: /spam lists them with why ("flooding: N messages
    in M seconds"); ↩️ Not spam lifts the ban, here and in the discussion group, and their
    next message is answered at once. Nothing of a flood comes back as a card."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        flood_gate_burst=BURST,
        flood_gate_refill_seconds=SLOW_REFILL,
        flood_spam_after=5,
    )
    async with running_bot(settings):
        for number in range(BURST + 1 + 5):
            telegram.user_sends_text(FLOODER, f"Buy now {number}")
        await all_handled(telegram)
        assert await bans_of(database_path) == [FLOODER]
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, FLOODER) == "kicked"
        )
        listed = await open_spam_list(telegram)
        assert f"id {FLOODER}" in listed["text"]
        assert re.search(r"flooding: 6 messages in \d+ seconds?", listed["text"]), listed["text"]
        assert "Buy now 15" in listed["text"]

        answer = await tap_not_spam(telegram, listed, 1)

        assert answer.startswith("↩️") and "lifted" in answer, answer
        assert await bans_of(database_path) == []
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, FLOODER) != "kicked"
        )
        telegram.user_sends_text(FLOODER, "/help")
        await telegram.wait_for_bot_message(FLOODER, contains="How to comment")
        assert not any("Buy now" in card.get("text", "") for card in cards(telegram))
        again = await tap_not_spam(telegram, listed, 1)
        assert again == "Already undone: the ban for flooding was lifted.", again


async def test_a_flooder_banned_in_the_thread_is_listed_by_spam_and_can_be_unbanned(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Banned for flooding under a post: /spam lists them, and ↩️ Not spam lifts the ban."""
    settings = thread_settings(telegram, database_path, flood_spam_after=10)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        for n in range(30):
            types_under(telegram, FLOODER, f"Signals {n}", thread["message_id"])
        await all_handled(telegram)
        assert await bans_of(database_path) == [FLOODER]
        listed = await open_spam_list(telegram)
        assert re.search(r"flooding: 11 messages in \d+ seconds?", listed["text"]), listed["text"]
        answer = await tap_not_spam(telegram, listed, 1)
        assert "lifted" in answer, answer
        assert await bans_of(database_path) == []
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, FLOODER) != "kicked"
        )


def cards(telegram: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "#" in m.get("text", "")]
