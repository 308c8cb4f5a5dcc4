from __future__ import annotations

from bot.services import contact, contact_conversation, moderation
from bot.services.contact import Step
from bot.services.contact_conversation import ReplyResult
from bot.services.effects import Effect
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage.db import Database
from storage.models import Person
from tests.bot.services.test_comments import rows
from tests.factories import MODERATION_CHAT_ID, MODERATOR, READER

CARD_MESSAGE_ID = 50


async def submitted_contact(db: Database, settings: Settings) -> int:
    """A reader completes the form; returns the submission id, with its card recorded."""
    await contact.start_form(db, settings, READER, 1.0)
    await contact.answer(db, settings, READER, "Ada", 2.0)
    await contact.answer(db, settings, READER, "ada@example.com", 3.0)
    outcome = await contact.answer(db, settings, READER, "Hello editors", 4.0)
    assert outcome.step is Step.SUBMITTED
    assert outcome.submission_id is not None
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO moderation_cards (chat_id, message_id, submission_id) VALUES (?, ?, ?)",
            (MODERATION_CHAT_ID, CARD_MESSAGE_ID, outcome.submission_id),
        )
    return outcome.submission_id


async def answered_contact(db: Database, settings: Settings) -> int:
    """A contact message whose editors' answer reached the reader as message 7."""
    submission_id = await submitted_contact(db, settings)
    await contact_conversation.reply_to_reader(
        db, MODERATOR, MODERATION_CHAT_ID, CARD_MESSAGE_ID, 60, "Thanks", 6.0
    )
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE contact_replies SET status = 'delivered', delivered_chat_id = ?,"
            " delivered_message_id = 7",
            (READER.user_id,),
        )
    return submission_id


async def test_the_form_stores_nothing_until_every_field_is_valid(
    db: Database, settings: Settings
) -> None:
    """Each step advances only on a valid answer; the submission and card come at the end."""
    assert (await contact.start_form(db, settings, READER, 1.0)).step is Step.ASK_NAME
    assert (await contact.answer(db, settings, READER, "  ", 2.0)).step is Step.EMPTY
    assert (await contact.answer(db, settings, READER, "Ada", 2.0)).step is Step.ASK_EMAIL
    invalid = await contact.answer(db, settings, READER, "ada@", 3.0)
    assert invalid.step is Step.EMAIL_INVALID
    assert invalid.detail
    assert (await contact.answer(db, settings, READER, "Ada@Example.COM", 3.0)).step is (
        Step.ASK_MESSAGE
    )
    too_long = await contact.answer(db, settings, READER, "x" * 4001, 4.0)
    assert too_long.step is Step.MESSAGE_TOO_LONG
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(0,)]
    done = await contact.answer(db, settings, READER, "x" * 4000, 5.0)
    assert done.step is Step.SUBMITTED
    assert await rows(
        db, "SELECT kind, contact_name, contact_email, length(text) FROM submissions"
    ) == [("contact", "Ada", "Ada@example.com", 4000)]
    assert await rows(
        db, "SELECT action FROM outbox WHERE action != 'tell_reader' ORDER BY id"
    ) == [
        (Effect.ACKNOWLEDGE.value,),
        (Effect.SEND_CARD.value,),
    ]
    assert await contact.current_step(db, READER.user_id) is None


async def test_a_banned_reader_cannot_open_the_form(db: Database, settings: Settings) -> None:
    """After a ban, /contact is refused."""
    submission_id = await submitted_contact(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.BAN, MODERATOR, 5.0)
    assert (await contact.start_form(db, settings, READER, 6.0)).step is Step.BANNED


async def test_deciding_a_contact_message_tells_the_author_nothing(
    db: Database, settings: Settings
) -> None:
    """Approve or reject only refreshes the card: readers hear from editors by their answers."""
    submission_id = await submitted_contact(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 5.0)
    actions = [
        row[0]
        for row in await rows(
            db, "SELECT action FROM outbox WHERE action != 'tell_reader' ORDER BY id"
        )
    ]
    assert actions == [Effect.ACKNOWLEDGE, Effect.SEND_CARD, Effect.REFRESH_CARDS]


