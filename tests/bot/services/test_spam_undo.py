"""↩️ Not spam: a catch comes back as a pending item with its card, the ban the catch made
is lifted (the bot's and the discussion group's), the text is learned as ham, and a
second tap changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from bot.services import comments, moderation, reports, spam_undo, thread_comments
from bot.services.moderation import DecisionResult
from bot.services.spam_screen import SpamScreen
from bot.services.spam_undo import UndoResult
from bot.services.thread_comments import ThreadComment, ThreadResult
from bot.services.verdicts import Decision
from bot.settings import Settings, ThreadModeration
from bot.spam.checker import Thresholds
from bot.spam.filter import SpamFilter
from storage import readers, submissions, thread_sources
from storage.db import Database
from storage.models import Person, SubmissionStatus
from storage.thread_sources import ThreadSource
from tests.bot.services.test_comments import published_article, rows
from tests.factories import DISCUSSION_CHAT_ID, MODERATOR, make_settings

THREAD = 500
AUTHOR = Person(4545, "Honest", "Seller")
# What the starter set surely catches (as in tests/e2e/test_spam_intake.py).
# Spam that is caught, and not so surely that learning it as ham changes nothing in its score.
SPAM = "Earn $500 a day from home, call now on WhatsApp +1 555 123 4567 💰💰💰🔥🔥🔥"


def pre_moderated(database_path: Path) -> Settings:
    return make_settings(
        database_path,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=ThreadModeration.PRE,
    )


async def caught_under_a_post(
    db: Database, settings: Settings, spam_filter: SpamFilter, at: float
) -> int:
    source = ThreadSource(DISCUSSION_CHAT_ID, int(at * 10), THREAD)
    outcome = await thread_comments.hold_for_moderation(
        db,
        settings,
        ThreadComment(AUTHOR, THREAD, SPAM, source, at),
        spam=SpamScreen(db, settings, spam_filter),
    )
    assert outcome.result is ThreadResult.CAUGHT and outcome.submission_id is not None
    return outcome.submission_id


async def outbox_rows(db: Database, after: int) -> list[tuple[object, ...]]:
    return await rows(
        db, "SELECT action, chat_key, payload FROM outbox WHERE id > ? ORDER BY id", (after,)
    )


async def caught_and_undone(db: Database) -> tuple[int, int]:
    stats = await reports.moderation_stats(db, 20.0)
    return stats.caught_last_week, stats.undone_last_week


async def test_not_spam_restores_a_thread_catch_unbans_its_author_and_learns_it_as_ham(
    db: Database, database_path: Path
) -> None:
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    async with db.reading() as conn:
        assert await readers.is_banned(conn, AUTHOR.user_id, 10.0)
    [listed] = await spam_undo.latest_catches(db)
    assert (listed.id, listed.text, listed.author.user_id) == (caught, SPAM, AUTHOR.user_id)
    assert await caught_and_undone(db) == (1, 0)
    score_before = spam_filter.check(SPAM).score
    [[last_row]] = await rows(db, "SELECT MAX(id) FROM outbox")
    assert isinstance(last_row, int)

    outcome = await spam_undo.restore(db, settings, caught, MODERATOR, 9.0, spam_filter=spam_filter)

    assert outcome.result is UndoResult.RESTORED and outcome.unbanned
    assert outcome.submission is not None
    assert outcome.submission.status is SubmissionStatus.PENDING
    assert outcome.submission.caught_at is None and not outcome.submission.marked_spam
    async with db.reading() as conn:
        assert not await readers.is_banned(conn, AUTHOR.user_id, 10.0)
    queued = [(action, key) for action, key, _ in await outbox_rows(db, last_row)]
    assert queued == [
        ("unban_in_group", str(DISCUSSION_CHAT_ID)),
        ("send_card", str(settings.moderation_chat_id)),
    ]
    assert await rows(db, "SELECT label, text FROM spam_examples WHERE source = 'moderator'") == [
        ("ham", SPAM)
    ]
    assert spam_filter.check(SPAM).score < score_before
    assert await spam_undo.latest_catches(db) == []
    assert await caught_and_undone(db) == (1, 1)

    again = await spam_undo.restore(db, settings, caught, MODERATOR, 10.0, spam_filter=spam_filter)
    assert again.result is UndoResult.ALREADY_RESTORED
    assert await caught_and_undone(db) == (1, 1)

    # Approved, the restored comment is published by the bot in its thread (its own
    # message was deleted when it was caught), as in pre-moderation.
    [[before_approval]] = await rows(db, "SELECT MAX(id) FROM outbox")
    assert isinstance(before_approval, int)
    decided = await moderation.decide(db, settings, caught, Decision.APPROVE, MODERATOR, 11.0)
    assert decided.result is DecisionResult.APPLIED
    actions = [action for action, _, _ in await outbox_rows(db, before_approval)]
    assert "thread_post" in actions


async def test_a_ban_a_moderator_made_stays_when_the_catch_is_undone(
    db: Database, database_path: Path
) -> None:
    """Only the catch's own ban is lifted: a moderator's later ban is theirs."""
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    async with db.transaction() as conn:
        await readers.unban(conn, AUTHOR.user_id, 3.0)
        await readers.ban(conn, AUTHOR.user_id, MODERATOR.user_id, None, 4.0)
    outcome = await spam_undo.restore(db, settings, caught, MODERATOR, 9.0)
    assert outcome.result is UndoResult.RESTORED and not outcome.unbanned
    async with db.reading() as conn:
        assert await readers.is_banned(conn, AUTHOR.user_id, 10.0)


async def test_an_unknown_item_is_not_found(db: Database, database_path: Path) -> None:
    outcome = await spam_undo.restore(db, pre_moderated(database_path), 999, MODERATOR, 1.0)
    assert outcome.result is UndoResult.NOT_FOUND


def typed_by_author(text: str, message_id: int, at: float) -> ThreadComment:
    return ThreadComment(
        AUTHOR, THREAD, text, ThreadSource(DISCUSSION_CHAT_ID, message_id, THREAD), at
    )


async def test_not_spam_brings_back_what_the_catch_swept_down_or_still_up(
    db: Database, database_path: Path
) -> None:
    """Post-moderation: two comments of a newcomer wait, up in the thread; their spam is
    caught, so both are swept with the ban (rejected, no moderator's decision, on their
    way down). Telegram deletes one and refuses the other. ↩️ Not spam puts both back as
    pending: the deleted one is held (the bot posts it on approval), the refused one is
    still up (kept on approval, not posted beside itself)."""
    settings = make_settings(
        database_path,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=ThreadModeration.POST,
        flood_min_interval_seconds=0,
    )
    spam_filter = await SpamFilter.open(db, Thresholds())
    screen = SpamScreen(db, settings, spam_filter)
    waiting = []
    for number, text in enumerate(["Good point about the budget", "And the schools too"]):
        held = await thread_comments.hold_for_moderation(
            db, settings, typed_by_author(text, 10 + number, 1.0 + number), spam=screen
        )
        assert held.result is ThreadResult.WATCHED and held.submission_id is not None
        waiting.append(held.submission_id)
    [[last_row]] = await rows(db, "SELECT MAX(id) FROM outbox")
    caught = await thread_comments.hold_for_moderation(
        db, settings, typed_by_author(SPAM, 20, 5.0), spam=screen
    )
    assert caught.result is ThreadResult.CAUGHT and caught.submission_id is not None
    deletions = [
        json.loads(str(payload))["submission_id"]
        for action, _, payload in await outbox_rows(db, int(str(last_row)))
        if action == "delete_group_message"
    ]
    assert deletions == [caught.submission_id, *waiting]
    async with db.reading() as conn:
        swept = [await submissions.get(conn, item) for item in waiting]
    assert [(s.status, s.swept_by, s.decided_by) for s in swept if s] == [
        (SubmissionStatus.REJECTED, caught.submission_id, None)
    ] * 2
    assert (await reports.moderation_stats(db, 6.0)).decided_last_week == 0
    async with db.transaction() as conn:
        # What the deliveries record (bot.delivery.discussion): one deleted, one refused.
        await thread_sources.mark_original_removed(conn, DISCUSSION_CHAT_ID, 10, 6.0)
        await thread_sources.refuse_removal(conn, waiting[1], "too_old")

    outcome = await spam_undo.restore(db, settings, caught.submission_id, MODERATOR, 9.0)

    assert outcome.result is UndoResult.RESTORED
    async with db.reading() as conn:
        back = [await submissions.get(conn, item) for item in waiting]
    assert [(b.status, b.swept_by, b.is_public_in_group) for b in back if b] == [
        (SubmissionStatus.PENDING, None, False),
        (SubmissionStatus.PENDING, None, True),
    ]


async def test_a_catch_sweeps_a_comment_sent_through_the_bot_and_not_spam_gives_it_back(
    db: Database, database_path: Path
) -> None:
    """A newcomer's comment sent through the bot waits; their spam under a post is caught
    and bans them, so the comment is taken with the catch (no moderator's decision, as
    /stats counts). ↩️ Not spam gives it back, pending as before."""
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    article = await published_article(db)
    await comments.open_article(db, AUTHOR, article.id, 1.0)
    waiting = await comments.submit_comment(db, settings, AUTHOR, "The budget is late", 1.5)
    assert waiting.submission_id is not None
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    async with db.reading() as conn:
        swept = await submissions.get(conn, waiting.submission_id)
    assert swept is not None
    assert (swept.status, swept.swept_by, swept.swept_with_ban, swept.decided_by) == (
        SubmissionStatus.REJECTED,
        caught,
        True,
        None,
    )
    assert (await reports.moderation_stats(db, 6.0)).decided_last_week == 0

    await spam_undo.restore(db, settings, caught, MODERATOR, 9.0)

    async with db.reading() as conn:
        back = await submissions.get(conn, waiting.submission_id)
    assert back is not None
    assert (back.status, back.swept_by, back.swept_with_ban, back.author_banned) == (
        SubmissionStatus.PENDING,
        None,
        False,
        False,
    )
