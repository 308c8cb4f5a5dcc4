"""Replies to published comments: which comment a message in the thread answers, when
each author was last told of a reply per thread, and who turned these notices off."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_one


@dataclass(frozen=True)
class AnsweredComment:
    submission_id: int
    author_id: int
    # None: typed in the discussion group under no post of ours.
    article_id: int | None


# A comment is published at a message when the bot posted it there, or when its author's
# own message stands there: left up (post-moderation, or the bot could not take it down)
# and not rejected. The latest revision of an edited message speaks for it. A comment
# whose author was forgotten (left up, signed "a former reader") has no author to tell.
ANSWERED_SQL = (
    "SELECT id, user_id, article_id FROM submissions"
    " WHERE thread_message_id = ? AND status = 'approved' AND author_forgotten = 0"
    " UNION ALL SELECT id, user_id, article_id FROM submissions"
    " WHERE thread_source_chat_id = ? AND thread_source_message_id = ?"
    " AND original_kept = 1 AND original_removed_at IS NULL AND status != 'rejected'"
    " AND author_forgotten = 0 ORDER BY id DESC LIMIT 1"
)


async def answered_comment(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> AnsweredComment | None:
    """The published comment that the message `message_id` of the discussion group is."""
    row = await fetch_one(conn, ANSWERED_SQL, (message_id, chat_id, message_id))
    if row is None:
        return None
    return AnsweredComment(int(row[0]), int(row[1]), row[2])


# The post's copy, or a comment on the article published in its thread (as ANSWERED_SQL).
IN_THREAD_SQL = (
    "SELECT 1 FROM articles WHERE id = ? AND discussion_message_id = ?"
    " UNION ALL SELECT 1 FROM submissions WHERE thread_message_id = ? AND article_id = ?"
    " AND status = 'approved'"
    " UNION ALL SELECT 1 FROM submissions WHERE article_id = ?"
    " AND thread_source_message_id = ? AND original_kept = 1"
    " AND original_removed_at IS NULL AND status != 'rejected' LIMIT 1"
)


async def in_thread(conn: aiosqlite.Connection, article_id: int, message_id: int) -> bool:
    """Whether the message `message_id` of the discussion group stands in the thread of
    `article_id`: the post's own copy there, or a comment on that article published there
    (as ANSWERED_SQL counts one)."""
    row = await fetch_one(
        conn,
        IN_THREAD_SQL,
        (article_id, message_id, message_id, article_id, article_id, message_id),
    )
    return row is not None


async def claim(
    conn: aiosqlite.Connection, user_id: int, article_id: int, now: float, interval: float
) -> bool:
    """Note a notice to `user_id` about the thread of `article_id` now, unless one was
    noted within `interval`; True if this one may go."""
    cursor = await conn.execute(
        "INSERT INTO reply_notices (user_id, article_id, noticed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, article_id) DO UPDATE SET noticed_at = excluded.noticed_at"
        " WHERE reply_notices.noticed_at <= ?",
        (user_id, article_id, now, now - interval),
    )
    return cursor.rowcount == 1


async def prune(conn: aiosqlite.Connection, before: float) -> int:
    """Forget notices noted before `before` (through the index on noticed_at): one that
    old holds no notice back."""
    cursor = await conn.execute("DELETE FROM reply_notices WHERE noticed_at < ?", (before,))
    return cursor.rowcount


async def turned_off(conn: aiosqlite.Connection, user_id: int) -> bool:
    row = await fetch_one(conn, "SELECT 1 FROM reply_notices_off WHERE user_id = ?", (user_id,))
    return row is not None


async def turn(conn: aiosqlite.Connection, user_id: int, *, on: bool, now: float) -> None:
    if on:
        await conn.execute("DELETE FROM reply_notices_off WHERE user_id = ?", (user_id,))
        return
    await conn.execute(
        "INSERT INTO reply_notices_off (user_id, turned_off_at) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO NOTHING",
        (user_id, now),
    )