async def test_a_moderator_reply_is_recorded_once_and_queued(
    db: Database, settings: Settings
) -> None:
    """A reply to the card queues one delivery; the same update again records nothing."""
    submission_id = await submitted_contact(db, settings)
    first = await contact_conversation.reply_to_reader(
        db, MODERATOR, MODERATION_CHAT_ID, CARD_MESSAGE_ID, 60, "Thanks", 6.0
    )
    again = await contact_conversation.reply_to_reader(
        db, MODERATOR, MODERATION_CHAT_ID, CARD_MESSAGE_ID, 60, "Thanks", 7.0
    )
    assert (first.result, first.submission_id) == (ReplyResult.QUEUED, submission_id)
    assert again.result is ReplyResult.DUPLICATE
    assert await rows(db, "SELECT direction, author_name, text, status FROM contact_replies") == [
        ("to_reader", MODERATOR.display_name, "Thanks", "pending")
    ]
    assert await rows(
        db, "SELECT chat_key FROM outbox WHERE action != 'tell_reader' AND action = 'deliver_reply'"
    ) == [(str(READER.user_id),)]


async def test_replies_to_other_messages_are_not_conversations(
    db: Database, settings: Settings
) -> None:
    """A reply to an unknown message, or from a reader to something else, is not delivered."""
    await submitted_contact(db, settings)
    unknown = await contact_conversation.reply_to_reader(
        db, MODERATOR, MODERATION_CHAT_ID, 999, 61, "Hi", 6.0
    )
    stray = await contact_conversation.reply_to_editors(db, settings, READER, 123, 62, "Hi", 6.0)
    assert unknown.result is ReplyResult.NOT_A_CONTACT_THREAD
    assert stray.result is ReplyResult.NOT_A_CONTACT_THREAD
    assert await rows(db, "SELECT COUNT(*) FROM contact_replies") == [(0,)]


async def test_a_reader_answers_the_delivered_reply(db: Database, settings: Settings) -> None:
    """Once the editors' answer is delivered, the reader's reply to it goes to the editors."""
    submission_id = await answered_contact(db, settings)
    outcome = await contact_conversation.reply_to_editors(
        db, settings, READER, 7, 8, "More info", 7.0
    )
    assert (outcome.result, outcome.submission_id) == (ReplyResult.QUEUED, submission_id)
    too_long = await contact_conversation.reply_to_editors(
        db, settings, READER, 7, 9, "x" * (contact_conversation.REPLY_MAX_LENGTH + 1), 8.0
    )
    assert too_long.result is ReplyResult.TOO_LONG
    entries = await contact_conversation.unanswered_inbox(db, 10)
    assert entries == []  # pending, not approved: the inbox holds approved messages only
    await moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 9.0)
    assert await contact_conversation.unanswered_inbox(db, 10) == []  # answered already
    other = Person(4242, "Zed")
    assert (
        await contact_conversation.reply_to_editors(db, settings, other, 7, 10, "x", 9.0)
    ).result is (ReplyResult.NOT_A_CONTACT_THREAD)


async def test_a_reader_banned_mid_form_cannot_submit(db: Database, settings: Settings) -> None:
    """A ban that lands while the form is open refuses the final message."""
    first = await submitted_contact(db, settings)
    await contact.start_form(db, settings, READER, 5.0)
    await contact.answer(db, settings, READER, "Ada", 6.0)
    await moderation.decide(db, settings, first, Decision.BAN, MODERATOR, 7.0)
    assert (await contact.answer(db, settings, READER, "x@example.com", 8.0)).step is Step.BANNED
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(1,)]


async def test_a_reader_answer_handled_twice_is_recorded_once(
    db: Database, settings: Settings
) -> None:
    """The same reader message, handled again after a crash, records nothing new."""
    await answered_contact(db, settings)
    first = await contact_conversation.reply_to_editors(db, settings, READER, 7, 8, "More", 7.0)
    again = await contact_conversation.reply_to_editors(db, settings, READER, 7, 8, "More", 7.5)
    assert (first.result, again.result) == (ReplyResult.QUEUED, ReplyResult.DUPLICATE)
    assert await rows(db, "SELECT COUNT(*) FROM contact_replies") == [(2,)]


async def test_a_final_message_handled_twice_makes_one_submission(
    db: Database, settings: Settings
) -> None:
    """The form's last message, handled again after a crash, finds its submission."""
    await contact.start_form(db, settings, READER, 1.0)
    await contact.answer(db, settings, READER, "Ada", 2.0)
    await contact.answer(db, settings, READER, "ada@example.com", 3.0)
    first = await contact.answer(db, settings, READER, "Hi", 4.0, message_id=77)
    again = await contact.answer(db, settings, READER, "Hi", 5.0, message_id=77)
    assert (first.step, again.step) == (Step.SUBMITTED, Step.ALREADY_STORED)
    assert await rows(
        db, "SELECT COUNT(*) FROM outbox WHERE action != 'tell_reader' AND action = 'acknowledge'"
    ) == [(1,)]
