"""✏️ Edit before approving: who may correct which comment, what is kept and recorded, and
what a correction that cannot be taken is answered."""

from __future__ import annotations

import dataclasses

from bot.services import articles, comments, edits, moderation
from bot.services.articles import PostRequest
from bot.services.edits import EDIT_WINDOW_SECONDS, Change, EditResult, word_changes
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage import moderation_cards, moderation_log, submissions
from storage.db import Database
from storage.models import LoggedAction, Person, SubmissionKind
from tests.factories import ADMIN_ID, MODERATION_CHAT_ID, MODERATOR, READER

OTHER_MODERATOR = Person(1003, "Rita", "Desk")
ANONYMOUS_ADMIN = Person(MODERATION_CHAT_ID, "Anonymous admin")
CARD = (MODERATION_CHAT_ID, 500)
ORIGINAL = "Call 555-0199 now, the budget is a scam"


async def pending_with_card(db: Database, settings: Settings, text: str = ORIGINAL) -> int:
    """A reader's pending comment whose card is message CARD in the moderation group."""
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/budget", "Budget vote", "Summary"), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=10)
    await comments.open_article(db, READER, article.id, 2.0)
    outcome = await comments.submit_comment(db, settings, READER, text, 3.0)
    assert outcome.submission_id is not None
    async with db.transaction() as conn:
        await moderation_cards.add_card(conn, outcome.submission_id, *CARD)
    return outcome.submission_id


async def tap(
    db: Database, submission_id: int, moderator: Person = MODERATOR, at: float = 10.0
) -> edits.EditOutcome:
    return await edits.request_edit(db, submission_id, moderator, at, pressed_on=CARD)


async def reply(
    db: Database,
    settings: Settings,
    text: str | None,
    at: float = 20.0,
    moderator: Person = MODERATOR,
) -> edits.EditOutcome:
    return await edits.correct_by_reply(
        db,
        settings,
        moderator,
        CARD,
        text,
        at,
        anonymous=moderator is ANONYMOUS_ADMIN,
    )


async def edit_lines(db: Database, submission_id: int) -> list[tuple[object, ...]]:
    async with db.reading() as conn:
        return [
            (e.action, e.moderator_id, e.detail)
            for e in await moderation_log.of_submission(conn, submission_id)
        ]


async def test_a_correction_keeps_the_original_and_a_second_one_replaces_the_first(
    db: Database, settings: Settings
) -> None:
    item = await pending_with_card(db, settings)
    assert (await tap(db, item)).result is EditResult.REQUESTED
    first = await reply(db, settings, "  Call now, the budget is a scam  ")
    assert first.result is EditResult.SAVED
    assert first.submission is not None
    assert first.submission.corrected_text == "Call now, the budget is a scam"
    await tap(db, item, OTHER_MODERATOR, 30.0)
    second = await reply(db, settings, "The budget is a scam", 40.0, OTHER_MODERATOR)
    assert second.result is EditResult.SAVED
    assert second.submission is not None
    assert second.submission.text == ORIGINAL
    assert second.submission.published_text == "The budget is a scam"
    assert second.submission.corrected_by_name == OTHER_MODERATOR.display_name
    # Who edited, in the record; never the words.
    assert await edit_lines(db, item) == [
        (LoggedAction.EDIT, MODERATOR.user_id, {}),
        (LoggedAction.EDIT, OTHER_MODERATOR.user_id, {"replaces_edit": True}),
    ]


async def test_a_reply_without_a_tap_is_not_an_edit(db: Database, settings: Settings) -> None:
    """Moderators talk about a card by replying to it: only the one who tapped ✏️ Edit
    writes a correction."""
    item = await pending_with_card(db, settings)
    assert (await reply(db, settings, "Is this fine?")).result is EditResult.NOT_AN_EDIT
    await tap(db, item)
    other = await reply(db, settings, "Looks fine to me", moderator=OTHER_MODERATOR)
    assert other.result is EditResult.NOT_AN_EDIT
    async with db.reading() as conn:
        stored = await submissions.get(conn, item)
    assert stored is not None and stored.corrected_text is None
    assert await edit_lines(db, item) == []


