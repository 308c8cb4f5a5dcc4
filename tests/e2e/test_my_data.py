"""/mydata and /privacy end to end: a reader's whole history comes back as my-data.json,
downloaded from Telegram and checked against what they did; /privacy in their language."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import BotCommandScopeAllPrivateChats

from bot.delivery import my_data as my_data_delivery
from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from sandbox.bot_api.client import shared_ssl_context
from tests.e2e.harness import READER_IDS, RunningBot, populate, running_bot
from tests.e2e.steps import comment, post_article, press
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID, make_settings

Message = dict[str, Any]
READER = READER_IDS[0]
OTHER_READER = READER_IDS[1]
APPROVED = "The budget vote was close, and teh council knew it"
CORRECTED = "The budget vote was close, and the council knew it"
REJECTED = "Buy cheap watches at my shop"
CONTACT_TEXT = "Your article misspells my street"
EDITORS_ANSWER = "Thanks, we fixed the street name"
OTHERS_WORDS = "Reader one's own words"


@pytest.fixture
async def busy_reader_bot(telegram: FakeTelegram, database_path: Path) -> AsyncIterator[RunningBot]:
    """The bot, with room for one reader doing a lot in a few seconds (the flood gate)."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, flood_gate_burst=100
    )
    async with running_bot(settings) as running:
        yield running


def buttons(message: Message | None) -> dict[str, str]:
    return {
        button["text"]: button["callback_data"]
        for row in (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    }


async def tap(
    telegram: FakeTelegram, user_id: int, chat_id: int, message_id: int, data: str
) -> Message:
    query = telegram.user_presses_button(user_id, chat_id, message_id, data)
    answer: Message = await telegram.wait_for(lambda: telegram.callback_answers.get(query))
    return answer


async def card_now(telegram: FakeTelegram, card: Message, *parts: str) -> Message:
    def shown() -> Message | None:
        current = telegram.message(MODERATION_CHAT_ID, card["message_id"])
        return current if current and all(p in current["text"] for p in parts) else None

    found: Message = await telegram.wait_for(shown)
    return found


async def a_readers_history(telegram: FakeTelegram) -> None:
    """One comment corrected and approved, one rejected with a reason, a contact message
    the editors answered, Spanish chosen, notifications off, a week's ban; and another
    reader's comment."""
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, APPROVED)
    await tap(
        telegram, MODERATOR_ID, MODERATION_CHAT_ID, card["message_id"], buttons(card)["✏️ Edit"]
    )
    telegram.user_sends_text(
        MODERATOR_ID, CORRECTED, chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    edited = await card_now(telegram, card, "Edited by", CORRECTED)
    await press(telegram, MODERATOR_ID, edited, Decision.APPROVE)
    await telegram.wait_for_bot_message(READER, contains="edited by the moderators")

    card = await comment(telegram, READER, post, REJECTED)
    await press(telegram, MODERATOR_ID, card, Decision.REJECT)
    offering = await telegram.wait_for(
        lambda: (
            (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
            and "off-topic" in buttons(m)
            and m
        )
    )
    await tap(
        telegram,
        MODERATOR_ID,
        MODERATION_CHAT_ID,
        card["message_id"],
        buttons(offering)["off-topic"],
    )
    await telegram.wait_for_bot_message(READER, contains="off-topic")

    telegram.user_sends_text(READER, "/contact")
    await telegram.wait_for_bot_message(READER, contains="What is your name?")
    telegram.user_sends_text(READER, "Ann Reader")
    await telegram.wait_for_bot_message(READER, contains="What is your email address?")
    telegram.user_sends_text(READER, "ann@example.com")
    await telegram.wait_for_bot_message(READER, contains="Now your message")
    telegram.user_sends_text(READER, CONTACT_TEXT)
    contact_card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=CONTACT_TEXT)
    telegram.user_sends_text(
        MODERATOR_ID,
        EDITORS_ANSWER,
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=contact_card["message_id"],
    )
    await telegram.wait_for_bot_message(READER, contains=EDITORS_ANSWER)

    telegram.user_sends_text(READER, "/language")
    choice = await telegram.wait_for_bot_message(READER, contains="Which language")
    await tap(telegram, READER, READER, choice["message_id"], buttons(choice)["Español"])
    await telegram.wait_for_bot_message(READER, contains="te escribo en español")
    telegram.user_sends_text(READER, "/notifications off")
    await telegram.wait_for_bot_message(READER, contains="no te avisaré")

    telegram.user_sends_text(
        MODERATOR_ID, "/ban @reader0 7d spam links", chat_id=MODERATION_CHAT_ID
    )
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="is banned until")

    await comment(telegram, OTHER_READER, post, OTHERS_WORDS)


async def downloaded(telegram: FakeTelegram, document: Message) -> bytes:
    """The file as a client gets it: getFile, then its path under /file/bot<token>/."""
    async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
        answer = await client.post(
            f"{telegram.base_url}{telegram.token}/getFile",
            data={"file_id": document["document"]["file_id"]},
        )
        path = answer.json()["result"]["file_path"]
        files = telegram.base_url.removesuffix("/bot") + f"/file/bot{telegram.token}/{path}"
        return (await client.get(files)).content


def documents_sent(telegram: FakeTelegram) -> list[Message]:
    return [m for m in telegram.bot_messages_in(READER) if "document" in m]


