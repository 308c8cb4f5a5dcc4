from __future__ import annotations

from pathlib import Path

from bot.services import abuse, bans, comments, contact, moderation
from bot.services.comments import SubmitResult
from bot.services.contact import Step
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage import history
from storage.db import Database
from storage.models import AuthorHistory, Person
from tests.bot.services.test_comments import published_article, rows
from tests.factories import MODERATOR, READER, make_settings


def strict(database_path: Path, **overrides: object) -> Settings:
    """The production defaults for flood control: 15 s apart, 5 per 10 minutes."""
    return make_settings(
        database_path, flood_min_interval_seconds=15, flood_window_max=5, **overrides
    )


async def send(db: Database, settings: Settings, text: str, now: float) -> comments.SubmitOutcome:
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, now)
    return await comments.submit_comment(db, settings, READER, text, now)


async def test_one_submission_per_15_seconds(db: Database, database_path: Path) -> None:
    """A second comment 10 s after the first is refused with when to retry; at 15 s it goes."""
    settings = strict(database_path)
    assert (await send(db, settings, "one", 1000.0)).result is SubmitResult.ACCEPTED
    refused = await send(db, settings, "two", 1010.0)
    assert refused.result is SubmitResult.FLOOD
    assert refused.retry_at == 1015.0
    assert (await send(db, settings, "two", 1015.0)).result is SubmitResult.ACCEPTED
    assert await rows(db, "SELECT text FROM submissions ORDER BY id") == [("one",), ("two",)]


async def test_five_per_ten_minutes_counting_contact_messages(
    db: Database, database_path: Path
) -> None:
    """Comments and contact messages share the budget of 5 per 600 s."""
    settings = strict(database_path)
    for number in range(4):
        outcome = await send(db, settings, f"c{number}", 1000.0 + 20 * number)
        assert outcome.result is SubmitResult.ACCEPTED
    await contact.start_form(db, settings, READER, 1080.0)
    await contact.answer(db, settings, READER, "Ada", 1081.0)
    await contact.answer(db, settings, READER, "ada@example.com", 1082.0)
    fifth = await contact.answer(db, settings, READER, "hello", 1090.0)
    assert fifth.step is Step.SUBMITTED
    sixth = await send(db, settings, "c5", 1200.0)
    assert sixth.result is SubmitResult.FLOOD
    # The window frees a place when the first of the five (t=1000) is 600 s old.
    assert sixth.retry_at == 1600.0
    blocked_form = await contact.start_form(db, settings, READER, 1300.0)
    assert blocked_form.step is Step.FLOOD
    assert (await send(db, settings, "c5", 1600.5)).result is SubmitResult.ACCEPTED


async def test_the_same_text_within_a_day_is_already_received(
    db: Database, database_path: Path
) -> None:
    """A repeated text is acknowledged, not stored again, and not counted as flooding."""
    settings = strict(database_path)
    assert (await send(db, settings, "Same words", 0.0)).result is SubmitResult.ACCEPTED
    assert (await send(db, settings, "Same words", 5.0)).result is SubmitResult.DUPLICATE
    later = 24 * 3600 + 1.0
    assert (await send(db, settings, "Same words", later)).result is SubmitResult.ACCEPTED
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(2,)]


def test_links_and_watch_words_are_counted() -> None:
    """Links in any common form are counted; watch words match whole words, any case."""
    text = "See https://a.example/x, www.b.example and t.me/spam or c.example/path. CASINO!"
    assert abuse.count_links(text) == 4
    assert abuse.count_links("no links here, e.g. a.b") == 0
    assert abuse.watched_words_in(text, ["casino", "crypto", "pat"]) == ["casino"]


async def test_trusted_authors_skip_the_queue_until_rejected(
    db: Database, database_path: Path
) -> None:
    """With TRUSTED_AUTO_APPROVE=2, the third comment of a clean author is published at once."""
    settings = make_settings(database_path, trusted_auto_approve=2)
    for text in ("one", "two"):
        outcome = await send(db, settings, text, 1.0)
        assert outcome.result is SubmitResult.ACCEPTED
        assert outcome.submission_id is not None
        await moderation.decide(
            db, settings, outcome.submission_id, Decision.APPROVE, MODERATOR, 2.0
        )
    third = await send(db, settings, "three", 3.0)
    assert third.result is SubmitResult.PUBLISHED
    assert third.submission_id is not None
    assert await rows(db, "SELECT status, auto_approved FROM submissions WHERE text = 'three'") == [
        ("approved", 1)
    ]
    actions = await rows(
        db,
        "SELECT action FROM outbox WHERE action != 'tell_reader' AND created_at = 3.0 ORDER BY id",
    )
    assert [a[0] for a in actions] == ["acknowledge", "send_card", "refresh_counter"]
    undone = await moderation.decide(
        db, settings, third.submission_id, Decision.UNPUBLISH, MODERATOR, 4.0
    )
    assert undone.result is moderation.DecisionResult.APPLIED
    again = await moderation.decide(
        db, settings, third.submission_id, Decision.UNPUBLISH, MODERATOR, 5.0
    )
    assert again.result is moderation.DecisionResult.ALREADY_DECIDED
    # A rejection on record: the next comment waits for a moderator again.
    assert (await send(db, settings, "four", 6.0)).result is SubmitResult.ACCEPTED


async def test_history_counts_other_submissions_and_past_bans(
    db: Database, settings: Settings
) -> None:
    """A card's history excludes the item itself and remembers a lifted ban."""
    first = await send(db, settings, "one", 1.0)
    assert first.submission_id is not None
    await moderation.decide(db, settings, first.submission_id, Decision.BAN, MODERATOR, 2.0)
    await bans.unban(db, settings, READER.user_id, 3.0)
    second = await send(db, settings, "two", 4.0)
    assert second.submission_id is not None
    async with db.reading() as conn:
        past = await history.of_author(conn, READER.user_id, second.submission_id)
        stranger = await history.of_author(conn, Person(99, "New").user_id)
    assert past == AuthorHistory(approved=0, rejected=1, banned_before=True)
    assert stranger == AuthorHistory(0, 0, banned_before=False)
