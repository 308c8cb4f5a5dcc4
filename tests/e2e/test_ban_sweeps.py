"""What a ban does to the author's other waiting items, end to end: `🚫 Ban author` and
`🧹 Spam` on a card settle every comment they have waiting (sent through the bot too) as
/ban does, their contact messages stay for the editors, a swept card offers no reasons,
the spam check's own sweep is given back by `↩️ Not spam`, and ✅ Approve never publishes
a banned reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, RunningBot, running_bot
from tests.e2e.steps import (
    card_showing,
    comment,
    fill_form,
    open_spam_list,
    post_article,
    press,
    press_desk,
    tap_not_spam,
    thread_of,
    types_under,
)
from tests.e2e.test_spam_intake import SPAM, SPAMMER, thread_settings
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID

TROLL, OTHER = READER_IDS[1], READER_IDS[2]


async def rows(settings: Settings, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    async with aiosqlite.connect(settings.database_path) as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql, parameters)]


def current(telegram: FakeTelegram, card: dict[str, Any]) -> dict[str, Any]:
    shown = telegram.message(MODERATION_CHAT_ID, card["message_id"])
    assert shown is not None
    return shown


def buttons_of(telegram: FakeTelegram, card: dict[str, Any]) -> list[str]:
    return [
        button["text"]
        for row in current(telegram, card).get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]


def card_edits(telegram: FakeTelegram, card: dict[str, Any]) -> int:
    return sum(
        1
        for c in telegram.calls
        if c.method == "editMessageText"
        and c.params.get("chat_id") == MODERATION_CHAT_ID
        and c.params.get("message_id") == card["message_id"]
    )


async def tap_private_desk(
    telegram: FakeTelegram, desk: dict[str, Any], label: str
) -> dict[str, Any]:
    data = next(
        b["callback_data"]
        for row in desk["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == label
    )
    query = telegram.user_presses_button(MODERATOR_ID, MODERATOR_ID, desk["message_id"], data)
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query))


@pytest.mark.parametrize("decision", [Decision.BAN, Decision.SPAM])
async def test_a_ban_from_a_card_settles_the_comments_waiting_in_private_not_contact_messages(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings, decision: Decision
) -> None:
    """🚫 or 🧹 on one of a newcomer's cards: their other comment sent through the bot is
    rejected with the ban (its card decided, no reasons, one edit; its old ✅ Approve
    publishes nothing and its author hears nothing of it); their contact message still
    waits for the editors, and another reader's comment is left alone."""
    _, post = await post_article(telegram)
    tapped = await comment(telegram, TROLL, post, "First troll words")
    waiting = await comment(telegram, TROLL, post, "Second troll words")
    contact = await fill_form(telegram, TROLL, "Troll", "troll@example.com", "Take my post down")
    others = await comment(telegram, OTHER, post, "A fair point about the ferry")

    await press(telegram, MODERATOR_ID, tapped, decision)

    swept = await card_showing(telegram, waiting, "🚫 Rejected, author banned by Mo Derator")
    assert "reply_markup" not in swept or buttons_of(telegram, waiting) == []
    assert card_edits(telegram, waiting) == 1
    late = await press(telegram, MODERATOR_ID, waiting, Decision.APPROVE)
    assert late["text"] == "Already rejected by Mo Derator."
    assert buttons_of(telegram, contact)[0] == "✅ Approve"
    assert buttons_of(telegram, others)[0] == "✅ Approve"
    statuses = await rows(e2e_settings, "SELECT text, status FROM submissions ORDER BY id")
    assert statuses[1:] == [
        ("Second troll words", "rejected"),
        ("Take my post down", "pending"),
        ("A fair point about the ferry", "pending"),
    ]
    [[swept_id]] = await rows(
        e2e_settings, "SELECT id FROM submissions WHERE text = 'Second troll words'"
    )
    assert not await rows(
        e2e_settings,
        "SELECT id FROM outbox WHERE action = 'notify_author'"
        " AND json_extract(payload, '$.submission_id') = ?",
        swept_id,
    )


