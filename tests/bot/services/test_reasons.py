"""Reasons after a rejection: stored once with the decision, a line of their own in the
record, and told to the author exactly once (in the notice, or after it)."""

from __future__ import annotations

from pathlib import Path

from bot.callback_data import ReasonSurface
from bot.services import moderation, reasons
from bot.services.reasons import ReasonResult
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage import moderation_cards, moderation_log, submissions
from storage.db import Database
from storage.models import LoggedAction
from tests.bot.services.test_comments import rows
from tests.bot.services.test_moderation import pending_comment
from tests.factories import MODERATION_CHAT_ID, MODERATOR, make_settings

CARD_MESSAGE = 500


async def rejected_with_card(db: Database, settings: Settings, text: str = "Off the point") -> int:
    submission_id = await pending_comment(db, settings, text)
    async with db.transaction() as conn:
        await moderation_cards.add_card(conn, submission_id, MODERATION_CHAT_ID, CARD_MESSAGE)
    outcome = await moderation.decide(db, settings, submission_id, Decision.REJECT, MODERATOR, 5.0)
    assert outcome.result is moderation.DecisionResult.APPLIED
    return submission_id


async def tap(
    db: Database, settings: Settings, submission_id: int, reason: str, *, message: int = 0
) -> reasons.ReasonOutcome:
    return await reasons.give(
        db,
        settings,
        ReasonSurface.CARD,
        submission_id,
        reason,
        MODERATOR,
        7.0,
        pressed_on=(MODERATION_CHAT_ID, message or CARD_MESSAGE),
    )


async def reason_notices(db: Database) -> int:
    found = await rows(db, "SELECT COUNT(*) FROM outbox WHERE action = 'reason_notice'")
    return int(str(found[0][0]))


async def test_a_reason_is_stored_once_and_recorded_as_a_line_of_its_own(
    db: Database, settings: Settings
) -> None:
    submission_id = await rejected_with_card(db, settings)
    given = await tap(db, settings, submission_id, "off_topic")
    assert given.result is ReasonResult.GIVEN
    assert given.submission is not None and given.submission.decision_reason == "off_topic"
    again = await tap(db, settings, submission_id, "duplicate")
    assert again.result is ReasonResult.ALREADY_GIVEN
    assert again.submission is not None and again.submission.decision_reason == "off_topic"
    async with db.reading() as conn:
        record = await moderation_log.of_submission(conn, submission_id)
    assert [(e.action, e.reason, e.moderator_id, e.at) for e in record] == [
        (LoggedAction.REJECT, None, MODERATOR.user_id, 5.0),
        (LoggedAction.REASON, "off_topic", MODERATOR.user_id, 7.0),
    ]


async def test_the_rejection_notice_waits_for_a_reason_and_an_approval_does_not(
    db: Database, database_path: Path
) -> None:
    settings = make_settings(database_path, reject_notice_delay_seconds=30)
    rejected = await rejected_with_card(db, settings)
    approved = await pending_comment(db, settings, "Fine words")
    await moderation.decide(db, settings, approved, Decision.APPROVE, MODERATOR, 6.0)
    due = await rows(
        db,
        "SELECT json_extract(payload, '$.submission_id'), next_attempt_at FROM outbox"
        " WHERE action = 'notify_author' ORDER BY id",
    )
    assert due == [(rejected, 35.0), (approved, 6.0)]


async def test_a_reason_given_before_the_notice_went_is_told_in_it_and_not_again(
    db: Database, settings: Settings
) -> None:
    submission_id = await rejected_with_card(db, settings)
    await tap(db, settings, submission_id, "insulting")
    async with db.transaction() as conn:
        told = await submissions.get(conn, submission_id)
        assert told is not None and told.decision_reason == "insulting"
        await reasons.notice_went(conn, told, 8.0)
    assert await reason_notices(db) == 0


async def test_a_reason_given_after_the_notice_went_follows_once(
    db: Database, settings: Settings
) -> None:
    submission_id = await rejected_with_card(db, settings)
    async with db.transaction() as conn:
        told = await submissions.get(conn, submission_id)
        assert told is not None
        await reasons.notice_went(conn, told, 6.0)
    await tap(db, settings, submission_id, "misleading")
    assert await reason_notices(db) == 1


