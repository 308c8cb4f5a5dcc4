"""Readers' comments: opening an article, and submitting a comment to moderation."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import aiosqlite

from bot.services import abuse, effects
from bot.settings import Settings
from storage import articles, history, intake, readers, submissions
from storage.db import Database
from storage.models import Article, OutboxItem, Person, PublishedComment, SubmissionKind

COMMENTING = "commenting"
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


class SubmitResult(StrEnum):
    ACCEPTED = "accepted"
    # The same Telegram message handled again after a crash: it was stored the first time.
    ALREADY_STORED = "already_stored"
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    FLOOD = "flood"
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
    # The acknowledgement for the handler to send now (None: the outbox sends it).
    acknowledgement: OutboxItem | None = None


async def open_article(db: Database, reader: Person, article_id: int, now: float) -> ArticleView:
    """Show an article and make the reader's next text message a comment on it."""
    async with db.transaction() as conn:
        article = await articles.get(conn, article_id)
        if article is None or article.channel_message_id is None:
            return ArticleView(OpenResult.NOT_FOUND)
        comments = await submissions.latest_approved(conn, article_id, ARTICLE_VIEW_COMMENTS)
        count = await submissions.approved_count(conn, article_id)
        if not article.open_for_comments:
            return ArticleView(OpenResult.CLOSED, article, comments, count)
        if await readers.is_banned(conn, reader.user_id):
            return ArticleView(OpenResult.BANNED, article, comments, count)
        await readers.set_state(conn, reader.user_id, COMMENTING, article_id, now)
    return ArticleView(OpenResult.READY, article, comments, count)


async def submit_comment(
    db: Database,
    settings: Settings,
    author: Person,
    text: str,
    now: float,
    *,
    message_id: int | None = None,
) -> SubmitOutcome:
    """Store the comment as pending, with its card and acknowledgement, in one transaction."""
    text = text.strip()
    async with db.transaction() as conn:
        arrival = await intake.comment_arrival(
            conn, author.user_id, message_id, text, abuse.history_since(settings, now)
        )
        if arrival.stored_submission_id is not None:
            return SubmitOutcome(SubmitResult.ALREADY_STORED)
        state = arrival.state
        if state is None or state.mode != COMMENTING or state.article_id is None:
            return SubmitOutcome(SubmitResult.NOT_COMMENTING)
        if arrival.banned:
            await readers.clear_state(conn, author.user_id)
            return SubmitOutcome(SubmitResult.BANNED)
        article = arrival.article
        if article is None or not article.open_for_comments:
            await readers.clear_state(conn, author.user_id)
            return SubmitOutcome(SubmitResult.ARTICLE_CLOSED, article=article)
        # A refused text keeps the reader in the article, so a shorter try needs no new link.
        if not text:
            return SubmitOutcome(SubmitResult.EMPTY, article=article)
        if len(text) > settings.comment_max_length:
            return SubmitOutcome(SubmitResult.TOO_LONG, article=article)
        refusal = abuse.refusal_for(settings, arrival.recent, text, now)
        if refusal is not None:
            if refusal.reason is abuse.RefusalReason.DUPLICATE:
                await readers.clear_state(conn, author.user_id)
                return SubmitOutcome(SubmitResult.DUPLICATE, article=article)
            return SubmitOutcome(SubmitResult.FLOOD, article=article, retry_at=refusal.retry_at)
        await readers.remember(conn, author, now)
        trusted = await _is_trusted(conn, settings, author.user_id)
        submission_id = await submissions.insert(
            conn,
            SubmissionKind.COMMENT,
            author.user_id,
            article.id,
            text,
            now,
            source_message_id=message_id,
        )
        if trusted:
            await submissions.auto_approve(conn, submission_id, now)
        # The handler sends the acknowledgement itself unless earlier messages to the
        # reader are still waiting in the outbox, which keeps each chat's order.
        acknowledgement = await effects.submission_received(
            conn,
            settings,
            author.user_id,
            submission_id,
            SubmissionKind.COMMENT,
            now,
            article_title=article.title,
            published=trusted,
            acknowledged_by_handler=not arrival.outbox_waiting,
        )
        if trusted:
            await effects.publish_comment(conn, settings, article.id, submission_id, now)
        await readers.clear_state(conn, author.user_id)
    result = SubmitResult.PUBLISHED if trusted else SubmitResult.ACCEPTED
    return SubmitOutcome(
        result,
        submission_id,
        article,
        acknowledgement=None if arrival.outbox_waiting else acknowledgement,
    )


async def _is_trusted(conn: aiosqlite.Connection, settings: Settings, user_id: int) -> bool:
    """WordPress's "comment author must have a previously approved comment", made a setting."""
    if settings.trusted_auto_approve <= 0:
        return False
    past = await history.of_author(conn, user_id)
    return past.approved >= settings.trusted_auto_approve and past.rejected == 0


async def current_mode(db: Database, user_id: int) -> str | None:
    async with db.reading() as conn:
        state = await readers.get_state(conn, user_id)
    return state.mode if state else None


async def cancel(db: Database, user_id: int) -> str | None:
    """Forget what the reader was doing; returns what that was (None: nothing)."""
    async with db.transaction() as conn:
        state = await readers.get_state(conn, user_id)
        await readers.clear_state(conn, user_id)
    return state.mode if state else None
