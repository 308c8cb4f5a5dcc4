"""Replies bring readers back: when a published comment is answered in its thread (by a
reader, typed there or sent through the bot, or by an editor), its author hears it
privately, with the reply and a link to it, at most once per thread every ten minutes,
unless they sent /notifications off.

The notice is queued when the reply is public, not before: a reader's reply held for a
moderator (THREAD_MODERATION=pre) once the bot has posted it; one left up (`post`, or
`off`) and an editor's as soon as it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.services.effects import Effect
from bot.settings import Settings
from storage import outbox, readers, reply_notices
from storage.db import Database

# At most one notice per reader and thread in this many seconds.
NOTICE_INTERVAL = 600.0
# The reply travels in the outbox row; the notice shows less of it.
REPLY_KEPT = 1000


@dataclass(frozen=True)
class ThreadReply:
    """A public message in the discussion group that answers another."""

    chat_id: int
    answered_message_id: int
    # The reply's own message there: what the notice links to.
    message_id: int
    # Who wrote it (a channel's or the group's id when written as one).
    replier_id: int
    replier_name: str
    # Its text or caption; "[photo]" and the like for media without one.
    text: str


async def queue_notice(
    conn: aiosqlite.Connection, settings: Settings, reply: ThreadReply, now: float
) -> bool:
    """Queue the notice `reply` owes the author of the comment it answers, if it owes
    one; True if queued. In the caller's transaction, with what made the reply public."""
    if reply.chat_id != settings.discussion_chat_id:
        return False
    answered = await reply_notices.answered_comment(conn, reply.chat_id, reply.answered_message_id)
    if answered is None:
        return False
    author = answered.author_id
    # A comment written as a channel has no private chat to tell; nobody hears of their
    # own reply; a banned reader hears nothing more from the bot.
    if author <= 0 or author == reply.replier_id:
        return False
    if await readers.is_banned(conn, author, now) or await reply_notices.turned_off(conn, author):
        return False
    if not await reply_notices.claim(conn, author, answered.article_id or 0, now, NOTICE_INTERVAL):
        return False
    await outbox.enqueue(
        conn,
        Effect.COMMENT_ANSWERED,
        str(author),
        {
            "submission_id": answered.submission_id,
            "article_id": answered.article_id,
            "group": reply.chat_id,
            "message_id": reply.message_id,
            "name": reply.replier_name,
            "text": reply.text[:REPLY_KEPT],
        },
        now,
    )
    return True


async def reply_written(db: Database, settings: Settings, reply: ThreadReply, now: float) -> bool:
    """A reply public as soon as it is written (an editor's, or any with
    THREAD_MODERATION=off): its notice, in a transaction of its own."""
    async with db.transaction() as conn:
        return await queue_notice(conn, settings, reply, now)


async def set_notifications(db: Database, user_id: int, *, on: bool, now: float) -> None:
    async with db.transaction() as conn:
        await reply_notices.turn(conn, user_id, on=on, now=now)


async def notifications_on(db: Database, user_id: int) -> bool:
    async with db.reading() as conn:
        return not await reply_notices.turned_off(conn, user_id)
