"""The contact form and the editor-reader conversation, end to end against the fake Bot API."""

from __future__ import annotations

from typing import Any

from bot import callback_data
from bot.services.contact import MESSAGE_MAX_LENGTH
from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import OUTSIDER_ID, READER_IDS, RunningBot, running_bot
from tests.e2e.steps import card_without_buttons, comment, fill_form, post_article, press
from tests.factories import ADMIN_ID, CHANNEL_ID, MODERATION_CHAT_ID, MODERATOR_ID

READER = READER_IDS[0]
HOSTILE_NAME = "<b>Bob</b> & <script>alert(1)</script>"
HOSTILE_EMAIL = "o'hara&co@example.com"
HOSTILE_MESSAGE = "Please take down <i>the article</i> & fix </b> it"

Message = dict[str, Any]


async def test_the_form_with_a_bad_email_then_a_card_with_every_field(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Name, an invalid email explained and asked again, a valid one, the message: one card."""
    telegram.user_sends_text(READER, "/contact")
    await telegram.wait_for_bot_message(READER, contains="What is your name?")
    telegram.user_sends_text(READER, HOSTILE_NAME)
    await telegram.wait_for_bot_message(READER, contains="What is your email address?")
    telegram.user_sends_text(READER, "not-an-email")
    refusal = await telegram.wait_for_bot_message(READER, contains="doesn't look right")
    assert "@" in refusal["text"]
    telegram.user_sends_text(READER, "<script>@bad@example.com")
    await telegram.wait_for_bot_message(READER, contains="doesn't look right")
    assert telegram.bot_messages_in(MODERATION_CHAT_ID) == []
    telegram.user_sends_text(READER, "reader@example.com")
    await telegram.wait_for_bot_message(READER, contains="Now your message")
    telegram.user_sends_text(READER, HOSTILE_MESSAGE)
    await telegram.wait_for_bot_message(READER, contains="reached the editors")
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Contact message #1")
    assert f"Name: {HOSTILE_NAME}" in card["text"]
    assert "Email: reader@example.com" in card["text"]
    assert "Telegram: Reader0 @reader0 (id 2001)" in card["text"]
    assert HOSTILE_MESSAGE in card["text"]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ Approve", "❌ Reject", "🚫 Ban author", "🧹 Spam"]


async def test_html_in_every_field_and_the_email_is_never_published(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """HTML-like name, email and message arrive verbatim; approval publishes nothing."""
    card = await fill_form(telegram, READER, HOSTILE_NAME, HOSTILE_EMAIL, HOSTILE_MESSAGE)
    assert HOSTILE_EMAIL in card["text"]
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    decided = await card_without_buttons(telegram, card)
    assert "Approved by Mo Derator" in decided["text"]
    assert telegram.bot_messages_in(CHANNEL_ID) == []
    # The author hears from the editors by their answer, not by a verdict.
    assert [m["text"] for m in telegram.bot_messages_in(READER)][-1].startswith("✅ Your message")


async def test_a_conversation_goes_back_and_forth_under_the_card(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Moderator replies to the card; reader replies back; again; all threaded on the card."""
    card = await fill_form(telegram, READER, "Bob", "bob@example.com", "Is this true?")
    telegram.user_sends_text(
        MODERATOR_ID,
        "Yes <it> is & we checked.",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=card["message_id"],
    )
    answer = await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
    assert "Yes <it> is & we checked." in answer["text"]
    assert "Mo" not in answer["text"]
    answered = await telegram.wait_for(
        lambda: (
            (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
            and "Answered by Mo Derator" in m["text"]
            and m
        )
    )
    assert answered["reply_markup"], "answering does not decide the card"

    telegram.user_sends_text(
        READER, "Thanks! One more <question>", reply_to_message_id=answer["message_id"]
    )
    await telegram.wait_for_bot_message(READER, contains="passed to the editors")
    forwarded = await telegram.wait_for_bot_message(
        MODERATION_CHAT_ID, contains="One more <question>"
    )
    assert forwarded["reply_to_message"]["message_id"] == card["message_id"]
    assert "Bob" in forwarded["text"]

    # The moderator can answer the reader's answer itself, and the thread keeps going.
    telegram.user_sends_text(
        MODERATOR_ID,
        "Second answer",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=forwarded["message_id"],
    )
    second = await telegram.wait_for_bot_message(READER, contains="Second answer")
    telegram.user_sends_text(READER, "Third from me", reply_to_message_id=second["message_id"])
    third = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Third from me")
    assert third["reply_to_message"]["message_id"] == card["message_id"]


async def test_answers_to_banned_or_blocked_readers_are_reported(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """A reply to a banned reader's card is refused with the reason; a blocked reader's too."""
    banned_card = await fill_form(telegram, READER, "Spam", "spam@example.com", "Buy now")
    await press(telegram, MODERATOR_ID, banned_card, Decision.BAN)
    await card_without_buttons(telegram, banned_card)
    telegram.user_sends_text(
        MODERATOR_ID,
        "Go away",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=banned_card["message_id"],
    )
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="this reader is banned")
    assert not [m for m in telegram.bot_messages_in(READER) if "Go away" in m["text"]]

    other = READER_IDS[1]
    card = await fill_form(telegram, other, "Kim", "kim@example.com", "Hello")
    telegram.user_blocks_bot(other)
    telegram.user_sends_text(
        MODERATOR_ID, "Hi Kim", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    notice = await telegram.wait_for_bot_message(
        MODERATION_CHAT_ID, contains="could not be delivered"
    )
    assert "blocked the bot" in notice["text"]


async def test_cancel_at_every_step_queues_nothing(telegram: FakeTelegram, bot: RunningBot) -> None:
    """/cancel at the name, email and message steps ends the form and says so."""
    answers = [("Bob", "What is your email"), ("bob@example.com", "Now your message")]
    for step in range(3):
        telegram.user_sends_text(READER, "/contact")
        await telegram.wait_for_bot_message(READER, contains="What is your name?")
        for answer, next_question in answers[:step]:
            telegram.user_sends_text(READER, answer)
            await telegram.wait_for_bot_message(READER, contains=next_question)
        telegram.user_sends_text(READER, "/cancel")
        await telegram.wait_for_bot_message(READER, contains="Your message was not sent")
    telegram.user_sends_text(READER, "stray text")
    await telegram.wait_for_bot_message(READER, contains="/contact")
    assert telegram.bot_messages_in(MODERATION_CHAT_ID) == []


async def test_wrong_input_at_each_step_is_asked_again(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """A sticker or an over-long answer at any step is refused and asked again."""
    telegram.user_sends_text(READER, "/contact")
    await telegram.wait_for_bot_message(READER, contains="What is your name?")
    telegram.user_sends_sticker(READER)
    await telegram.wait_for_bot_message(READER, contains="answer with a text message")
    telegram.user_sends_text(READER, "N" * 101)
    await telegram.wait_for_bot_message(READER, contains="under 100 characters")
    telegram.user_sends_text(READER, "Nat")
    await telegram.wait_for_bot_message(READER, contains="email")
    telegram.user_sends_photo(READER)
    await telegram.wait_for_bot_message(READER, contains="answer with a text message")
    telegram.user_sends_text(READER, "nat@example.com")
    await telegram.wait_for_bot_message(READER, contains="Now your message")
    telegram.user_sends_text(READER, "x" * (MESSAGE_MAX_LENGTH + 1))
    refusal = await telegram.wait_for_bot_message(READER, contains="the limit is")
    assert str(MESSAGE_MAX_LENGTH) in refusal["text"]
    assert telegram.bot_messages_in(MODERATION_CHAT_ID) == []
    # A message at exactly the limit goes through, whole, even though a card cannot hold it.
    full = "é" * (MESSAGE_MAX_LENGTH - 1) + "!"
    telegram.user_sends_text(READER, full)
    await telegram.wait_for_bot_message(READER, contains="reached the editors")
    card = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Contact message #")
    rest = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="in full (1/1)")
    assert rest["reply_to_message"]["message_id"] == card["message_id"]
    assert rest["text"].endswith(full)


async def test_the_form_survives_a_restart(telegram: FakeTelegram, e2e_settings: Settings) -> None:
    """A reader half-way through the form when the bot restarts carries on where they were."""
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "/start contact")
        question = await telegram.wait_for_bot_message(READER, contains="What is your name?")
        button = question["reply_markup"]["inline_keyboard"][0][0]
        assert button["text"] == "👤 Reader0"
        assert button["callback_data"] == callback_data.CONTACT_USE_TELEGRAM_NAME
        telegram.user_presses_button(
            READER, READER, question["message_id"], button["callback_data"]
        )
        await telegram.wait_for_bot_message(READER, contains="Thanks, Reader0")
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "reader@example.com")
        await telegram.wait_for_bot_message(READER, contains="Now your message")
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "After two restarts")
        await telegram.wait_for_bot_message(READER, contains="reached the editors")
        card = await telegram.wait_for_bot_message(
            MODERATION_CHAT_ID, contains="After two restarts"
        )
        assert "Name: Reader0" in card["text"]


