"""Bans with a term and a reason, end to end: the term chosen on a card, /ban, /unban and
/bans, a ban that runs out (time moved forward, never waited for) and what the banned
reader is told."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiosqlite
import pytest

from bot.i18n import Texts
from bot.rendering.common import moment
from bot.services import bans
from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, MovedClocks, RunningBot, running_bot
from tests.e2e.steps import (
    card_without_buttons,
    comment,
    post_article,
    press,
    start_payload,
    thread_of,
    types_under,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID

READER = READER_IDS[0]
DAY = 24 * 3600
SPANISH_READER = 3001


async def rows(settings: Settings, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    async with aiosqlite.connect(settings.database_path) as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql, parameters)]


async def wait_for_rows(settings: Settings, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """SQLite sends no events: look again every 20 ms, for 5 s."""
    deadline = time.monotonic() + 5.0
    while not (found := await rows(settings, sql, *parameters)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no rows for {sql}")
        await asyncio.sleep(0.02)
    return found


async def press_term(telegram: FakeTelegram, card: dict[str, Any], term: str) -> dict[str, Any]:
    """A moderator taps one of the terms a card offers once its `🚫 Ban author` banned."""
    prefix = f"term:v1:{term}:"

    def offered() -> str | None:
        current = telegram.message(MODERATION_CHAT_ID, card["message_id"]) or {}
        for row in current.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith(prefix):
                    return str(button["callback_data"])
        return None

    data = await telegram.wait_for(offered)
    query = telegram.user_presses_button(MODERATOR_ID, MODERATION_CHAT_ID, card["message_id"], data)
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query))


def card_edits(telegram: FakeTelegram, card: dict[str, Any]) -> int:
    return sum(
        1
        for c in telegram.calls
        if c.method == "editMessageText" and c.params.get("message_id") == card["message_id"]
    )


async def moderators_read(telegram: FakeTelegram, command: str, contains: str) -> str:
    telegram.user_sends_text(MODERATOR_ID, command, chat_id=MODERATION_CHAT_ID)
    answer = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=contains)
    return str(answer["text"])


async def test_a_24_hour_ban_from_a_card_runs_out_and_lifts_itself_in_the_group(
    telegram: FakeTelegram,
    discussion_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """🚫 bans for good at once; `24 h` on the card shortens it (one edit), in the discussion
    group too (until_date). A day later, on both clocks moved forward, Telegram has lifted
    it there, the bot has lifted its own (an unban line by nobody) and the author writes
    again, under the post and through the bot."""
    monkeypatch.setattr(bans, "EXPIRY_CHECK_SECONDS", 0.1)
    clocks = MovedClocks(telegram, monkeypatch)
    settings = discussion_settings
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, READER, post, "troll words")
        await press(telegram, MODERATOR_ID, card, Decision.BAN)
        await telegram.wait_for(lambda: card_edits(telegram, card) == 1)
        answer = await press_term(telegram, card, "24h")
        [[banned_at, until]] = await rows(
            settings, "SELECT banned_at, until FROM bans WHERE user_id = ?", READER
        )
        assert until == banned_at + DAY
        english = Texts("en")
        assert answer["text"] == f"Banned until {moment(english, until)}."
        edited = await telegram.wait_for(
            lambda: (
                (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
                and "⏳ Banned until" in m["text"]
                and m
            )
        )
        # The terms first; the reasons a ban may still be given below them.
        terms, *reasons = [
            [b["text"] for b in row] for row in edited["reply_markup"]["inline_keyboard"]
        ]
        assert terms == ["✓ 24 h", "7 days", "Forever"]
        assert ["off-topic", "insulting"] in reasons
        # One edit for 🚫 (the outcome and the terms), one for the term: the group's minute.
        assert card_edits(telegram, card) == 2
        await telegram.wait_for(
            lambda: (
                [
                    c.params.get("until_date")
                    for c in telegram.calls
                    if c.method == "banChatMember" and c.status == 200
                ][-1:]
                == [int(until)]
            )
        )
        assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "kicked"
        telegram.user_sends_text(READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(
            READER,
            contains=f"you can't send comments or messages here until {moment(english, until)}",
        )

        clocks.move_forward(DAY + 60)
        [[moderator, ran_out]] = await wait_for_rows(
            settings,
            "SELECT moderator_id, json_extract(detail, '$.ran_out_at') FROM moderation_log"
            " WHERE action = 'unban' AND author_id = ?",
            READER,
        )
        assert (moderator, ran_out) == (None, until)
        assert telegram.chat_member_status(DISCUSSION_CHAT_ID, READER) == "left"
        telegram.user_joins(DISCUSSION_CHAT_ID, READER)
        thread = await thread_of(telegram, post)
        types_under(telegram, READER, "Back, politely", thread["message_id"])
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Back, politely")
        await comment(telegram, READER, post, "And through the bot")
    # Lifted in the group by Telegram itself: the bot sent no unban there.
    assert not [c for c in telegram.calls if c.method == "unbanChatMember"]


async def test_ban_command_then_bans_lists_it_and_unban_by_username(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """/ban @user 7d REASON bans for a week with the reason in the record, and rejects the
    comment they have waiting (its card says so); /bans lists who, by whom, when, why and
    until; /unban @User (any case) lifts it."""
    _, post = await post_article(telegram)
    waiting = await comment(telegram, READER, post, "first")
    answer = await moderators_read(telegram, "/ban @reader0 7d spam links", "is banned")
    assert "Their 1 waiting comment is rejected with it." in answer
    settled = await card_without_buttons(telegram, waiting)
    assert "🚫 Rejected, author banned by Mo Derator" in settled["text"]
    [[until, reason]] = await rows(
        e2e_settings, "SELECT until, reason FROM bans WHERE user_id = ?", READER
    )
    assert reason == "spam links"
    english = Texts("en")
    assert f"Reader0 @reader0 (id {READER}) is banned until {moment(english, until)}." in answer
    [[logged_until, logged_reason, by]] = await rows(
        e2e_settings,
        "SELECT until, reason, moderator_name FROM moderation_log WHERE action = 'ban'",
    )
    assert (logged_until, logged_reason, by) == (until, "spam links", "Mo Derator")
    listed = await moderators_read(telegram, "/bans", "newest first")
    assert "1 ban, newest first" in listed
    assert f"Reader0 @reader0 (id {READER})" in listed
    assert "by Mo Derator" in listed
    assert f"until {moment(english, until)}" in listed
    assert "Why: spam links" in listed

    await moderators_read(telegram, "/unban @READER0", "is no longer banned")
    await moderators_read(telegram, "/bans", "No one is banned.")
    await comment(telegram, READER, post, "back again")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/ban", "Usage: /ban USER TERM REASON"),
        ("/ban @nobody 7d spam", "I don't know @nobody."),
        # One reading of USER for every command, as /history: what is no id nor @username
        # (#12 is an article's number) is answered with the usage.
        ("/ban 12ab 7d spam", "Usage: /ban USER TERM REASON"),
        (f"/ban #{READER} 7d spam", "Usage: /ban USER TERM REASON"),
        ("/ban @bad-name 7d spam", "Usage: /ban USER TERM REASON"),
        (f"/ban {READER} 3x spam", "3x is not a term. Use 30m, 24h, 7d, 2w"),
        (f"/ban {READER} 400d spam", "400d is not a term."),
        (f"/ban {READER} 10s spam", "10s is not a term."),
        (f"/ban {READER} 7d", "Say why after the term"),
        (f"/ban {READER} 7d   ", "Say why after the term"),
        (f"/ban {READER} 7d {'x' * 201}", "A reason holds at most 200 characters."),
        (f"/ban {READER}", "Usage: /ban USER TERM REASON"),
        ("/unban", "Usage: /unban USER"),
        ("/unban @nobody", "I don't know @nobody."),
    ],
)
async def test_ban_commands_answer_a_bad_user_term_or_reason(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings, command: str, answer: str
) -> None:
    """Each mistake gets its own answer, and bans no one."""
    telegram.user_sends_text(MODERATOR_ID, command, chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=answer)
    assert await rows(e2e_settings, "SELECT user_id FROM bans") == []


async def test_a_banned_reader_is_told_until_when_in_their_language(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    """A Spanish reader banned for a week is told, in Spanish, until when: opening an
    article, and opening the contact form."""
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-MX")
    _, post = await post_article(telegram)
    await moderators_read(telegram, f"/ban {SPANISH_READER} 7d insultos", "is banned")
    [[until]] = await rows(e2e_settings, "SELECT until FROM bans WHERE user_id = ?", SPANISH_READER)
    told = f"no puedes enviar comentarios ni mensajes aquí hasta el {moment(Texts('es'), until)}"
    telegram.user_sends_text(SPANISH_READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(SPANISH_READER, contains=told)
    telegram.user_sends_text(SPANISH_READER, "/contact")
    await telegram.wait_for(lambda: len(telegram.bot_messages_in(SPANISH_READER)) == 2)
    assert told in telegram.bot_messages_in(SPANISH_READER)[-1]["text"]
