"""Comments that arrive together are stored together, each judged as if it came alone."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.services import comments
from bot.services.comment_batches import CommentIntake
from bot.services.comments import CommentRequest, SubmitResult
from bot.services.effects import Effect
from bot.services.spam_screen import SpamScreen
from bot.settings import Settings
from storage import processed_updates, readers, submissions
from storage.db import Database
from storage.models import Person
from tests.bot.services.test_comments import published_article, rows
from tests.factories import MODERATOR_ID

ALICE = Person(3001, "Alice", None, None)
BOB = Person(3002, "Bob", "B", "bob")
CAROL = Person(3003, "Carol", None, None)
DAN = Person(3004, "Dan", None, None)
ERIN = Person(3005, "Erin", None, None)
FRANK = Person(3006, "Frank", None, None)


async def test_a_batch_judges_each_comment_as_if_it_came_alone(
    db: Database, settings: Settings
) -> None:
    """One batch: taken, already stored, banned, too long, repeated; each gets its own
    outcome, and only the taken one is stored with its acknowledgement and card."""
    article = await published_article(db)
    for person in (ALICE, BOB, DAN, ERIN, FRANK):
        await comments.open_article(db, person, article.id, 2.0)
    earlier = await comments.submit_comment(db, settings, BOB, "Bob's first", 3.0, message_id=7)
    await comments.open_article(db, BOB, article.id, 3.5)
    async with db.transaction() as conn:
        await readers.ban(conn, DAN.user_id, MODERATOR_ID, None, 3.6)
    await comments.open_article(db, FRANK, article.id, 3.7)
    repeat = await comments.submit_comment(db, settings, FRANK, "Same words", 3.8)
    await comments.open_article(db, FRANK, article.id, 3.9)

    outcomes = await comments.submit_comments(
        db,
        settings,
        [
            CommentRequest(ALICE, article.id, "  Alice's comment ", 4.0, message_id=1),
            CommentRequest(BOB, article.id, "Bob's first", 4.0, message_id=7),
            CommentRequest(DAN, article.id, "Dan is banned", 4.0, message_id=1),
            CommentRequest(
                ERIN, article.id, "x" * (settings.comment_max_length + 1), 4.0, message_id=1
            ),
            CommentRequest(FRANK, article.id, "Same words", 4.0, message_id=2),
        ],
    )

    assert [o.result for o in outcomes] == [
        SubmitResult.ACCEPTED,
        SubmitResult.ALREADY_STORED,
        SubmitResult.BANNED,
        SubmitResult.TOO_LONG,
        SubmitResult.DUPLICATE,
    ]
    alice = outcomes[0]
    assert alice.submission_id is not None and alice.article == article
    assert earlier.submission_id is not None and repeat.submission_id is not None
    assert await rows(db, "SELECT id, user_id, text, status FROM submissions ORDER BY id") == [
        (earlier.submission_id, BOB.user_id, "Bob's first", "pending"),
        (repeat.submission_id, FRANK.user_id, "Same words", "pending"),
        (alice.submission_id, ALICE.user_id, "Alice's comment", "pending"),
    ]
    assert await rows(
        db,
        "SELECT action, chat_key FROM outbox WHERE action != 'tell_reader'"
        " AND json_extract(payload, '$.submission_id') = ?"
        " ORDER BY id",
        (alice.submission_id,),
    ) == [
        (Effect.ACKNOWLEDGE.value, str(ALICE.user_id)),
        (Effect.SEND_CARD.value, str(settings.moderation_chat_id)),
    ]
    # Only a stored comment ends the reader's commenting; a refusal leaves the reader where
    # they were (and changes nothing, so its answer is sent before the update is recorded).
    assert await rows(db, "SELECT user_id FROM reader_states ORDER BY user_id") == [
        (BOB.user_id,),
        (DAN.user_id,),
        (ERIN.user_id,),
        (FRANK.user_id,),
    ]


async def test_a_batch_records_the_updates_of_the_comments_it_stored_and_no_others(
    db: Database, settings: Settings
) -> None:
    """A stored comment's update is recorded as handled in the comment's own transaction;
    a refused one is not (its answer has yet to be sent)."""
    article = await published_article(db)
    for person in (ALICE, BOB):
        await comments.open_article(db, person, article.id, 2.0)
    stored, refused = processed_updates.HandledUpdate(501), processed_updates.HandledUpdate(502)
    outcomes = await comments.submit_comments(
        db,
        settings,
        [
            CommentRequest(ALICE, article.id, "Kept", 3.0, 1, stored),
            CommentRequest(BOB, article.id, " ", 3.0, 1, refused),
        ],
    )
    assert [o.result for o in outcomes] == [SubmitResult.ACCEPTED, SubmitResult.EMPTY]
    assert (stored.recorded, refused.recorded) == (True, False)
    assert await rows(db, "SELECT update_id FROM processed_updates") == [(501,)]


async def test_comments_arriving_while_a_batch_is_stored_go_together_in_the_next(
    db: Database, settings: Settings
) -> None:
    """Twenty readers at once: all stored, in fewer transactions than comments, and a
    second comment from one author waits for a later batch rather than sharing one."""
    article = await published_article(db)
    people = [Person(4000 + n, f"Reader {n}", None, None) for n in range(20)]
    for person in people:
        await comments.open_article(db, person, article.id, 2.0)
    batches: list[int] = []
    original = comments.submit_comments

    async def counting(
        db: Database,
        settings: Settings,
        requests: list[CommentRequest],
        spam: SpamScreen | None = None,
    ) -> list[comments.SubmitOutcome]:
        batches.append(len(requests))
        return await original(db, settings, requests, spam)

    intake = CommentIntake(db, settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(comments, "submit_comments", counting)
        outcomes = await asyncio.gather(
            *(
                intake.submit(CommentRequest(p, article.id, f"From {p.first_name}", 3.0, 1))
                for p in people
            ),
            intake.submit(CommentRequest(people[0], article.id, "A second one", 3.0, 2)),
        )
    assert [o.result for o in outcomes] == [SubmitResult.ACCEPTED] * 21
    # The second comment of people[0] went in a later batch than their first.
    assert sum(batches) == 21 and 1 < len(batches) < 21
    assert await rows(db, "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM submissions") == [(21, 20)]


async def test_a_comment_that_cannot_be_stored_does_not_fail_the_rest_of_its_batch(
    db: Database, settings: Settings
) -> None:
    """The batch fails on one comment; the others are stored one by one and only that one
    fails, with the database's error."""
    article = await published_article(db)
    for person in (ALICE, BOB, CAROL):
        await comments.open_article(db, person, article.id, 2.0)
    original = submissions.insert_comments

    async def refusing_bob(conn, new_comments):
        if any(c.user_id == BOB.user_id for c in new_comments):
            raise sqlite3.IntegrityError("disk says no")
        return await original(conn, new_comments)

    intake = CommentIntake(db, settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submissions, "insert_comments", refusing_bob)
        outcomes = await asyncio.gather(
            *(
                intake.submit(CommentRequest(p, article.id, "Hello", 3.0, 1))
                for p in (ALICE, BOB, CAROL)
            ),
            return_exceptions=True,
        )
    assert [getattr(o, "result", None) for o in outcomes] == [
        SubmitResult.ACCEPTED,
        None,
        SubmitResult.ACCEPTED,
    ]
    assert isinstance(outcomes[1], sqlite3.IntegrityError)
    assert await rows(db, "SELECT user_id FROM submissions ORDER BY user_id") == [
        (ALICE.user_id,),
        (CAROL.user_id,),
    ]
    # Bob's transaction was rolled back whole: he is still commenting, nothing queued.
    assert await rows(
        db,
        "SELECT COUNT(*) FROM outbox WHERE action != 'tell_reader' AND chat_key = ?",
        (str(BOB.user_id),),
    ) == [(0,)]
    assert await rows(
        db, "SELECT user_id FROM reader_states WHERE user_id = ?", (BOB.user_id,)
    ) == [(BOB.user_id,)]


async def test_a_repeated_text_with_an_invisible_nul_is_still_a_repeat(
    db: Database, settings: Settings
) -> None:
    article = await published_article(db)
    results = []
    for message_id, at in ((1, 3.0), (2, 30.0)):
        await comments.open_article(db, ALICE, article.id, at - 1)
        outcome = await comments.submit_comment(
            db, settings, ALICE, "same\x00words", at, message_id=message_id
        )
        results.append(outcome.result)
    assert results == [SubmitResult.ACCEPTED, SubmitResult.DUPLICATE]
    assert await rows(db, "SELECT text FROM submissions") == [("samewords",)]
