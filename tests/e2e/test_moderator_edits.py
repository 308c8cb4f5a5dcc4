"""✏️ Edit before approving: a moderator corrects a pending comment by replying to its
card; approving publishes the correction marked as edited, the author hears what changed,
and the reader's own words stay on record."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, running_bot
from tests.e2e.steps import (
    card_showing,
    comment,
    post_article,
    press,
    reply_to_card,
    start_payload,
    tap_edit,
)
from tests.factories import DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, MODERATOR_ID

Message = dict[str, Any]
SPANISH_READER = 3001
ORIGINAL = "Llámame al 555-0199. El alcalde es un idiota y el presupuesto llega tarde."
CORRECTED = "El alcalde llega tarde con el presupuesto."


def entity_texts(message: Message, kind: str) -> list[str]:
    """The words a message marks with an entity (offsets count UTF-16 units)."""
    units = message["text"].encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.get("entities", [])
        if e["type"] == kind
    ]


async def test_an_edited_comment_is_published_marked_and_its_spanish_author_sees_the_change(
    telegram: FakeTelegram, discussion_settings: Settings
) -> None:
    telegram.add_user(SPANISH_READER, "Lupita", language_code="es-MX")
    async with running_bot(discussion_settings):
        _, post = await post_article(telegram)
        telegram.user_sends_text(SPANISH_READER, f"/start {start_payload(post)}")
        await telegram.wait_for_bot_message(SPANISH_READER, contains="Envía tu comentario")
        telegram.user_sends_text(SPANISH_READER, ORIGINAL)
        card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="555-0199")

        answer = await tap_edit(telegram, card)
        assert "Reply to this card with the corrected text" in answer["text"]
        reply_to_card(telegram, card, CORRECTED)
        edited = await card_showing(telegram, card, "Edited by Mo Derator", CORRECTED)
        # The card shows the reader's words and the correction, and can still be decided.
        assert ORIGINAL in edited["text"]
        assert await press(telegram, MODERATOR_ID, edited, Decision.APPROVE)

        in_thread = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains=CORRECTED)
        assert "(edited by the moderators)" in in_thread["text"]
        assert "555-0199" not in in_thread["text"]
        told = await telegram.wait_for_bot_message(SPANISH_READER, contains="Se publicó")
    assert "editado por los moderadores" in told["text"]
    # Word by word: what went struck out, what came underlined.
    assert entity_texts(told, "strikethrough")[:2] == ["Llámame al 555-0199.", "es un idiota y"]
    assert entity_texts(told, "underline")[0] == "llega tarde con"

    async with aiosqlite.connect(discussion_settings.database_path) as conn:
        async with conn.execute("SELECT text, corrected_text FROM submissions") as cursor:
            assert [tuple(row) for row in await cursor.fetchall()] == [(ORIGINAL, CORRECTED)]
        async with conn.execute(
            "SELECT action, moderator_id, detail FROM moderation_log ORDER BY id"
        ) as cursor:
            record = list(await cursor.fetchall())
    assert [(action, moderator) for action, moderator, _ in record] == [
        ("edit", MODERATOR_ID),
        ("approve", MODERATOR_ID),
    ]
    # The record keeps who edited, never the words.
    assert all("presupuesto" not in json.dumps(line) for line in record)


async def test_bad_corrections_are_answered_and_a_tap_survives_a_restart(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    reader = READER_IDS[0]
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram)
        card = await comment(telegram, reader, post, "A comment with a typo in it")
        # A reply before any ✏️ Edit is the moderators' own talk: nothing changes.
        reply_to_card(telegram, card, "Is this one fine?")
        await tap_edit(telegram, card)
    async with running_bot(e2e_settings):
        telegram.user_sends_sticker(
            MODERATOR_ID, chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
        )
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="A correction is text")
        reply_to_card(telegram, card, "x" * (e2e_settings.comment_max_length + 1))
        too_long = await telegram.wait_for_bot_message(
            MODERATION_CHAT_ID, contains="characters long"
        )
        assert f"comments may have {e2e_settings.comment_max_length}" in too_long["text"]
        # The tap still holds after the refusals: the next reply is the correction.
        reply_to_card(telegram, card, "A comment without a typo in it")
        edited = await card_showing(telegram, card, "A comment without a typo in it")
        assert "Is this one fine?" not in edited["text"]
        assert "A comment with a typo in it" in edited["text"]
        await press(telegram, MODERATOR_ID, edited, Decision.APPROVE)
        await telegram.wait_for_bot_message(reader, contains="edited by the moderators")
        # Without a discussion group, the article's comments show the correction, marked.
        telegram.user_sends_text(READER_IDS[1], f"/start {start_payload(post)}")
        view = await telegram.wait_for_bot_message(READER_IDS[1], contains="Send your comment")
    assert "A comment without a typo in it (edited by the moderators)" in view["text"]
    assert "with a typo" not in view["text"]


async def test_a_reply_to_ones_private_desk_showing_a_comment_points_to_the_card(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """Corrections are made on the card in the group; the desk says where."""
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "Desk comment with a typo")
        telegram.user_sends_text(MODERATOR_ID, "/desk")
        desk = await telegram.wait_for_bot_message(MODERATOR_ID, contains="Desk comment")
        telegram.user_sends_text(
            MODERATOR_ID, "Desk comment without a typo", reply_to_message_id=desk["message_id"]
        )
        await telegram.wait_for_bot_message(MODERATOR_ID, contains="tap ✏️ Edit on its card")
