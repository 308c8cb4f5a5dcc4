"""The Telegram side effects a state change asks for, written to the outbox.

Each effect names what should happen, not the text to send: the worker renders it from
the database when it delivers, so a card sent late already shows a decision made meanwhile.
"""

from __future__ import annotations

from enum import StrEnum

import aiosqlite

from bot.settings import Settings
from storage import outbox


class Effect(StrEnum):
    SEND_CARD = "send_card"
    REFRESH_CARDS = "refresh_cards"
    NOTIFY_AUTHOR = "notify_author"
    THREAD_POST = "thread_post"
    REFRESH_COUNTER = "refresh_counter"


async def send_card(
    conn: aiosqlite.Connection,
    settings: Settings,
    submission_id: int,
    now: float,
    *,
    again: bool = False,
) -> None:
    await outbox.enqueue(
        conn,
        Effect.SEND_CARD,
        str(settings.moderation_chat_id),
        {"submission_id": submission_id, "again": again},
        now,
    )


async def refresh_cards(
    conn: aiosqlite.Connection, settings: Settings, submission_id: int, now: float
) -> None:
    await outbox.enqueue(
        conn,
        Effect.REFRESH_CARDS,
        str(settings.moderation_chat_id),
        {"submission_id": submission_id},
        now,
    )


async def notify_author(
    conn: aiosqlite.Connection, author_id: int, submission_id: int, now: float
) -> None:
    await outbox.enqueue(
        conn, Effect.NOTIFY_AUTHOR, str(author_id), {"submission_id": submission_id}, now
    )


async def publish_comment(
    conn: aiosqlite.Connection,
    settings: Settings,
    article_id: int,
    submission_id: int,
    now: float,
) -> None:
    """Make an approved comment visible in the channel: in the thread, or on the counter."""
    if settings.discussion_chat_id is not None:
        await outbox.enqueue(
            conn,
            Effect.THREAD_POST,
            str(settings.discussion_chat_id),
            {"submission_id": submission_id, "article_id": article_id},
            now,
        )
    else:
        await outbox.enqueue(
            conn, Effect.REFRESH_COUNTER, str(settings.channel_id), {"article_id": article_id}, now
        )


async def release_thread_posts(conn: aiosqlite.Connection, article_id: int, now: float) -> None:
    """Thread posts that waited for the discussion copy of the post can go now."""
    await conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND action = ?"
        " AND json_extract(payload, '$.article_id') = ?",
        (now, Effect.THREAD_POST.value, article_id),
    )
