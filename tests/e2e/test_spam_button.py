"""🧹 Spam on cards, the group's review desk and private desks: rejected, taken down,
a newcomer banned with their other waiting words, and the spam check taught; ❌ Reject
teaches nothing and an approval teaches ham."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from bot.spam.checker import Thresholds, Verdict
from bot.spam.filter import SpamFilter
from sandbox.bot_api import FakeTelegram
from storage.db import Database
from tests.e2e.harness import populate, running_bot
from tests.e2e.steps import (
    Message,
    card_without_buttons,
    comment,
    desk_text,
    fill_form,
    post_article,
    press,
    press_desk,
    start_payload,
    thread_of,
    types_under,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID, make_settings

SPAMMER, READER = 2001, 2002
NEW_SPAM = [
    "Grandma's secret garden gnome statues half price, visit gnomeparadise shop today",
    "Secret garden gnome statues from grandma, half price at gnomeparadise shop this week",
    "Half price garden gnome statues! Grandma's secret, gnomeparadise shop, visit now",
]
# A fourth of the kind, worded as none of the three.
NEW_SPAM_PROBE = "Visit gnomeparadise shop: grandma's secret garden gnome statues at half price"


def labels(message: Message) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def in_group(telegram: FakeTelegram, message: Message) -> bool:
    return telegram.message(DISCUSSION_CHAT_ID, message["message_id"]) is not None


async def learned(settings: Settings) -> list[tuple[str, str]]:
    """What moderators' decisions taught the spam check, read from the bot's own file."""
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT label, text FROM spam_examples WHERE source = 'moderator' ORDER BY id"
        ) as cursor,
    ):
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def probe_score(settings: Settings) -> tuple[Verdict, float]:
    """The check's verdict on NEW_SPAM_PROBE, with the model as the bot stored it."""
    database = await Database.open(settings.database_path)
    try:
        spam_filter = await SpamFilter.open(database, Thresholds())
        check = spam_filter.check(NEW_SPAM_PROBE)
    finally:
        await database.close()
    return check.verdict, check.score


