"""/history and /note in the moderation group and a moderator's private chat: an author's
record after an edit, an approval, a ban and an unban; a note on the author's next card; a clear
answer to every bad input."""

from __future__ import annotations

import re

from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, RunningBot
from tests.e2e.steps import (
    card_showing,
    card_without_buttons,
    comment,
    post_article,
    press,
    reply_to_card,
    tap_edit,
)
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID

READER = READER_IDS[0]


def moderator_says(telegram: FakeTelegram, text: str) -> None:
    telegram.user_sends_text(MODERATOR_ID, text, chat_id=MODERATION_CHAT_ID)


def record_lines(text: str) -> list[str]:
    """What each line of /history says, without its time."""
    return [re.sub(r"^• [^·]+· ", "", line) for line in text.splitlines() if line.startswith("•")]


async def test_history_shows_an_edit_an_approval_a_ban_and_an_unban_newest_first(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """The record read back after ✏️ Edit, an approval, 🚫 Ban author and /unban: one line
    each, newest first, with who did it (never the reader's words)."""
    _, post = await post_article(telegram)
    first = await comment(telegram, READER, post, "Good piece, call 555-0199")
    await tap_edit(telegram, first)
    reply_to_card(telegram, first, "Good piece")
    edited = await card_showing(telegram, first, "Edited by Mo Derator")
    await press(telegram, MODERATOR_ID, edited, Decision.APPROVE)
    await card_without_buttons(telegram, first)
    second = await comment(telegram, READER, post, "You are all idiots")
    await press(telegram, MODERATOR_ID, second, Decision.BAN)
    await card_without_buttons(telegram, second)
    moderator_says(telegram, f"/unban {READER}")
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="no longer banned")

    moderator_says(telegram, "/history @Reader0")
    answer = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Record of")
    assert f"Reader0 @reader0 (id {READER})" in answer["text"]
    assert "📊 Approved: 1 · rejected: 1 · spam: 0" in answer["text"]
    assert record_lines(answer["text"]) == [
        "🔓 unbanned · by Mo Derator",
        f"🚫 banned #{item_id(second)} · by Mo Derator",
        f"✅ approved #{item_id(first)} · by Mo Derator",
        f"✏️ edited #{item_id(first)} · by Mo Derator",
    ]
    assert "not shown" not in answer["text"]
    assert "555-0199" not in answer["text"]


def item_id(card: dict[str, object]) -> int:
    match = re.search(r"Comment #(\d+)", str(card["text"]))
    assert match is not None
    return int(match[1])


async def test_a_note_shows_on_the_authors_next_card_and_in_history(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    _, post = await post_article(telegram)
    first = await comment(telegram, READER, post, "First words")
    assert "📝" not in first["text"]
    moderator_says(telegram, f"/note {READER} Writes for the rival paper.\nCheck <facts>.")
    confirmation = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Note added")
    assert f"(id {READER})" in confirmation["text"]

    second = await comment(telegram, READER, post, "More words")
    assert "📝 Writes for the rival paper. Check <facts>. (Mo Derator)" in second["text"]
    moderator_says(telegram, f"/history {READER}")
    answer = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Record of")
    assert record_lines(answer["text"]) == [
        "📝 note · by Mo Derator · «Writes for the rival paper. Check <facts>.»"
    ]


async def test_bad_users_and_notes_are_answered_clearly(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    _, post = await post_article(telegram)
    await comment(telegram, READER, post, "Known here")
    answers = {
        "/history": "Usage: /history USER",
        "/history reader0": "Usage: /history USER",
        "/history 12 34": "Usage: /history USER",
        "/history @nobody_at_all": "I know no reader @nobody_at_all",
        "/history 987654": "I know no reader 987654",
        "/note": "Usage: /note USER TEXT",
        f"/note {READER}": "Usage: /note USER TEXT",
        "/note reader0 Careful": "Usage: /note USER TEXT",
        "/note @nobody_at_all Careful": "I know no reader @nobody_at_all",
        f"/note {READER} {'x' * 501}": "A note is at most 500 characters; this one has 501.",
    }
    for command, answer in answers.items():
        moderator_says(telegram, command)
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains=answer)
    moderator_says(telegram, f"/history {READER}")
    record = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Record of")
    assert "Nothing in the record yet." in record["text"]


async def test_history_in_a_private_chat_is_for_moderators_only(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    _, post = await post_article(telegram)
    card = await comment(telegram, READER, post, "Fine words")
    await press(telegram, MODERATOR_ID, card, Decision.REJECT)
    await card_without_buttons(telegram, card)
    telegram.user_sends_text(MODERATOR_ID, f"/history {READER}")
    answer = await telegram.wait_for_bot_message(MODERATOR_ID, contains="Record of")
    assert record_lines(answer["text"])[0].startswith("❌ rejected #")
    telegram.user_sends_text(OUTSIDER_ID, f"/history {READER}")
    telegram.user_sends_text(OUTSIDER_ID, f"/note {READER} hello")
    for _ in range(2):
        refusal = await telegram.wait_for_bot_message(OUTSIDER_ID)
        assert refusal["text"] == "Only moderators can decide on submissions."
    assert "Record of" not in str(telegram.bot_messages_in(OUTSIDER_ID))