async def test_bad_corrections_are_refused_and_the_tap_still_holds(
    db: Database, settings: Settings
) -> None:
    item = await pending_with_card(db, settings)
    await tap(db, item)
    assert (await reply(db, settings, None)).result is EditResult.NOT_TEXT
    assert (await reply(db, settings, " \n ")).result is EditResult.EMPTY
    too_long = "x" * (settings.comment_max_length + 1)
    assert (await reply(db, settings, too_long)).result is EditResult.TOO_LONG
    assert await edit_lines(db, item) == []
    assert (await reply(db, settings, "x" * settings.comment_max_length)).result is (
        EditResult.SAVED
    )


async def test_a_tap_runs_out_and_a_later_reply_is_not_taken(
    db: Database, settings: Settings
) -> None:
    item = await pending_with_card(db, settings)
    await tap(db, item, at=10.0)
    late = 10.0 + EDIT_WINDOW_SECONDS + 1
    assert (await reply(db, settings, "Too late", late)).result is EditResult.EXPIRED
    assert (await reply(db, settings, "Again", late + 1)).result is EditResult.NOT_AN_EDIT


async def test_the_readers_own_words_given_back_take_the_correction_back(
    db: Database, settings: Settings
) -> None:
    item = await pending_with_card(db, settings)
    await tap(db, item)
    await reply(db, settings, "The budget is a scam")
    await tap(db, item, at=30.0)
    undone = await reply(db, settings, ORIGINAL, 40.0)
    assert undone.result is EditResult.UNDONE
    assert undone.submission is not None and undone.submission.corrected_text is None
    assert [detail for _, _, detail in await edit_lines(db, item)] == [{}, {"undone": True}]


async def test_a_decision_ends_the_wait_for_a_correction(db: Database, settings: Settings) -> None:
    """A reply to a decided card is something else (a reason for a rejection, say)."""
    item = await pending_with_card(db, settings)
    await tap(db, item)
    await moderation.decide(db, settings, item, Decision.REJECT, OTHER_MODERATOR, 15.0)
    assert (await reply(db, settings, "Fixed text")).result is EditResult.NOT_AN_EDIT
    assert (await tap(db, item, at=16.0)).result is EditResult.ALREADY_DECIDED
    async with db.reading() as conn:
        assert await conn.execute_fetchall("SELECT * FROM edit_requests") == []


async def test_an_anonymous_admins_reply_is_the_correction_one_of_them_tapped_for(
    db: Database, settings: Settings
) -> None:
    """An anonymous admin taps as themselves but writes as the group."""
    item = await pending_with_card(db, settings)
    await tap(db, item, OTHER_MODERATOR)
    saved = await reply(db, settings, "The budget is late", moderator=ANONYMOUS_ADMIN)
    assert saved.result is EditResult.SAVED
    assert [moderator for _, moderator, _ in await edit_lines(db, item)] == [MODERATION_CHAT_ID]


async def test_a_tap_on_another_message_or_an_item_not_editable_is_refused(
    db: Database, settings: Settings
) -> None:
    item = await pending_with_card(db, settings)
    forged = await edits.request_edit(db, item, MODERATOR, 10.0, pressed_on=(CARD[0], 999))
    assert forged.result is EditResult.WRONG_CARD
    async with db.reading() as conn:
        stored = await submissions.get(conn, item)
    assert stored is not None and edits.editable(stored)
    # Left up in the discussion group: the reader's own message, which no bot may edit.
    assert not edits.editable(dataclasses.replace(stored, original_kept=True))
    assert not edits.editable(dataclasses.replace(stored, kind=SubmissionKind.CONTACT))


def test_word_changes_give_back_both_texts() -> None:
    original, corrected = "Call me at 555-0199, the mayor lies", "Call me, the mayor lies"
    changes = word_changes(original, corrected)
    assert changes == [
        (Change.SAME, "Call "),
        (Change.REMOVED, "me at 555-0199, "),
        (Change.ADDED, "me, "),
        (Change.SAME, "the mayor lies"),
    ]
    assert "".join(w for c, w in changes if c is not Change.ADDED) == original
    assert "".join(w for c, w in changes if c is not Change.REMOVED) == corrected