async def test_mydata_sends_the_readers_whole_history_as_one_json_file(
    telegram: FakeTelegram, busy_reader_bot: RunningBot
) -> None:
    await a_readers_history(telegram)

    telegram.user_sends_text(READER, "/mydata")
    await telegram.wait_for_bot_message(READER, contains="Estoy reuniendo")
    sent = await telegram.wait_for_bot_message(READER, contains="Todo lo que guardo sobre ti")
    assert sent["document"]["file_name"] == "my-data.json"
    raw = await downloaded(telegram, sent)
    copy = json.loads(raw)

    assert "Todo lo que este bot guarda sobre ti" in copy["about"]["what_this_is"]
    assert set(copy["about"]["parts"]) <= set(copy)
    profile = copy["profile"]
    assert (profile["user_id"], profile["username"], profile["language"]) == (
        READER,
        "reader0",
        "es",
    )
    approved, rejected = copy["comments"]
    assert (approved["text"], approved["corrected_text"]) == (APPROVED, CORRECTED)
    assert (approved["status"], approved["decided_by"], approved["corrected_by"]) == (
        "approved",
        "a moderator",
        "a moderator",
    )
    assert approved["article_title"] == "City budget passes"
    assert approved["created_at"].endswith("Z") and approved["created_at"][10] == "T"
    assert (rejected["text"], rejected["status"]) == (REJECTED, "rejected")
    assert rejected["decision_reason"] == "fuera de tema"
    [message] = copy["contact_messages"]
    assert (message["contact_name"], message["contact_email"], message["text"]) == (
        "Ann Reader",
        "ann@example.com",
        CONTACT_TEXT,
    )
    assert [(a["from"], a["text"]) for a in message["conversation"]] == [
        ("the editors", EDITORS_ANSWER)
    ]
    assert copy["notifications"]["replies_notified"] is False
    [ban] = copy["bans"]
    assert ban["reason"] == "spam links" and ban["lifted_at"] is None
    assert ban["until"] > ban["banned_at"]
    record = [(line["action"], line["by"]) for line in copy["moderation_record"]]
    for action in ("edit", "approve", "reject", "reason", "reply", "ban"):
        assert (action, "a moderator") in record, (action, record)
    assert [line["requested_at"] for line in copy["copies_requested"]] != []
    sent_to_them = copy["messages_to_you"]
    assert {"acknowledge", "notify_author", "send_my_data"} <= {
        row["action"] for row in sent_to_them
    }
    assert all(isinstance(row["payload"], dict) for row in sent_to_them)
    text = raw.decode("utf-8")
    for absent in ("Mo Derator", str(MODERATOR_ID), OTHERS_WORDS, "reader1"):
        assert absent not in text, absent
    # Indented for a person to read.
    assert text.startswith('{\n  "about": {\n')

    # Asked again within the interval: told, and no second file.
    telegram.user_sends_text(READER, "/mydata")
    await telegram.wait_for_bot_message(READER, contains="Pediste una copia de tus datos")
    telegram.user_sends_text(READER, "/mydata @reader1")
    await telegram.wait_for_bot_message(READER, contains="y de nadie más")
    assert len(documents_sent(telegram)) == 1


async def test_privacy_in_both_languages_and_start_points_to_it(
    telegram: FakeTelegram, bot: RunningBot, e2e_settings: Settings
) -> None:
    telegram.add_user(3001, "Lupita", language_code="es-MX")
    telegram.user_sends_text(3001, "/privacy")
    spanish = await telegram.wait_for_bot_message(3001, contains="Qué guardo sobre ti")
    assert "se borran 365 días después" in spanish["text"]
    assert "90 días después de la decisión" in spanish["text"]
    assert "/mydata" in spanish["text"] and "/forget" in spanish["text"]
    telegram.user_sends_text(READER, "/privacy")
    english = await telegram.wait_for_bot_message(READER, contains="What I keep about you")
    assert "erased 365 days later" in english["text"]
    assert "erased 90 days after the decision" in english["text"]
    telegram.user_sends_text(READER, "/start")
    welcome = await telegram.wait_for_bot_message(READER, contains="Welcome")
    assert "/privacy: what I keep about you; /mydata: your copy." in welcome["text"]
    application_bot = bot.bot_app.application.bot
    for language in ("es", None):
        menu = await application_bot.get_my_commands(
            scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
        assert {"privacy", "mydata"} <= {c.command for c in menu}


async def test_mydata_in_a_group_points_to_the_private_chat_and_sends_nothing_there(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    telegram.user_sends_text(MODERATOR_ID, "/mydata", chat_id=MODERATION_CHAT_ID)
    answer = await telegram.wait_for_bot_message(
        MODERATION_CHAT_ID, contains="only in our private chat"
    )
    assert "https://t.me/" in answer["text"]
    assert not any("document" in m for m in telegram.bot_messages_in(MODERATION_CHAT_ID))
    assert not any("document" in m for m in telegram.bot_messages_in(MODERATOR_ID))


async def test_a_copy_too_large_even_compressed_is_explained_instead(
    telegram: FakeTelegram, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over Telegram's limit even gzipped (here a limit of 100 bytes stands for 50 MB): the
    reader is told to ask the editors, and nothing Telegram would refuse is sent."""
    monkeypatch.setattr(my_data_delivery, "MAX_DOCUMENT_BYTES", 100)
    telegram.user_sends_text(READER, "/mydata")
    await telegram.wait_for_bot_message(READER, contains="larger than Telegram lets me send")
    assert documents_sent(telegram) == []