async def test_a_reason_given_while_the_notice_was_on_its_way_follows_it_once(
    db: Database, settings: Settings
) -> None:
    """The notice was rendered without the reason; the reason came before its record."""
    submission_id = await rejected_with_card(db, settings)
    async with db.reading() as conn:
        rendered = await submissions.get(conn, submission_id)
    assert rendered is not None and rendered.decision_reason is None
    await tap(db, settings, submission_id, "duplicate")
    assert await reason_notices(db) == 0
    async with db.transaction() as conn:
        await reasons.notice_went(conn, rendered, 8.0)
    assert await reason_notices(db) == 1


async def test_a_reason_is_refused_off_its_card_and_when_not_listed(
    db: Database, settings: Settings
) -> None:
    submission_id = await rejected_with_card(db, settings)
    elsewhere = await tap(db, settings, submission_id, "off_topic", message=CARD_MESSAGE + 1)
    unlisted = await tap(db, settings, submission_id, "because I say so")
    assert elsewhere.result is unlisted.result is ReasonResult.WRONG_PLACE
    async with db.reading() as conn:
        stored = await submissions.get(conn, submission_id)
        assert stored is not None and stored.decision_reason is None
        assert [e.action for e in await moderation_log.of_submission(conn, submission_id)] == [
            LoggedAction.REJECT
        ]


async def test_a_moderators_own_reason_is_one_line_and_not_too_long(
    db: Database, settings: Settings
) -> None:
    submission_id = await rejected_with_card(db, settings)

    async def reply(text: str) -> reasons.ReasonOutcome:
        return await reasons.write_own(
            db, settings, MODERATION_CHAT_ID, CARD_MESSAGE, text, MODERATOR, 9.0
        )

    assert (await reply("x" * 201)).result is ReasonResult.TOO_LONG
    assert (await reply(" \n ")).result is ReasonResult.EMPTY
    written = await reply("  Phone numbers\n  stay private  ")
    assert written.result is ReasonResult.GIVEN
    assert written.submission is not None
    assert written.submission.decision_reason == "Phone numbers stay private"
    async with db.reading() as conn:
        record = await moderation_log.of_submission(conn, submission_id)
    assert record[-1].action is LoggedAction.REASON
    assert record[-1].reason == "Phone numbers stay private"


async def test_no_reason_is_asked_of_a_pending_or_spam_item(
    db: Database, settings: Settings
) -> None:
    pending = await pending_comment(db, settings, "Still waiting")
    spam = await pending_comment(db, settings, "Cheap pills here")
    async with db.transaction() as conn:
        await moderation_cards.add_card(conn, pending, MODERATION_CHAT_ID, CARD_MESSAGE)
        await moderation_cards.add_card(conn, spam, MODERATION_CHAT_ID, CARD_MESSAGE + 1)
    await moderation.decide(db, settings, spam, Decision.SPAM, MODERATOR, 5.0)
    assert (await tap(db, settings, pending, "off_topic")).result is ReasonResult.NOT_ASKED
    on_spam = await tap(db, settings, spam, "off_topic", message=CARD_MESSAGE + 1)
    assert on_spam.result is ReasonResult.NOT_ASKED


async def test_a_reply_long_after_the_rejection_is_chat_not_a_reason(
    db: Database, settings: Settings
) -> None:
    """Moderators talk under cards: a reply to a rejected card days later is not sent to the
    author as the reason; within OWN_REASON_WINDOW_SECONDS of the rejection it is."""
    submission_id = await rejected_with_card(db, settings)
    late = 5.0 + reasons.OWN_REASON_WINDOW_SECONDS + 1
    chat = await reasons.write_own(
        db, settings, MODERATION_CHAT_ID, CARD_MESSAGE, "ignore this one", MODERATOR, late
    )
    assert chat.result is ReasonResult.NOT_ASKED
    async with db.reading() as conn:
        stored = await submissions.get(conn, submission_id)
    assert stored is not None and stored.decision_reason is None
    in_time = 5.0 + reasons.OWN_REASON_WINDOW_SECONDS
    given = await reasons.write_own(
        db, settings, MODERATION_CHAT_ID, CARD_MESSAGE, "Off the point", MODERATOR, in_time
    )
    assert given.result is ReasonResult.GIVEN
