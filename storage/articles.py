"""Articles and the channel posts that carry them."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import Article, ArticleListing, ArticleStatus

_COLUMN_NAMES = (
    "id",
    "url",
    "title",
    "summary",
    "status",
    "channel_message_id",
    "discussion_message_id",
    "created_by",
    "created_at",
    "counter_shown",
    "image_url",
)
_COLUMNS = ", ".join(_COLUMN_NAMES)


def columns_of(alias: str) -> str:
    """The article columns of a query that joins `articles AS alias`, under their own names."""
    return ", ".join(f"{alias}.{name} AS {name}" for name in _COLUMN_NAMES)


def article_from_row(row: aiosqlite.Row) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        summary=row["summary"],
        status=ArticleStatus(row["status"]),
        channel_message_id=row["channel_message_id"],
        discussion_message_id=row["discussion_message_id"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        counter_shown=row["counter_shown"],
        image_url=row["image_url"],
    )


async def insert_draft(
    conn: aiosqlite.Connection,
    url: str,
    title: str,
    summary: str,
    created_by: int,
    now: float,
    *,
    image_url: str | None = None,
) -> int:
    """`created_by`: the admin who asked, or FROM_FEED."""
    cursor = await conn.execute(
        "INSERT INTO articles (url, title, summary, status, created_by, created_at, image_url)"
        " VALUES (?, ?, ?, 'draft', ?, ?, ?)",
        (url, title, summary, created_by, now, image_url),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def mark_published(
    conn: aiosqlite.Connection, article_id: int, channel_message_id: int
) -> None:
    await conn.execute(
        "UPDATE articles SET status = 'published', channel_message_id = ? WHERE id = ?",
        (channel_message_id, article_id),
    )


async def mark_published_unconfirmed(conn: aiosqlite.Connection, article_id: int) -> None:
    """Posted, as far as anyone can tell: Telegram's answer was lost (no message id)."""
    await conn.execute(
        "UPDATE articles SET status = 'published' WHERE id = ? AND status = 'draft'",
        (article_id,),
    )


async def post_again(conn: aiosqlite.Connection, article_id: int) -> None:
    """An unconfirmed post the admin found missing: the article is a draft again."""
    await conn.execute(
        "UPDATE articles SET status = 'draft' WHERE id = ? AND status = 'published'"
        " AND channel_message_id IS NULL",
        (article_id,),
    )


async def mark_failed(conn: aiosqlite.Connection, article_id: int) -> None:
    """Telegram refused the post. The row stays, so that its id is never handed out again."""
    await conn.execute(
        "UPDATE articles SET status = 'failed' WHERE id = ? AND status = 'draft'", (article_id,)
    )


async def ever_with_url_prefix(conn: aiosqlite.Connection, prefix: str) -> list[tuple[int, str]]:
    """Every article ever made with a link that starts with `prefix` (taken down on request
    included), as (id, link), oldest first: a feed entry whose link is one of them, once
    tracking parameters are dropped, is not posted again."""
    # A range the index on url serves: every string that starts with `prefix` sorts
    # between it and it followed by the last code point.
    rows = await fetch_all(
        conn,
        "SELECT id, url FROM articles WHERE url >= ? AND url < ? ORDER BY id",
        (prefix, prefix + "\U0010ffff"),
    )
    return [(int(row[0]), str(row[1])) for row in rows]


async def live_with_url(conn: aiosqlite.Connection, url: str) -> Article | None:
    """The article with this link that is posted or being posted, if any."""
    row = await fetch_one(
        conn,
        f"SELECT {_COLUMNS} FROM articles WHERE url = ? AND status IN ('draft', 'published')"
        " ORDER BY id DESC LIMIT 1",
        (url,),
    )
    return article_from_row(row) if row else None


async def mark_unpublished(conn: aiosqlite.Connection, article_id: int, now: float) -> bool:
    cursor = await conn.execute(
        "UPDATE articles SET status = 'unpublished', unpublished_at = ?"
        " WHERE id = ? AND status = 'published'",
        (now, article_id),
    )
    return cursor.rowcount == 1


async def get(conn: aiosqlite.Connection, article_id: int) -> Article | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,))
    return article_from_row(row) if row else None


async def by_discussion_message(
    conn: aiosqlite.Connection, discussion_message_id: int
) -> Article | None:
    """The article whose post's automatic forward (its comment thread) this is."""
    row = await fetch_one(
        conn,
        f"SELECT {_COLUMNS} FROM articles WHERE discussion_message_id = ?",
        (discussion_message_id,),
    )
    return article_from_row(row) if row else None


async def set_discussion_message(
    conn: aiosqlite.Connection, channel_message_id: int, discussion_message_id: int
) -> int | None:
    """Remember the discussion-group copy of a channel post; returns the article id."""
    row = await fetch_one(
        conn,
        "UPDATE articles SET discussion_message_id = ? WHERE channel_message_id = ? RETURNING id",
        (discussion_message_id, channel_message_id),
    )
    return int(row["id"]) if row else None


async def list_recent(
    conn: aiosqlite.Connection, limit: int, *, published_only: bool
) -> list[ArticleListing]:
    status_filter = (
        "status = 'published'" if published_only else "status IN ('published', 'unpublished')"
    )
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS},"
        " (SELECT COUNT(*) FROM submissions s WHERE s.article_id = a.id AND s.status = 'approved')"
        "   AS approved_count,"
        " (SELECT COUNT(*) FROM submissions s WHERE s.article_id = a.id AND s.status = 'pending')"
        "   AS pending_count"
        f" FROM articles a WHERE {status_filter} ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [
        ArticleListing(article_from_row(row), row["approved_count"], row["pending_count"])
        for row in rows
    ]


async def set_counter_shown(conn: aiosqlite.Connection, article_id: int, count: int) -> None:
    await conn.execute("UPDATE articles SET counter_shown = ? WHERE id = ?", (count, article_id))
