from __future__ import annotations

import asyncio
from pathlib import Path

from bot.services import articles, comments, desk, moderation
from bot.services.effects import Effect
from bot.services.moderation import DecisionResult
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage import readers
from storage.db import Database
from storage.models import Person, SubmissionStatus
from tests.bot.services.test_comments import published_article, rows
from tests.bot.services.test_contact import submitted_contact
from tests.factories import ADMIN_ID, MODERATOR, READER, make_settings


async def pending_comment(db: Database, settings: Settings, text: str = "Nice") -> int:
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    outcome = await comments.submit_comment(db, settings, READER, text, 3.0)
    assert outcome.submission_id is not None
    return outcome.submission_id


async def test_two_simultaneous_decisions_apply_once(db: Database, settings: Settings) -> None:
    """Two moderators pressing at once: exactly one decision applies, the other sees it."""
    submission_id = await pending_comment(db, settings)
    other = Person(1003, "Other", "Mod")
    first, second = await asyncio.gather(
        moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 5.0),
        moderation.decide(db, settings, submission_id, Decision.REJECT, other, 5.0),
    )
    results = sorted([first.result, second.result])
    assert results == [DecisionResult.ALREADY_DECIDED, DecisionResult.APPLIED]
    assert await rows(db, "SELECT status, decided_by FROM submissions") == [
        ("approved", MODERATOR.user_id)
    ]
    # One set of effects only: one card refresh, one author notification.
    assert await rows(
        db,
        "SELECT action, COUNT(*) FROM outbox WHERE action != 'tell_reader'"
        " AND action NOT IN ('send_card', 'acknowledge')"
        " GROUP BY action"
        " ORDER BY action",
    ) == [("notify_author", 1), ("refresh_cards", 1), ("refresh_counter", 1)]


async def test_a_late_press_reports_who_decided(db: Database, settings: Settings) -> None:
    """A decision on a decided item changes nothing and reports the first outcome."""
    submission_id = await pending_comment(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.REJECT, MODERATOR, 5.0)
    late = await moderation.decide(
        db, settings, submission_id, Decision.APPROVE, Person(9, "Late"), 6.0
    )
    assert late.result is DecisionResult.ALREADY_DECIDED
    assert late.submission is not None
    assert late.submission.status is SubmissionStatus.REJECTED
    assert late.submission.decided_by_name == MODERATOR.display_name


async def test_an_unknown_submission_is_reported(db: Database, settings: Settings) -> None:
    """A press naming an id that does not exist is answered NOT_FOUND."""
    outcome = await moderation.decide(db, settings, 999, Decision.APPROVE, MODERATOR, 1.0)
    assert outcome.result is DecisionResult.NOT_FOUND


async def test_approval_goes_to_the_thread_when_there_is_a_discussion_group(
    db: Database, database_path: Path
) -> None:
    """With DISCUSSION_CHAT_ID an approval queues a thread post, not a counter update."""
    settings = make_settings(database_path, discussion_chat_id=-100777)
    submission_id = await pending_comment(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 5.0)
    actions = [
        row[0]
        for row in await rows(
            db, "SELECT action FROM outbox WHERE action != 'tell_reader' ORDER BY id"
        )
    ]
    assert Effect.THREAD_POST.value in actions
    assert Effect.REFRESH_COUNTER.value not in actions


async def test_rejection_publishes_nothing(db: Database, settings: Settings) -> None:
    """A rejected comment only refreshes its card and tells its author."""
    submission_id = await pending_comment(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.REJECT, MODERATOR, 5.0)
    actions = [
        row[0]
        for row in await rows(
            db, "SELECT action FROM outbox WHERE action != 'tell_reader' ORDER BY id"
        )
    ]
    assert actions == ["acknowledge", "send_card", "refresh_cards", "notify_author"]