async def test_a_comment_swept_down_from_the_thread_offers_no_reasons(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """Post-moderation: 🚫 on one of two comments left up in the thread; the other comes
    down with the ban and its card, edited once, shows its decided line with no reason
    buttons (its author was not told of it), while the tapped card offers the terms and
    the reasons."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        types_under(telegram, TROLL, "You are all idiots", under)
        tapped = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="idiots")
        types_under(telegram, TROLL, "Total morons here", under)
        waiting = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="morons")

        await press(telegram, MODERATOR_ID, tapped, Decision.BAN)

        decided = await card_showing(telegram, tapped, "🚫 Removed, author banned by Mo Derator")
        assert "✓ Forever" in buttons_of(telegram, decided) and "off-topic" in buttons_of(
            telegram, decided
        )
        await card_showing(telegram, waiting, "🚫 Removed, author banned by Mo Derator")
        assert buttons_of(telegram, waiting) == []
        assert card_edits(telegram, waiting) == 1


async def test_the_spam_checks_ban_sweeps_a_comment_sent_privately_and_not_spam_gives_it_back(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A newcomer's comment sent through the bot waits on its card; their next message,
    typed under the post, is caught as spam and bans them: the waiting comment is taken
    with the catch (its card says by the spam check). ↩️ Not spam gives it back, pending
    with its buttons, and approved it is published."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        waiting = await comment(telegram, SPAMMER, post, "The budget vote was rushed")
        types_under(telegram, SPAMMER, SPAM, under)

        await card_showing(telegram, waiting, "author banned by the spam check")
        await telegram.wait_for(lambda: buttons_of(telegram, waiting) == [])
        [[swept_by]] = await rows(
            settings, "SELECT swept_by FROM submissions WHERE text = 'The budget vote was rushed'"
        )
        [[catch]] = await rows(settings, "SELECT id FROM submissions WHERE caught_at IS NOT NULL")
        assert swept_by == catch

        listed = await open_spam_list(telegram)
        await tap_not_spam(telegram, listed, 1)
        await telegram.wait_for(lambda: "✅ Approve" in buttons_of(telegram, waiting))
        answer = await press(telegram, MODERATOR_ID, current(telegram, waiting), Decision.APPROVE)
        assert answer["text"] == "Approved."
        await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="budget vote")


async def test_approve_on_a_banned_authors_comment_is_refused_and_publishes_nothing(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """A catch given back by ↩️ Not spam while a moderator's /ban holds its author is a
    card again: ✅ Approve on it (on the card, the review desk, a private desk) is refused
    with a clear answer, and it stays pending (the moderator may reject it, or /unban
    first); nothing reaches the thread."""
    settings = thread_settings(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        under = (await thread_of(telegram, post))["message_id"]
        types_under(telegram, SPAMMER, SPAM, under)
        await telegram.wait_for(
            lambda: telegram.chat_member_status(DISCUSSION_CHAT_ID, SPAMMER) == "kicked"
        )
        telegram.user_sends_text(
            MODERATOR_ID, f"/ban {SPAMMER} 7d scams", chat_id=MODERATION_CHAT_ID
        )
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="is banned")
        listed = await open_spam_list(telegram)
        await tap_not_spam(telegram, listed, 1)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="WhatsApp")

        answer = await press(telegram, MODERATOR_ID, card, Decision.APPROVE)

        assert answer["text"].startswith("The author is banned until ")
        assert "/unban" in answer["text"]
        assert await rows(settings, "SELECT status FROM submissions") == [("pending",)]
        assert not await rows(settings, "SELECT id FROM outbox WHERE action = 'thread_post'")
        assert buttons_of(telegram, card)[0] == "✅ Approve"
        # The same answer on a private desk (closed then, giving the item back) and on
        # the group's review desk.
        telegram.user_sends_text(MODERATOR_ID, "/desk")
        mine = await telegram.wait_for_bot_message(MODERATOR_ID, contains="Your desk")
        assert "WhatsApp" in mine["text"]
        on_mine = await tap_private_desk(telegram, mine, "✅ Approve")
        assert on_mine["text"].startswith("The author is banned until ")
        await tap_private_desk(telegram, mine, "✖️ Close")
        telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=MODERATION_CHAT_ID)
        desk = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
        on_desk = await press_desk(telegram, desk, "approve")
        assert on_desk["text"].startswith("The author is banned until ")
        assert await rows(settings, "SELECT status FROM submissions") == [("pending",)]
        rejected = await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        assert rejected["text"] == "Rejected."
    assert not [m for m in telegram.messages_in(DISCUSSION_CHAT_ID) if "WhatsApp" in str(m)]
