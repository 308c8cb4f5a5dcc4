"""Articles: what admins post to the channel and take down."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import aiosqlite

from bot.services import effects
from bot.settings import Settings
from bot.text import tg_length
from storage import articles, discussion_copies
from storage.db import Database
from storage.models import Article, ArticleListing

# Kept well inside Telegram's 4096-character message so the post always fits
# (measured as Telegram might: an emoji can count twice).
TITLE_MAX_LENGTH = 256
SUMMARY_MAX_LENGTH = 2500
URL_MAX_LENGTH = 2048
# Nothing orders Telegram's answer to a post's sendMessage and the post's automatic forward
# to the discussion group (/work/shared/telegram/README.md): a forward that no article
# claims yet is kept until its post is recorded, which takes moments. The channel's posts
# the bot did not make are forwarded too: theirs expire, and a burst of them is bounded.
EARLY_COPY_KEPT_FOR = 3600.0
EARLY_COPIES_KEPT = 100


@dataclass(frozen=True)
class PostRequest:
    url: str
    title: str
    summary: str


class PostProblem(StrEnum):
    NO_LINK = "no_link"
    NOT_A_LINK = "not_a_link"
    LINK_TOO_LONG = "link_too_long"
    NO_TITLE = "no_title"
    TITLE_TOO_LONG = "title_too_long"
    SUMMARY_TOO_LONG = "summary_too_long"


class PostCommandError(ValueError):
    """What is wrong with a /post command (the admin reads it in their language:
    bot.rendering.admins.post_refused)."""

    def __init__(self, problem: PostProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_post_command(arguments: str) -> PostRequest:
    """Read `<url>` then, on the next lines, the title and an optional summary."""
    first_line, _, rest = arguments.strip().partition("\n")
    url = first_line.strip()
    lines = rest.strip().split("\n", 1) if rest.strip() else []
    title = lines[0].strip() if lines else ""
    summary = lines[1].strip() if len(lines) > 1 else ""
    if not url:
        raise PostCommandError(PostProblem.NO_LINK)
    if " " in url or not _is_web_url(url):
        raise PostCommandError(PostProblem.NOT_A_LINK)
    if len(url) > URL_MAX_LENGTH:
        raise PostCommandError(PostProblem.LINK_TOO_LONG)
    if not title:
        raise PostCommandError(PostProblem.NO_TITLE)
    if tg_length(title) > TITLE_MAX_LENGTH:
        raise PostCommandError(PostProblem.TITLE_TOO_LONG)
    if tg_length(summary) > SUMMARY_MAX_LENGTH:
        raise PostCommandError(PostProblem.SUMMARY_TOO_LONG)
    return PostRequest(url=url, title=title, summary=summary)


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in {"http", "https"}
        and bool(re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", parts.netloc))
        and "." in parts.netloc
    )


@dataclass(frozen=True)
class PostOutcome:
    article: Article
    # The link was posted (or is being posted) already: nothing new is posted.
    already: bool = False


async def request_post(
    db: Database, settings: Settings, request: PostRequest, admin_id: int, now: float
) -> PostOutcome:
    """Store the article and queue its channel post, in one transaction.

    The post goes through the outbox: a timeout is retried rather than thrown away with
    its article (whose id the post's comment link carries, and which is never handed out
    again), and a second /post of the same link finds the first instead of posting twice.
    """
    async with db.transaction() as conn:
        existing = await articles.live_with_url(conn, request.url)
        if existing is not None and existing.is_unconfirmed_post:
            # The admin looked: the post whose answer was lost is not in the channel.
            await articles.post_again(conn, existing.id)
            await effects.post_to_channel(conn, settings, existing.id, admin_id, now)
            return PostOutcome(existing)
        if existing is not None:
            return PostOutcome(existing, already=True)
        article_id = await articles.insert_draft(
            conn, request.url, request.title, request.summary, admin_id, now
        )
        await effects.post_to_channel(conn, settings, article_id, admin_id, now)
        article = await articles.get(conn, article_id)
    assert article is not None
    return PostOutcome(article)


async def create_draft(db: Database, request: PostRequest, admin_id: int, now: float) -> Article:
    """An article not yet posted (tests build on it; /post uses request_post)."""
    async with db.transaction() as conn:
        article_id = await articles.insert_draft(
            conn, request.url, request.title, request.summary, admin_id, now
        )
        article = await articles.get(conn, article_id)
    assert article is not None
    return article


async def confirm_published(db: Database, article_id: int, channel_message_id: int) -> None:
    """The post is in the channel (tests build on it; the outbox's channel_post records it
    with record_post)."""
    async with db.transaction() as conn:
        await record_post(conn, article_id, channel_message_id, time.time())


async def record_post(
    conn: aiosqlite.Connection, article_id: int, channel_message_id: int, now: float
) -> None:
    """The article's post is in the channel: its comment thread is linked too if its
    automatic forward came first."""
    await articles.mark_published(conn, article_id, channel_message_id)
    early = await discussion_copies.take(conn, channel_message_id)
    if early is not None:
        await articles.set_discussion_message(conn, channel_message_id, early)
        await effects.release_thread_posts(conn, article_id, now)


async def get_article(db: Database, article_id: int) -> Article | None:
    async with db.reading() as conn:
        return await articles.get(conn, article_id)


async def close_article(
    db: Database, settings: Settings, article_id: int, admin_id: int, now: float
) -> Article | None:
    """Close an article to new comments and queue the deletion of its channel post (the
    admin hears how that went); returns it as it was, or None if not published."""
    async with db.transaction() as conn:
        article = await articles.get(conn, article_id)
        if article is None or not await articles.mark_unpublished(conn, article_id, now):
            return None
        if article.channel_message_id is not None:
            await effects.delete_channel_post(
                conn, settings, article.id, article.channel_message_id, admin_id, now
            )
    return article


async def recent_articles(
    db: Database, limit: int, *, published_only: bool
) -> list[ArticleListing]:
    async with db.reading() as conn:
        return await articles.list_recent(conn, limit, published_only=published_only)


async def link_discussion_copy(
    db: Database, channel_message_id: int, discussion_message_id: int, now: float
) -> int | None:
    """Remember where an article's comment thread is, and release comments waiting for it.
    A copy of a post not recorded yet is kept for when it is (record_post)."""
    async with db.transaction() as conn:
        article_id = await articles.set_discussion_message(
            conn, channel_message_id, discussion_message_id
        )
        if article_id is not None:
            await effects.release_thread_posts(conn, article_id, now)
        else:
            await discussion_copies.keep(
                conn,
                channel_message_id,
                discussion_message_id,
                now,
                kept_for=EARLY_COPY_KEPT_FOR,
                at_most=EARLY_COPIES_KEPT,
            )
    return article_id