async def test_the_desk_walks_the_queue_and_wraps_round(db: Database, settings: Settings) -> None:
    """Skip moves to the next pending item; after the newest it comes back to the oldest."""
    first = await pending_comment(db, settings, "one")
    second = await pending_comment(db, settings, "two")
    await desk.open_desk(db, settings, 5.0)
    async with db.reading() as conn:
        assert await desk.current_item(conn, await desk.load(conn)) == first
    await desk.move_on(db, settings, first, 6.0)
    async with db.reading() as conn:
        assert await desk.current_item(conn, await desk.load(conn)) == second
    await moderation.decide(db, settings, first, Decision.APPROVE, MODERATOR, 7.0)
    await desk.move_on(db, settings, second, 8.0)
    async with db.reading() as conn:
        # Only the second is pending now: the desk comes round to it again.
        assert await desk.current_item(conn, await desk.load(conn)) == second


async def test_a_comment_approved_after_unpublishing_stays_private(
    db: Database, settings: Settings
) -> None:
    """Approving a comment on a taken-down article publishes it nowhere."""
    submission_id = await pending_comment(db, settings)
    await articles.close_article(db, settings, 1, ADMIN_ID, 4.0)
    await moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 5.0)
    actions = [
        row[0]
        for row in await rows(
            db, "SELECT action FROM outbox WHERE action != 'tell_reader' ORDER BY id"
        )
    ]
    assert actions == [
        "acknowledge",
        "send_card",
        "delete_channel_post",
        "refresh_cards",
        "notify_author",
    ]


async def test_the_discussion_copy_releases_waiting_thread_posts(
    db: Database, database_path: Path
) -> None:
    """Thread posts that were waiting for the copy of the post become due when it arrives."""
    settings = make_settings(database_path, discussion_chat_id=-100777)
    submission_id = await pending_comment(db, settings)
    await moderation.decide(db, settings, submission_id, Decision.APPROVE, MODERATOR, 5.0)
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET next_attempt_at = 1e12 WHERE action = 'thread_post'")
    article_id = await articles.link_discussion_copy(db, 11, 42, 6.0)
    assert article_id == 1
    assert await rows(
        db,
        "SELECT next_attempt_at FROM outbox WHERE action = 'thread_post'",
    ) == [(6.0,)]
    found = await articles.get_article(db, 1)
    assert found is not None
    assert found.discussion_message_id == 42


async def test_approve_on_a_banned_authors_comment_is_refused_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    """A comment pending while its author is banned (a catch given back by ↩️ Not spam
    under a moderator's /ban) is never published: ✅ Approve is refused with the ban that
    holds, and nothing changes; ❌ Reject still applies. The banned author's contact
    message is approved for the editors as ever."""
    contact_id = await submitted_contact(db, settings)
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 10.0)
    submitted = await comments.submit_comment(db, settings, READER, "Nice", 11.0)
    submission_id = submitted.submission_id
    assert submission_id is not None
    async with db.transaction() as conn:
        await readers.ban(conn, READER.user_id, MODERATOR, None, 12.0)
    before = await rows(db, "SELECT id, action FROM outbox")

    refused = await moderation.decide(
        db, settings, submission_id, Decision.APPROVE, MODERATOR, 13.0
    )

    assert refused.result is DecisionResult.AUTHOR_BANNED
    assert refused.ban is not None and refused.ban.banned_at == 12.0
    assert await rows(db, "SELECT id, action FROM outbox") == before
    assert await rows(db, "SELECT status FROM submissions WHERE id = ?", (submission_id,)) == [
        ("pending",)
    ]
    contact_approved = await moderation.decide(
        db, settings, contact_id, Decision.APPROVE, MODERATOR, 14.0
    )
    assert contact_approved.result is DecisionResult.APPLIED
    rejected = await moderation.decide(
        db, settings, submission_id, Decision.REJECT, MODERATOR, 15.0
    )
    assert rejected.result is DecisionResult.APPLIED