async def test_inbox_lists_approved_messages_until_answered(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """/inbox shows approved, unanswered contact messages; an answer takes one off."""
    first = await fill_form(telegram, READER, "Ann", "ann@example.com", "First question")
    second = await fill_form(telegram, READER_IDS[1], "Ben", "ben@example.com", "Second question")
    await fill_form(telegram, READER_IDS[2], "Cy", "cy@example.com", "Still pending")
    await press(telegram, MODERATOR_ID, first, Decision.APPROVE)
    await press(telegram, MODERATOR_ID, second, Decision.APPROVE)
    telegram.user_sends_text(MODERATOR_ID, "/inbox", chat_id=MODERATION_CHAT_ID)
    inbox = await telegram.wait_for_bot_message(
        MODERATION_CHAT_ID, contains="waiting for an answer"
    )
    assert "Ann: First question" in inbox["text"]
    assert "Ben: Second question" in inbox["text"]
    assert "Still pending" not in inbox["text"]
    telegram.user_sends_text(
        MODERATOR_ID, "Answer", chat_id=MODERATION_CHAT_ID, reply_to_message_id=first["message_id"]
    )
    await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
    await telegram.wait_for(
        lambda: (
            "Answered by"
            in (telegram.message(MODERATION_CHAT_ID, first["message_id"]) or {}).get("text", "")
        )
    )
    telegram.user_sends_text(MODERATOR_ID, "/inbox", chat_id=MODERATION_CHAT_ID)
    inbox = await telegram.wait_for_bot_message(
        MODERATION_CHAT_ID, contains="waiting for an answer"
    )
    assert "Ann" not in inbox["text"]
    assert "Ben: Second question" in inbox["text"]


async def test_replies_to_comment_cards_and_chatter_go_nowhere(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Moderators discussing a comment card, or replying to each other, reach no reader."""
    _, post = await post_article(telegram)
    comment_card = await comment(telegram, READER, post, "A comment")
    telegram.user_sends_text(
        MODERATOR_ID,
        "Looks fine to me",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=comment_card["message_id"],
    )
    chatter = telegram.user_sends_text(MODERATOR_ID, "Lunch?", chat_id=MODERATION_CHAT_ID)
    telegram.user_sends_text(
        ADMIN_ID, "Sure", chat_id=MODERATION_CHAT_ID, reply_to_message_id=chatter["message_id"]
    )
    # A contact card answered afterwards proves the bot had handled the chatter before it.
    card = await fill_form(telegram, READER_IDS[1], "Ann", "ann@example.com", "Question")
    telegram.user_sends_text(
        MODERATOR_ID, "Answer", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    await telegram.wait_for_bot_message(READER_IDS[1], contains="Reply from the editors")
    texts = [m["text"] for m in telegram.bot_messages_in(READER)]
    assert not [t for t in texts if "Looks fine" in t or "Sure" in t or "editors:" in t]


async def test_conversation_edges_banned_long_outsiders_and_deleted_cards(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """Over-long answers, non-moderators, deleted cards and a ban mid-conversation."""
    card = await fill_form(telegram, READER, "Bob <b>&", "bob@example.com", "Question")
    telegram.user_sends_text(
        MODERATOR_ID,
        "a" * 3801,
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=card["message_id"],
    )
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="limited to 3800")
    # A restricted member is not a moderator: their reply reaches nobody.
    telegram.set_member_status(MODERATION_CHAT_ID, OUTSIDER_ID, "restricted")
    telegram.user_sends_text(
        OUTSIDER_ID, "Psst", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    telegram.user_sends_text(
        MODERATOR_ID,
        "Official answer",
        chat_id=MODERATION_CHAT_ID,
        reply_to_message_id=card["message_id"],
    )
    answer = await telegram.wait_for_bot_message(READER, contains="Official answer")
    assert not [m for m in telegram.bot_messages_in(READER) if "Psst" in m["text"]]
    # The card is deleted: the reader's answer still arrives, just not as a reply.
    telegram.user_deletes_message(MODERATION_CHAT_ID, card["message_id"])
    telegram.expect_bad_request("message to edit not found")
    telegram.user_sends_text(READER, "Follow-up", reply_to_message_id=answer["message_id"])
    follow_up = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Follow-up")
    assert "Bob <b>& answered" in follow_up["text"]
    assert "reply_to_message" not in follow_up
    # Banned now: the reader's next answer is refused and reaches no moderator.
    telegram.user_sends_text(MODERATOR_ID, f"/unban {READER}", chat_id=MODERATION_CHAT_ID)
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="was not banned")
    second = await fill_form(telegram, READER_IDS[1], "Spam", "s@example.com", "Spam")
    await press(telegram, MODERATOR_ID, second, Decision.APPROVE)
    await card_without_buttons(telegram, second)


async def test_a_reader_banned_after_an_answer_cannot_answer_back(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """After a ban, the reader's reply to an earlier answer is refused and goes nowhere."""
    card = await fill_form(telegram, READER, "Bob", "bob@example.com", "First")
    telegram.user_sends_text(
        MODERATOR_ID, "Answer", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    answer = await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
    await press(telegram, MODERATOR_ID, card, Decision.BAN)
    await card_without_buttons(telegram, card)
    telegram.user_sends_text(READER, "Let me explain", reply_to_message_id=answer["message_id"])
    await telegram.wait_for_bot_message(READER, contains="can no longer send")
    assert not [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "explain" in m["text"]]


async def test_the_undelivered_notice_replies_to_the_moderator_and_leaves_the_card(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """A blocked reader: the notice threads under the moderator's answer; no "Answered by"."""
    card = await fill_form(telegram, READER, "Kim", "kim@example.com", "Hello")
    telegram.user_blocks_bot(READER)
    mine = telegram.user_sends_text(
        MODERATOR_ID, "Hi Kim", chat_id=MODERATION_CHAT_ID, reply_to_message_id=card["message_id"]
    )
    notice = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="could not be")
    assert notice["reply_to_message"]["message_id"] == mine["message_id"]
    await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
    decided = await card_without_buttons(telegram, card)
    assert "Answered by" not in decided["text"]


async def test_anonymous_admins_of_the_moderation_group_answer_and_command(
    telegram: FakeTelegram, bot: RunningBot
) -> None:
    """An admin who remains anonymous writes as GroupAnonymousBot, signed by the group:
    their reply to a card reaches the reader and their /queue is answered."""
    card = await fill_form(telegram, READER, "Bob", "bob@example.com", "Who runs this?")
    telegram.anonymous_admin_sends_text(
        MODERATION_CHAT_ID, "The newsroom does.", reply_to_message_id=card["message_id"]
    )
    answer = await telegram.wait_for_bot_message(READER, contains="Reply from the editors")
    assert "The newsroom does." in answer["text"]
    await telegram.wait_for(
        lambda: (
            (m := telegram.message(MODERATION_CHAT_ID, card["message_id"]))
            and "Answered by Anonymous admin" in m["text"]
        )
    )
    telegram.anonymous_admin_sends_text(MODERATION_CHAT_ID, "/queue")
    await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="waiting for moderation")
    assert not [
        m
        for m in telegram.bot_messages_in(MODERATION_CHAT_ID)
        if "Only moderators" in m.get("text", "")
    ]
