"""Articles: what admins post to the channel and take down."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.services import effects
from bot.text import tg_length
from storage import articles
from storage.db import Database
from storage.models import Article, ArticleListing

# Kept well inside Telegram's 4096-character message so the post always fits
# (measured as Telegram might: an emoji can count twice).
TITLE_MAX_LENGTH = 256
SUMMARY_MAX_LENGTH = 2500
URL_MAX_LENGTH = 2048


@dataclass(frozen=True)
class PostRequest:
    url: str
    title: str
    summary: str


class PostCommandError(ValueError):
    """What is wrong with a /post command, worded for the admin."""


def parse_post_command(arguments: str) -> PostRequest:
    """Read `<url>` then, on the next lines, the title and an optional summary."""
    first_line, _, rest = arguments.strip().partition("\n")
    url = first_line.strip()
    lines = rest.strip().split("\n", 1) if rest.strip() else []
    title = lines[0].strip() if lines else ""
    summary = lines[1].strip() if len(lines) > 1 else ""
    if not url:
        raise PostCommandError("The article's link is missing.")
    if " " in url or not _is_web_url(url):
        raise PostCommandError("The first line must be the article's link, starting with https://.")
    if len(url) > URL_MAX_LENGTH:
        raise PostCommandError(f"The link is longer than {URL_MAX_LENGTH} characters.")
    if not title:
        raise PostCommandError("The title is missing: put it on the line after the link.")
    if tg_length(title) > TITLE_MAX_LENGTH:
        raise PostCommandError(f"The title is longer than {TITLE_MAX_LENGTH} characters.")
    if tg_length(summary) > SUMMARY_MAX_LENGTH:
        raise PostCommandError(f"The summary is longer than {SUMMARY_MAX_LENGTH} characters.")
    return PostRequest(url=url, title=title, summary=summary)


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in {"http", "https"}
        and bool(re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", parts.netloc))
        and "." in parts.netloc
    )


async def create_draft(db: Database, request: PostRequest, admin_id: int, now: float) -> Article:
    """Store the article before posting it: the post's comment link needs its id."""
    async with db.transaction() as conn:
        article_id = await articles.insert_draft(
            conn, request.url, request.title, request.summary, admin_id, now
        )
        article = await articles.get(conn, article_id)
    assert article is not None
    return article


async def confirm_published(db: Database, article_id: int, channel_message_id: int) -> None:
    async with db.transaction() as conn:
        await articles.mark_published(conn, article_id, channel_message_id)


async def discard_draft(db: Database, article_id: int) -> None:
    async with db.transaction() as conn:
        await articles.delete_draft(conn, article_id)


async def get_article(db: Database, article_id: int) -> Article | None:
    async with db.reading() as conn:
        return await articles.get(conn, article_id)


async def close_article(db: Database, article_id: int, now: float) -> Article | None:
    """Close an article to new comments; returns it as it was, or None if not published."""
    async with db.transaction() as conn:
        article = await articles.get(conn, article_id)
        if article is None or not await articles.mark_unpublished(conn, article_id, now):
            return None
    return article


async def recent_articles(
    db: Database, limit: int, *, published_only: bool
) -> list[ArticleListing]:
    async with db.reading() as conn:
        return await articles.list_recent(conn, limit, published_only=published_only)


async def link_discussion_copy(
    db: Database, channel_message_id: int, discussion_message_id: int, now: float
) -> int | None:
    """Remember where an article's comment thread is, and release comments waiting for it."""
    async with db.transaction() as conn:
        article_id = await articles.set_discussion_message(
            conn, channel_message_id, discussion_message_id
        )
        if article_id is not None:
            await effects.release_thread_posts(conn, article_id, now)
    return article_id
