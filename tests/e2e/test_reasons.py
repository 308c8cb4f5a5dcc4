"""Reasons (issue 22): ❌ Reject stays one tap, a reason is one more (a button on the card
or the desk, or a moderator's own words in a reply to the card); the author hears it in
their language, and the card shows it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, populate, running_bot
from tests.e2e.steps import comment, post_article, press, press_desk, start_payload
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID, make_settings

Message = dict[str, Any]
SPANISH_READER = 2_101


def newsroom(telegram: FakeTelegram, database_path: Path, **overrides: Any) -> Settings:
    populate(telegram, with_discussion=False)
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es")
    return make_settings(database_path, telegram_api_url=telegram.base_url, **overrides)


def reason_buttons(message: Message | None) -> dict[str, str]:
    """The reasons a message offers: label to button data."""
    return {
        button["text"]: button["callback_data"]
        for row in (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if button.get("callback_data", "").startswith("why:")
    }


async def spanish_comment(telegram: FakeTelegram, post: Message, text: str) -> Message:
    """The Spanish reader comments (the bot speaks to them in Spanish); returns the card."""
    telegram.user_sends_text(SPANISH_READER, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(SPANISH_READER, contains="Envía tu comentario")
    telegram.user_sends_text(SPANISH_READER, text)
    await telegram.wait_for_bot_message(SPANISH_READER, contains="en espera")
    return await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=text)


async def offering_reasons(telegram: FakeTelegram, chat_id: int, message_id: int) -> Message:
    return await telegram.wait_for(
        lambda: (m := telegram.message(chat_id, message_id)) and reason_buttons(m) and m
    )


async def tap(telegram: FakeTelegram, chat_id: int, message_id: int, data: str) -> Message:
    query_id = telegram.user_presses_button(MODERATOR_ID, chat_id, message_id, data)
    answer: Message = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
    return answer


def item_of(card: Message) -> int:
    match = re.search(r"Comment #(\d+)", card["text"])
    assert match is not None
    return int(match[1])


def said_to(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [
        str(call.params.get("text", ""))
        for call in telegram.calls
        if call.method == "sendMessage" and call.params.get("chat_id") == chat_id
    ]


async def card_shows(telegram: FakeTelegram, card: Message, text: str) -> Message:
    return await telegram.wait_for(
        lambda: (
            (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
            and text in m["text"]
            and m
        )
    )


async def stored_reason(settings: Settings, submission_text: str) -> str | None:
    async with (
        aiosqlite.connect(settings.database_path) as conn,
        conn.execute(
            "SELECT decision_reason FROM submissions WHERE text = ?", (submission_text,)
        ) as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


async def test_a_reason_tapped_after_reject_reaches_a_spanish_author_in_the_same_notice(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path, reject_notice_delay_seconds=3)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await spanish_comment(telegram, post, "Hablemos de fútbol")
        answer = await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        assert answer["text"] == "Rejected."
        offered = await offering_reasons(telegram, MODERATION_CHAT_ID, card["message_id"])
        # The moderators' language (English) on the card; the defaults, in order.
        assert list(reason_buttons(offered)) == [
            "off-topic",
            "insulting",
            "personal data",
            "duplicate",
            "misleading",
        ]
        edits_before = len(telegram.calls)
        answer = await tap(
            telegram, MODERATION_CHAT_ID, card["message_id"], reason_buttons(offered)["off-topic"]
        )
        assert answer["text"] == "Reason given: off-topic."
        decided = await card_shows(telegram, card, "❌ Rejected by Mo")
        decided = await card_shows(telegram, card, "· off-topic")
        assert reason_buttons(decided) == {}
        notice = await telegram.wait_for_bot_message(
            SPANISH_READER, contains="no aprobaron", timeout=10
        )
        assert "Motivo: fuera de tema" in notice["text"]
        # One card edit for the reason, no message in the group.
        later = [c for c in telegram.calls[edits_before:] if c.method != "getUpdates"]
        group_calls = [
            c.method
            for c in later
            if c.params.get("chat_id") == MODERATION_CHAT_ID
            and c.method in {"sendMessage", "editMessageText", "editMessageReplyMarkup"}
        ]
        assert group_calls == ["editMessageText"]
    # Told once: the notice carried the reason, no second message followed.
    told = [text for text in said_to(telegram, SPANISH_READER) if "Hablemos" in text]
    assert len(told) == 1 and "Motivo: fuera de tema" in told[0], told


async def test_a_reason_given_after_the_notice_follows_in_a_second_notice(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path, reject_notice_delay_seconds=0)
    reader = READER_IDS[0]
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, reader, post, "Buy my course")
        await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        await telegram.wait_for_bot_message(reader, contains="was not approved")
        offered = await offering_reasons(telegram, MODERATION_CHAT_ID, card["message_id"])
        await tap(
            telegram, MODERATION_CHAT_ID, card["message_id"], reason_buttons(offered)["misleading"]
        )
        follow_up = await telegram.wait_for_bot_message(reader, contains="Reason: misleading")
        assert "Buy my course" in follow_up["text"]
        # A second tap on the same card changes nothing and tells nobody.
        again = await tap(
            telegram, MODERATION_CHAT_ID, card["message_id"], reason_buttons(offered)["duplicate"]
        )
        assert again["text"] == "A reason was given already: misleading."
        assert await stored_reason(settings, "Buy my course") == "misleading"
    assert len([text for text in said_to(telegram, reader) if "Buy my course" in text]) == 2


async def test_a_moderator_writes_their_own_reason_by_replying_to_the_card(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path, reject_notice_delay_seconds=0)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await spanish_comment(telegram, post, "Mi número es 555 1234")
        await press(telegram, MODERATOR_ID, card, Decision.REJECT)
        await telegram.wait_for_bot_message(SPANISH_READER, contains="no aprobaron")
        telegram.user_sends_text(
            MODERATOR_ID,
            "  No phone numbers in comments, please  ",
            chat_id=MODERATION_CHAT_ID,
            reply_to_message_id=card["message_id"],
        )
        confirmed = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Reason")
        assert "No phone numbers in comments, please" in confirmed["text"]
        await card_shows(telegram, card, "· No phone numbers in comments, please")
        # The moderator's own words reach the author as written, in a Spanish notice.
        follow_up = await telegram.wait_for_bot_message(SPANISH_READER, contains="Motivo")
        assert "No phone numbers in comments, please" in follow_up["text"]
        assert await stored_reason(settings, "Mi número es 555 1234") == (
            "No phone numbers in comments, please"
        )


async def test_a_reason_chosen_on_a_private_desk(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path, reject_notice_delay_seconds=0)
    reader = READER_IDS[1]
    async with running_bot(settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, reader, post, "Lorem ipsum off the point")
        telegram.user_sends_text(MODERATOR_ID, "/desk")
        desk = await telegram.wait_for_bot_message(MODERATOR_ID, contains="Your desk")
        reject = next(
            button["callback_data"]
            for row in desk["reply_markup"]["inline_keyboard"]
            for button in row
            if button["text"] == "❌ Reject"
        )
        await tap(telegram, MODERATOR_ID, desk["message_id"], reject)
        offered = await offering_reasons(telegram, MODERATOR_ID, desk["message_id"])
        answer = await tap(
            telegram, MODERATOR_ID, desk["message_id"], reason_buttons(offered)["off-topic"]
        )
        assert answer["text"] == "Reason given: off-topic."
        await card_shows(telegram, card, "· off-topic")
        await telegram.wait_for_bot_message(reader, contains="Reason: off-topic")
        # The desk no longer offers reasons for it.
        await telegram.wait_for(
            lambda: not reason_buttons(telegram.message(MODERATOR_ID, desk["message_id"]))
        )


async def test_a_reason_button_forged_on_another_message_or_chat_is_refused(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path, reject_notice_delay_seconds=0)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        rejected = await comment(telegram, READER_IDS[0], post, "First, rejected")
        other = await comment(telegram, READER_IDS[1], post, "Second, pending")
        await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
        offered = await offering_reasons(telegram, MODERATION_CHAT_ID, rejected["message_id"])
        data = reason_buttons(offered)["insulting"]
        # The same data pressed on another card, in another chat, and with a reason the
        # bot does not offer.
        elsewhere = telegram.bot_messages_in(READER_IDS[0])[-1]
        answers = [
            await tap(telegram, MODERATION_CHAT_ID, other["message_id"], data),
            await tap(telegram, READER_IDS[0], elsewhere["message_id"], data),
            await tap(
                telegram,
                MODERATION_CHAT_ID,
                rejected["message_id"],
                data.replace("insulting", "anything at all"),
            ),
        ]
        # And the right button, pressed by someone who does not moderate.
        query_id = telegram.user_presses_button(
            OUTSIDER_ID, MODERATION_CHAT_ID, rejected["message_id"], data
        )
        answers.append(await telegram.wait_for(lambda: telegram.callback_answers.get(query_id)))
        assert all(answer.get("show_alert") for answer in answers), answers
        assert await stored_reason(settings, "First, rejected") is None
        # The real button still works.
        answer = await tap(telegram, MODERATION_CHAT_ID, rejected["message_id"], data)
        assert answer["text"] == "Reason given: insulting."


async def test_a_reason_chosen_on_the_groups_desk_costs_one_edit(
    telegram: FakeTelegram, database_path: Path
) -> None:
    settings = newsroom(telegram, database_path)
    async with running_bot(settings):
        _, post = await post_article(telegram)
        first = await comment(telegram, READER_IDS[0], post, "Desk comment one")
        await comment(telegram, READER_IDS[1], post, "Desk comment two")
        telegram.user_sends_text(MODERATOR_ID, "/queue", chat_id=MODERATION_CHAT_ID)
        desk = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
        assert "Desk comment one" in desk["text"]
        await press_desk(telegram, desk, "reject")
        # The desk moves on to the next item, and offers reasons for the one rejected.
        offered = await offering_reasons(telegram, MODERATION_CHAT_ID, desk["message_id"])
        assert "Desk comment two" in offered["text"]
        assert f"#{item_of(first)} rejected" in offered["text"]
        calls_before = len(telegram.calls)
        answer = await tap(
            telegram, MODERATION_CHAT_ID, desk["message_id"], reason_buttons(offered)["duplicate"]
        )
        assert answer["text"] == "Reason given: duplicate."
        await card_shows(telegram, first, "· duplicate")
        await telegram.wait_for_bot_message(READER_IDS[0], contains="Reason: duplicate")
        # The card shows it: the desk is not edited for it (the group's minute).
        edits = [
            c.params.get("message_id")
            for c in telegram.calls[calls_before:]
            if c.method == "editMessageText" and c.params.get("chat_id") == MODERATION_CHAT_ID
        ]
        assert edits == [first["message_id"]]
        again = await tap(
            telegram, MODERATION_CHAT_ID, desk["message_id"], reason_buttons(offered)["insulting"]
        )
        assert again["text"] == "A reason was given already: duplicate."
