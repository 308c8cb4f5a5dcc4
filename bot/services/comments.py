"""Readers' comments: opening an article, and submitting a comment to moderation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import aiosqlite

from bot.cas import CasVerdict
from bot.services import abuse, effects, languages, spam_screen, spam_waves
from bot.services.spam_screen import Arrival, Screening, SpamScreen
from bot.settings import Settings
from storage import (
    articles,
    history,
    intake,
    outbox,
    processed_updates,
    readers,
    reply_notices,
    submissions,
)
from storage.db import Database
from storage.models import Article, ArticleStatus, Person, PublishedComment, SubmissionKind

COMMENTING = "commenting"
# In a commenting reader's state: the message of the thread their comment answers.
REPLY_TO = "reply_to"
ARTICLE_VIEW_COMMENTS = 10


class OpenResult(StrEnum):
    READY = "ready"
    NOT_FOUND = "not_found"
    CLOSED = "closed"
    BANNED = "banned"


@dataclass(frozen=True)
class ArticleView:
    result: OpenResult
    article: Article | None = None
    comments: list[PublishedComment] = field(default_factory=list)
    approved_count: int = 0
    # BANNED: when the ban ends (None: for good).
    banned_until: float | None = None


class SubmitResult(StrEnum):
    ACCEPTED = "accepted"
    # The same Telegram message handled again after a crash: it was stored the first time.
    ALREADY_STORED = "already_stored"
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    FLOOD = "flood"
    # The reader has no article open (only `submit_comment`, which reads their state).
    NOT_COMMENTING = "not_commenting"
    BANNED = "banned"
    ARTICLE_CLOSED = "article_closed"
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class SubmitOutcome:
    result: SubmitResult
    submission_id: int | None = None
    article: Article | None = None
    retry_at: float = 0.0
    # BANNED: when the ban ends (None: for good).
    banned_until: float | None = None


async def open_article(
    db: Database, reader: Person, article_id: int, now: float, *, reply_to: int | None = None
) -> ArticleView:
    """Make the reader's next text message a comment on the article (`reply_to`: answering
    that message of its thread), and show it to them (through the outbox, with the change:
    READY). Otherwise, why not."""
    async with db.transaction() as conn:
        article = await articles.get(conn, article_id)
        if article is None or article.status in {ArticleStatus.DRAFT, ArticleStatus.FAILED}:
            return ArticleView(OpenResult.NOT_FOUND)
        comments = await submissions.latest_approved(conn, article_id, ARTICLE_VIEW_COMMENTS)
        count = await submissions.approved_count(conn, article_id)
        if not article.open_for_comments:
            return ArticleView(OpenResult.CLOSED, article, comments, count)
        ban = await readers.active_ban(conn, reader.user_id, now)
        if ban is not None:
            return ArticleView(OpenResult.BANNED, article, comments, count, ban.until)
        # Their name and language: the article view is written in it by the outbox.
        await readers.remember(conn, reader, now)
        if reply_to is not None and not await reply_notices.in_thread(conn, article_id, reply_to):
            # A ↩️ Reply link names a message outside this article's thread (made by hand,
            # or its comment since taken down): the article opens as its own link opens it.
            reply_to = None
        replying = {REPLY_TO: str(reply_to)} if reply_to is not None else None
        await readers.set_state(conn, reader.user_id, COMMENTING, article_id, now, replying)
        await effects.tell_reader(
            conn,
            reader.user_id,
            effects.ReaderNotice.ARTICLE_VIEW,
            now,
            article_id=article_id,
            replying=reply_to is not None,
        )
    return ArticleView(OpenResult.READY, article, comments, count)


@dataclass(frozen=True)
class CommentRequest:
    author: Person
    # The article the reader is commenting on (their stored state says which).
    article_id: int
    text: str
    now: float
    # The reader's Telegram message: handled again after a crash, it is found, not stored twice.
    message_id: int | None = None
    # The update it came in: recorded as handled with the comment, in its transaction.
    update: processed_updates.HandledUpdate | None = None
    # CAS's answer on the author, asked before the batch (the spam check weighs it).
    cas: CasVerdict = CasVerdict.UNKNOWN
    # ↩️ Reply: the message of the article's thread this comment answers.
    reply_to: int | None = None


async def submit_comment(
    db: Database,
    settings: Settings,
    author: Person,
    text: str,
    now: float,
    *,
    message_id: int | None = None,
) -> SubmitOutcome:
    """A comment on the article the reader has open (NOT_COMMENTING if none): stored as
    pending, with its card and acknowledgement, in one transaction. The bot's handler
    routes by the state it read and calls `submit_comments` through CommentIntake."""
    async with db.reading() as conn:
        state = await readers.get_state(conn, author.user_id)
    if state is None or state.mode != COMMENTING or state.article_id is None:
        return SubmitOutcome(SubmitResult.NOT_COMMENTING)
    [outcome] = await submit_comments(
        db, settings, [CommentRequest(author, state.article_id, text, now, message_id)]
    )
    return outcome


async def submit_comments(
    db: Database,
    settings: Settings,
    requests: Sequence[CommentRequest],
    spam: SpamScreen | None = None,
) -> list[SubmitOutcome]:
    """Store comments that arrived together, each judged as if it came alone, in one
    transaction; one statement per step serves them all. Authors must be distinct (one
    person's updates are handled in order, so one comment each is in flight at a time)."""
    assert len({r.author.user_id for r in requests}) == len(requests)
    # NUL is invisible and SQLite's JSON functions cut a text short at it, which would let
    # a repeated text through the repeat check: it is dropped.
    texts = [r.text.replace("\x00", "").strip() for r in requests]
    stored_updates: list[processed_updates.HandledUpdate] = []
    async with db.transaction() as conn:
        arrivals = await intake.comment_arrivals(
            conn,
            [
                intake.Incoming(
                    r.author.user_id,
                    r.message_id,
                    text,
                    r.article_id,
                    abuse.history_since(settings, r.now),
                    r.now,
                )
                for r, text in zip(requests, texts, strict=True)
            ],
        )
        # Every comment meets the spam check once, refused or not (it counts in a wave).
        screenings = (
            await spam.screen_in(
                conn,
                [Arrival(r.author.user_id, r.text, r.now, r.cas) for r in requests],
            )
            if spam is not None
            else [None] * len(requests)
        )
        outcomes = [
            judge(settings, arrival, text, r.now)
            for r, arrival, text in zip(requests, arrivals, texts, strict=True)
        ]
        taken = [
            index
            for index, outcome in enumerate(outcomes)
            if outcome.result is SubmitResult.ACCEPTED
        ]
        if taken:
            outcomes = await _store(
                conn, settings, requests, texts, arrivals, outcomes, taken, screenings
            )
            # A stored comment ends the reader's commenting; a refusal keeps them in the
            # article, so a shorter try needs no link (and a ban or a closed article is
            # answered the same way again).
            await readers.clear_states(conn, [requests[i].author.user_id for i in taken])
            # Each stored comment's update is handled by this transaction; the others are
            # recorded once their answer is sent.
            stored_updates = [u for i in taken if (u := requests[i].update) is not None]
            await processed_updates.record(
                conn, [u.update_id for u in stored_updates], requests[0].now
            )
    for update in stored_updates:
        update.recorded = True
    return outcomes


def judge(
    settings: Settings,
    arrival: intake.Arrival,
    text: str,
    now: float,
    *,
    about_an_article: bool = True,
) -> SubmitOutcome:
    """Whether a comment is taken, from what it met on arrival (ACCEPTED: to be stored).
    One typed in the discussion group outside any post of ours is about no article."""
    if arrival.stored_submission_id is not None:
        return SubmitOutcome(SubmitResult.ALREADY_STORED)
    if arrival.banned:
        return SubmitOutcome(SubmitResult.BANNED, banned_until=arrival.banned_until)
    article = arrival.article
    if about_an_article and (article is None or not article.open_for_comments):
        return SubmitOutcome(SubmitResult.ARTICLE_CLOSED, article=article)
    if not text:
        return SubmitOutcome(SubmitResult.EMPTY, article=article)
    if len(text) > settings.comment_max_length:
        return SubmitOutcome(SubmitResult.TOO_LONG, article=article)
    refusal = abuse.refusal_for(settings, arrival.recent, text, now)
    if refusal is not None:
        if refusal.reason is abuse.RefusalReason.DUPLICATE:
            return SubmitOutcome(SubmitResult.DUPLICATE, article=article)
        return SubmitOutcome(SubmitResult.FLOOD, article=article, retry_at=refusal.retry_at)
    return SubmitOutcome(SubmitResult.ACCEPTED, article=article)


async def _store(
    conn: aiosqlite.Connection,
    settings: Settings,
    requests: Sequence[CommentRequest],
    texts: list[str],
    arrivals: list[intake.Arrival],
    outcomes: list[SubmitOutcome],
    taken: list[int],
    screenings: Sequence[Screening | None],
) -> list[SubmitOutcome]:
    """Store the taken comments, pending (or published, for trusted authors), each with its
    acknowledgement and card; returns the outcomes with what was stored."""
    await readers.remember_all(
        conn, [requests[i].author for i in taken], max(requests[i].now for i in taken)
    )
    articles_of = {i: arrivals[i].article for i in taken}
    submission_ids = await submissions.insert_comments(
        conn,
        [
            submissions.NewComment(
                requests[i].author.user_id,
                requests[i].author.display_name,
                _article_id(articles_of[i]),
                texts[i],
                requests[i].now,
                requests[i].message_id,
                spam_waves.wave_print(texts[i]),
                requests[i].reply_to,
            )
            for i in taken
        ],
    )
    stored = dict(zip(taken, submission_ids, strict=True))
    caught = await _judge_spam(conn, settings, requests, screenings, stored, taken)
    # A trusted author's words the check doubts wait on a flagged card like anyone's (an
    # account taken over writes spam); only what it finds genuine is published at once.
    trusted = {
        i
        for i in taken
        if not ((screening := screenings[i]) is not None and screening.flagged)
        and await _is_trusted(conn, settings, requests[i].author.user_id)
    }
    rows: list[outbox.NewRow] = []
    for i in taken:
        article = articles_of[i]
        acknowledgement, card = effects.received_rows(
            settings,
            requests[i].author.user_id,
            stored[i],
            SubmissionKind.COMMENT,
            article_title=article.title if article else None,
            published=i in trusted,
            language=languages.texts_of(
                arrivals[i].chosen_language,
                requests[i].author.language_code or arrivals[i].known_language_code,
                settings,
            ).language,
        )
        # Caught spam: its sender hears the usual "received", and no moderator sees it.
        rows += [acknowledgement] if i in caught else [acknowledgement, card]
    await outbox.enqueue_all(conn, rows, max(requests[i].now for i in taken))
    for i in trusted:
        await submissions.auto_approve(conn, stored[i], requests[i].now)
        await effects.publish_comment(
            conn, settings, _article_id(articles_of[i]), stored[i], requests[i].now
        )
    result = list(outcomes)
    for i in taken:
        result[i] = SubmitOutcome(
            SubmitResult.PUBLISHED if i in trusted else SubmitResult.ACCEPTED,
            stored[i],
            articles_of[i],
        )
    return result


async def _judge_spam(
    conn: aiosqlite.Connection,
    settings: Settings,
    requests: Sequence[CommentRequest],
    screenings: Sequence[Screening | None],
    stored: dict[int, int],
    taken: list[int],
) -> set[int]:
    """Keep the spam check's flag with the stored comments, and set aside those it caught
    (rejected as spam by nobody, kept for /spam); returns which were caught."""
    screened = {i: s for i in taken if (s := screenings[i]) is not None and s.flagged}
    await submissions.flag_spam(conn, [s.stored(stored[i]) for i, s in screened.items()])
    caught = {i for i, s in screened.items() if s.catches}
    for i in caught:
        await spam_screen.catch(
            conn, settings, stored[i], requests[i].author.user_id, screened[i], requests[i].now
        )
    return caught


def _article_id(article: Article | None) -> int:
    assert article is not None  # a taken comment met an open article
    return article.id


async def _is_trusted(conn: aiosqlite.Connection, settings: Settings, user_id: int) -> bool:
    """WordPress's "comment author must have a previously approved comment", made a setting."""
    if settings.trusted_auto_approve <= 0:
        return False
    past = await history.of_author(conn, user_id)
    return past.approved >= settings.trusted_auto_approve and past.rejected == 0


async def cancel(db: Database, user_id: int, now: float) -> str | None:
    """Forget what the reader was doing and tell them so; returns what that was (None:
    nothing, and nothing is said)."""
    async with db.transaction() as conn:
        state = await readers.get_state(conn, user_id)
        if state is None:
            return None
        await readers.clear_state(conn, user_id)
        notice = (
            effects.ReaderNotice.FORM_CANCELLED
            if state.mode != COMMENTING
            else effects.ReaderNotice.CANCELLED
        )
        await effects.tell_reader(conn, user_id, notice, now)
    return state.mode