async def test_spam_on_a_thread_comment_takes_it_down_bans_sweeps_and_learns(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Post-moderation: 🧹 on a newcomer's comment takes it and their other waiting words
    down, bans them from the group, says on the card who marked it, and teaches the check."""
    populate(telegram, with_discussion=True)
    settings = make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation="post",
    )
    async with running_bot(settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        under = thread["message_id"]
        spam = types_under(telegram, SPAMMER, "Gnome statues half price, DM me", under)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Gnome statues")
        more = types_under(telegram, SPAMMER, "Cheap gnomes here", under)
        more_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Cheap")
        assert labels(card) == ["✅ Keep", "🗑 Remove", "🚫 Ban author", "🧹 Spam"]
        answer = await press(telegram, MODERATOR_ID, card, Decision.SPAM)
        assert answer["text"] == (
            "Marked spam: rejected, the author banned, and the spam check learned from it."
        )
        await telegram.wait_for(lambda: not in_group(telegram, spam))
        await telegram.wait_for(lambda: not in_group(telegram, more))
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) == "kicked"
        )
        decided = await card_without_buttons(telegram, card)
        assert "🧹 Marked spam, author banned by Mo Derator" in decided["text"]
        swept = await card_without_buttons(telegram, more_card)
        assert "🚫 Removed, author banned by Mo Derator" in swept["text"]
    assert await learned(settings) == [("spam", "Gnome statues half price, DM me")]


async def test_three_marks_teach_a_new_kind_of_spam_and_reject_teaches_nothing(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Three comments of a kind the starter set does not know, marked 🧹: a fourth worded
    otherwise is spam to the check. ❌ Reject teaches nothing; ✅ Approve teaches ham. An
    author with an approved comment is not banned by 🧹."""
    populate(telegram, with_discussion=False)
    # A dry run: the check would catch the second gnome once the first is marked, and the
    # moderators here mark all three themselves (catching on arrival: test_spam_intake).
    settings = make_settings(database_path, telegram_api_url=telegram.base_url, spam_filter="flag")
    verdict_before, score_before = await probe_score(settings)
    assert verdict_before is not Verdict.SPAM
    async with running_bot(settings):
        _, post = await post_article(telegram)
        spammers = [80_001, 80_002, 80_003]
        for spammer, text in zip(spammers, NEW_SPAM, strict=True):
            telegram.add_user(spammer, f"Gnome {spammer}")
            card = await comment(telegram, spammer, post, text)
            await press(telegram, MODERATOR_ID, card, Decision.SPAM)
            await card_without_buttons(telegram, card)
        approved = await comment(telegram, READER, post, "A fair account of the vote")
        await press(telegram, MODERATOR_ID, approved, Decision.APPROVE)
        rejected = await comment(telegram, READER, post, "Off topic, but the bins are late")
        await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
        slipped = await comment(telegram, READER, post, "Buy followers at follow-shop")
        answer = await press(telegram, MODERATOR_ID, slipped, Decision.SPAM)
        assert "is not banned" in answer["text"]
        await card_without_buttons(telegram, slipped)
        # Banned by 🧹: the spammer can comment no more; the reader with an approved
        # comment still can.
        telegram.user_sends_text(spammers[0], f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(spammers[0], contains="can no longer send")
        telegram.user_sends_text(READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(READER, contains="Send your comment")
    assert await learned(settings) == [
        *[("spam", text) for text in NEW_SPAM],
        ("ham", "A fair account of the vote"),
        ("spam", "Buy followers at follow-shop"),
    ]
    verdict_after, score_after = await probe_score(settings)
    assert verdict_after is Verdict.SPAM
    assert score_after > score_before


async def test_spam_from_the_group_desk(telegram: FakeTelegram, database_path: Path) -> None:
    """The review desk offers 🧹 Spam; a tap rejects the item, bans its author and moves on."""
    populate(telegram, with_discussion=False)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, SPAMMER, post, "Crypto signals, DM me")
        await comment(telegram, READER, post, "Honest words")
        telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=MODERATION_CHAT_ID)
        desk = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
        # The check was unsure of it: flagged on its card and on the desk.
        assert "⚠️ Likely spam (" in card["text"]
        assert "⚠️ Likely spam (" in desk["text"]
        assert labels(desk) == [
            "✅ Approve",
            "❌ Reject",
            "🚫 Ban author",
            "🧹 Spam",
            "⏭ Skip",
        ]
        answer = await press_desk(telegram, desk, "spam")
        assert answer["text"].startswith("Marked spam")
        await telegram.wait_for(lambda: "Honest words" in desk_text(telegram, desk))
        decided = await card_without_buttons(telegram, card)
        assert "🧹 Marked spam, author banned by Mo Derator" in decided["text"]
        await telegram.wait_for_bot_message(SPAMMER, contains="was not approved")
    assert await learned(settings) == [("spam", "Crypto signals, DM me")]


async def test_spam_from_a_private_desk(telegram: FakeTelegram, database_path: Path) -> None:
    """A moderator's private desk offers 🧹 Spam, within Telegram's rows; a tap decides."""
    populate(telegram, with_discussion=False)
    # A dry run: this spam would be caught before any desk saw it.
    settings = make_settings(database_path, telegram_api_url=telegram.base_url, spam_filter="flag")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, SPAMMER, post, "Earn $500 a day, DM me")
        telegram.user_sends_text(MODERATOR_ID, "/desk")
        desk = await telegram.wait_for_bot_message(MODERATOR_ID, contains="Your desk")
        # The check's flag, as on the card (SPAM_FILTER=flag flags what it would catch).
        assert "⚠️ Likely spam (" in card["text"]
        assert "⚠️ Likely spam (" in desk["text"]
        assert labels(desk) == [
            "✅ Approve",
            "❌ Reject",
            "🚫 Ban author",
            "🧹 Spam",
            "⏭ Skip",
            "✖️ Close",
        ]
        data = next(
            b["callback_data"]
            for row in desk["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == "🧹 Spam"
        )
        query_id = telegram.user_presses_button(
            MODERATOR_ID, MODERATOR_ID, desk["message_id"], data
        )
        answer = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
        assert answer["text"].startswith("Marked spam")
        decided = await card_without_buttons(telegram, card)
        assert "🧹 Marked spam, author banned by Mo Derator" in decided["text"]
    assert await learned(settings) == [("spam", "Earn $500 a day, DM me")]


WAVE = [
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot now!",
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot now!!",
    "earn 500$ a day from home with crypto signals 🚀 write to @rich_fast_bot now",
    "Earn 700$ a day from home with crypto signals, write to @rich_fast_bot now!",
    "Earn 500$ a day from home with crypto signals, write to @rich_fast_bot today!",
]


async def test_a_wave_of_copies_shows_its_size_and_one_spam_tap_settles_every_copy(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """5 readers send near-identical comments, 1 a genuine one: a copy's card says ×N, one
    🧹 tap settles the 5 (its answer counts them, every copy's card says marked spam), and
    the genuine comment still waits."""
    populate(telegram, with_discussion=False)
    # A dry run of the check: the copies wait for a moderator instead of being caught.
    settings = make_settings(database_path, telegram_api_url=telegram.base_url, spam_filter="flag")
    async with running_bot(settings):
        _, post = await post_article(telegram)
        cards = []
        for number, text in enumerate(WAVE):
            author = 90_001 + number
            telegram.add_user(author, f"Wave {number}")
            cards.append(await comment(telegram, author, post, text))
        genuine = await comment(telegram, READER, post, "The ferry timetable changes in May")
        assert "×" not in cards[0]["text"]
        assert "🌊 ×2" in cards[1]["text"]
        assert "🌊 ×5" in cards[4]["text"]
        assert "×" not in genuine["text"]
        answer = await press(telegram, MODERATOR_ID, cards[2], Decision.SPAM)
        assert answer["text"] == "🧹 Marked spam: 5 copies, newcomers among the authors banned."
        for card in cards:
            decided = await card_without_buttons(telegram, card)
            assert "🧹 Marked spam, author banned by Mo Derator" in decided["text"]
        waiting = telegram.message(MODERATION_CHAT_ID, genuine["message_id"])
        assert waiting is not None
        assert labels(waiting) == labels(genuine)
    assert await learned(settings) == [("spam", WAVE[2])]


async def test_spam_on_a_contact_card_bans_its_sender_and_learns(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """🧹 Spam on a contact message: rejected as spam, its new sender banned, the words
    learned as spam; the decided card says who marked it."""
    populate(telegram, with_discussion=False)
    settings = make_settings(database_path, telegram_api_url=telegram.base_url, spam_filter="flag")
    words = "Cheap garden gnomes wholesale, visit our shop"
    async with running_bot(settings):
        card = await fill_form(telegram, SPAMMER, "Gnome Shop", "shop@example.com", words)
        assert "🧹 Spam" in labels(card)
        answer = await press(telegram, MODERATOR_ID, card, Decision.SPAM)
        assert answer["text"].startswith("Marked spam")
        decided = await card_without_buttons(telegram, card)
        assert "🧹 Marked spam, author banned by Mo Derator" in decided["text"]
    assert await learned(settings) == [("spam", words)]
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute("SELECT user_id FROM bans WHERE lifted_at IS NULL") as cursor,
    ):
        assert [row[0] for row in await cursor.fetchall()] == [SPAMMER]
