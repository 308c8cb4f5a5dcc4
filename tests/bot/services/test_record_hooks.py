"""The moderation record's other hooks: a comment left up kept or removed, the spam check's
catches and the ban they make, the flood gate's ban, ↩️ Not spam and an editor's answer to a
contact message; each line written with the change, and never a reader's words."""

from __future__ import annotations

from pathlib import Path

from bot.services import comments, contact, contact_conversation, floods, moderation, spam_undo
from bot.services.comments import CommentRequest
from bot.services.contact_conversation import ReplyResult
from bot.services.floods import Admission
from bot.services.floods import Verdict as FloodVerdict
from bot.services.spam_screen import SpamScreen
from bot.services.verdicts import Decision
from bot.settings import Settings, SpamFilterMode
from bot.spam.checker import Thresholds
from bot.spam.filter import SpamFilter
from storage import moderation_log, readers
from storage.db import Database
from storage.models import LogEntry, LoggedAction, ReaderState
from tests.bot.services.test_comments import published_article
from tests.bot.services.test_contact import CARD_MESSAGE_ID, submitted_contact
from tests.bot.services.test_moderation_record import SECOND_MODERATOR
from tests.bot.services.test_spam_decisions import SPAMMER, left_up, post_moderated
from tests.bot.services.test_spam_undo import AUTHOR, SPAM, caught_under_a_post, pre_moderated
from tests.factories import MODERATION_CHAT_ID, MODERATOR, READER


async def record_of(db: Database, author_id: int) -> list[LogEntry]:
    async with db.reading() as conn:
        return await moderation_log.of_author(conn, author_id)


def words_in(record: list[LogEntry]) -> str:
    return " ".join(f"{e.reason} {e.detail}" for e in record)


async def test_a_comment_left_up_is_kept_or_removed_in_the_record(
    db: Database, database_path: Path
) -> None:
    settings = post_moderated(database_path)
    kept = await left_up(db, settings, SPAMMER, "Who counts the votes?", 2.0)
    removed = await left_up(db, settings, SPAMMER, "You are all fools", 5.0)
    await moderation.decide(db, settings, kept, Decision.APPROVE, MODERATOR, 6.0)
    await moderation.decide(db, settings, removed, Decision.REJECT, SECOND_MODERATOR, 7.0)
    record = await record_of(db, SPAMMER.user_id)
    assert [(e.action, e.submission_id, e.moderator_id) for e in record] == [
        (LoggedAction.KEEP, kept, MODERATOR.user_id),
        (LoggedAction.REMOVE, removed, SECOND_MODERATOR.user_id),
    ]


async def test_a_catch_under_a_post_is_recorded_by_the_bot_with_its_reasons_and_its_ban(
    db: Database, database_path: Path
) -> None:
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    record = await record_of(db, AUTHOR.user_id)
    assert [(e.action, e.submission_id, e.moderator_id, e.reason) for e in record] == [
        (LoggedAction.CAUGHT, caught, None, None),
        (LoggedAction.BAN, caught, None, "spam"),
    ]
    reasons = record[0].detail["reasons"]
    assert isinstance(reasons, list) and reasons
    assert all(isinstance(kind, str) and kind.isidentifier() for kind in reasons)
    assert "WhatsApp" not in words_in(record)


async def test_a_comment_sent_privately_and_caught_is_recorded_without_a_ban(
    db: Database, settings: Settings
) -> None:
    spam_settings = settings.model_copy(update={"spam_filter": SpamFilterMode.ON})
    screen = SpamScreen(db, spam_settings, await SpamFilter.open(db, Thresholds()))
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    [outcome] = await comments.submit_comments(
        db, spam_settings, [CommentRequest(READER, article.id, SPAM, 3.0)], spam=screen
    )
    record = await record_of(db, READER.user_id)
    assert [(e.action, e.submission_id, e.moderator_id) for e in record] == [
        (LoggedAction.CAUGHT, outcome.submission_id, None)
    ]
    assert "WhatsApp" not in words_in(record)


async def test_a_contact_message_caught_is_recorded_without_a_ban(
    db: Database, settings: Settings
) -> None:
    spam_settings = settings.model_copy(update={"spam_filter": SpamFilterMode.ON})
    spam_filter = await SpamFilter.open(db, Thresholds())
    screen = SpamScreen(db, spam_settings, spam_filter)
    await contact.start_form(db, spam_settings, READER, 1.0)
    await contact.answer(db, spam_settings, READER, "Ada", 2.0)
    await contact.answer(db, spam_settings, READER, "ada@example.com", 3.0)
    async with db.reading() as conn:
        state = await readers.get_state(conn, READER.user_id)
    assert isinstance(state, ReaderState)
    outcome = await contact.answer(db, spam_settings, READER, SPAM, 4.0, state=state, spam=screen)
    record = await record_of(db, READER.user_id)
    assert [(e.action, e.submission_id, e.moderator_id) for e in record] == [
        (LoggedAction.CAUGHT, outcome.submission_id, None)
    ]
    assert "WhatsApp" not in words_in(record)


async def test_the_flood_gates_ban_is_recorded_once_by_the_bot_for_flooding(
    db: Database, settings: Settings
) -> None:
    flood = Admission(FloodVerdict.SPAM, 60.0, flood_messages=21, flood_seconds=8.2)
    for at in (5.0, 6.0):
        async with db.transaction() as conn:
            await floods.treat_as_spam(conn, settings, SPAMMER, flood, at)
    record = await record_of(db, SPAMMER.user_id)
    assert [(e.action, e.moderator_id, e.reason, e.at) for e in record] == [
        (LoggedAction.CAUGHT, None, None, 5.0),
        (LoggedAction.BAN, None, "flooding", 5.0),
    ]
    assert record[0].detail == {"reasons": ["flooding"]}


async def test_not_spam_is_recorded_with_the_unban_it_made(
    db: Database, database_path: Path
) -> None:
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    await spam_undo.restore(db, settings, caught, MODERATOR, 9.0)
    await spam_undo.restore(db, settings, caught, MODERATOR, 10.0)
    record = await record_of(db, AUTHOR.user_id)
    assert [(e.action, e.submission_id, e.moderator_id, e.at) for e in record[2:]] == [
        (LoggedAction.NOT_SPAM, caught, MODERATOR.user_id, 9.0),
        (LoggedAction.UNBAN, caught, MODERATOR.user_id, 9.0),
    ]


async def test_not_spam_without_a_ban_to_lift_records_no_unban(
    db: Database, database_path: Path
) -> None:
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    async with db.transaction() as conn:
        await readers.unban(conn, AUTHOR.user_id, 3.0)
    await spam_undo.restore(db, settings, caught, MODERATOR, 9.0)
    record = await record_of(db, AUTHOR.user_id)
    assert [e.action for e in record] == [
        LoggedAction.CAUGHT,
        LoggedAction.BAN,
        LoggedAction.NOT_SPAM,
    ]


async def test_an_editors_answer_is_recorded_once_without_its_words(
    db: Database, settings: Settings
) -> None:
    submission_id = await submitted_contact(db, settings)
    for _ in range(2):
        outcome = await contact_conversation.reply_to_reader(
            db, MODERATOR, MODERATION_CHAT_ID, CARD_MESSAGE_ID, 60, "Thanks, fixed it", 6.0
        )
    assert outcome.result is ReplyResult.DUPLICATE
    record = await record_of(db, READER.user_id)
    assert [(e.action, e.submission_id, e.moderator_id) for e in record] == [
        (LoggedAction.REPLY, submission_id, MODERATOR.user_id)
    ]
    assert "fixed" not in words_in(record)
