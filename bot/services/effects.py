"""The Telegram side effects a state change asks for, written to the outbox.

Each effect names what should happen, not the text to send: the worker renders it from
the database when it delivers, so a card sent late already shows a decision made meanwhile.
"""

from __future__ import annotations

from enum import StrEnum

import aiosqlite

from bot.settings import Settings
from storage import outbox
from storage.models import OutboxItem, SubmissionKind


class Effect(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SEND_CARD = "send_card"
    REFRESH_CARDS = "refresh_cards"
    NOTIFY_AUTHOR = "notify_author"
    THREAD_POST = "thread_post"
    REFRESH_COUNTER = "refresh_counter"
    SEND_CONTINUATION = "send_continuation"
    RETRACT_THREAD_POST = "retract_thread_post"
    ADMIN_NOTICE = "admin_notice"
    SHOW_DESK = "show_desk"
    DELIVER_REPLY = "deliver_reply"
    REPLY_NOTICE = "reply_notice"


# How long the worker leaves an acknowledgement to the handler that delivers it itself: it
# covers the moment between the commit and the hand-over, after which the worker keeps away
# from the reader's chat until the handler's send is settled. A handler that never got to
# hand it over leaves it this long; a restart releases it at once.
HANDLER_DELIVERY_LEASE = 30.0


def received_rows(
    settings: Settings,
    author_id: int,
    submission_id: int,
    kind: SubmissionKind,
    now: float,
    *,
    article_title: str | None = None,
    published: bool = False,
    acknowledged_by_handler: bool = False,
) -> tuple[outbox.NewRow, outbox.NewRow]:
    """What a stored submission asks for: the reader hears it was received (or published),
    and the moderators get a card.

    The acknowledgement is queued, not sent by the handler, so that a crash never loses
    it. With `acknowledged_by_handler` the handler sends it the moment the transaction
    commits (the reader is not kept waiting behind the outbox) and the worker leaves the
    row alone for HANDLER_DELIVERY_LEASE.
    """
    acknowledgement = outbox.NewRow(
        Effect.ACKNOWLEDGE,
        str(author_id),
        {
            "submission_id": submission_id,
            "kind": kind.value,
            "title": article_title,
            "published": published,
        },
        due_at=now + HANDLER_DELIVERY_LEASE if acknowledged_by_handler else None,
    )
    card = outbox.NewRow(
        Effect.SEND_CARD, str(settings.moderation_chat_id), {"submission_id": submission_id}
    )
    return acknowledgement, card


def queued(row: outbox.NewRow, row_id: int) -> OutboxItem:
    return OutboxItem(row_id, row.action, row.chat_key, row.payload, attempts=0)


async def submission_received(
    conn: aiosqlite.Connection,
    settings: Settings,
    author_id: int,
    submission_id: int,
    kind: SubmissionKind,
    now: float,
) -> None:
    """Queue `received_rows` for one submission, in one statement."""
    await outbox.enqueue_all(
        conn, received_rows(settings, author_id, submission_id, kind, now), now
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
    await _channel_change(conn, settings, Effect.THREAD_POST, article_id, submission_id, now)


async def _channel_change(
    conn: aiosqlite.Connection,
    settings: Settings,
    thread_effect: Effect,
    article_id: int,
    submission_id: int,
    now: float,
) -> None:
    """A comment shown or taken back: its thread post with a discussion group, else the
    post's counter, which counts whatever is approved when it is delivered."""
    if settings.discussion_chat_id is not None:
        await outbox.enqueue(
            conn,
            thread_effect,
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
    await outbox.release_action_for_article(conn, Effect.THREAD_POST, article_id, now)


async def deliver_reply(
    conn: aiosqlite.Connection, chat_key: str, reply_id: int, now: float
) -> None:
    """One message of a contact conversation, to the reader or into the moderation chat."""
    await outbox.enqueue(conn, Effect.DELIVER_REPLY, chat_key, {"reply_id": reply_id}, now)


async def reply_notice(
    conn: aiosqlite.Connection, settings: Settings, reply_id: int, now: float
) -> None:
    """Tell the moderator who wrote an answer that it could not reach the reader."""
    await outbox.enqueue(
        conn, Effect.REPLY_NOTICE, str(settings.moderation_chat_id), {"reply_id": reply_id}, now
    )


async def send_continuation(
    conn: aiosqlite.Connection,
    settings: Settings,
    submission_id: int,
    card_message_id: int,
    part: int,
    now: float,
) -> None:
    """One piece of a text too long for its card; queued once the card exists."""
    await outbox.enqueue(
        conn,
        Effect.SEND_CONTINUATION,
        str(settings.moderation_chat_id),
        {"submission_id": submission_id, "card_message_id": card_message_id, "part": part},
        now,
    )


async def retract_comment(
    conn: aiosqlite.Connection,
    settings: Settings,
    article_id: int,
    submission_id: int,
    now: float,
) -> None:
    """Take a published comment back: out of the thread, or off the counter."""
    await _channel_change(
        conn, settings, Effect.RETRACT_THREAD_POST, article_id, submission_id, now
    )


class AdminNotice(StrEnum):
    MODERATION_CHAT_DOWN = "moderation_chat_down"
    MODERATION_CHAT_BACK = "moderation_chat_back"


async def tell_admins(
    conn: aiosqlite.Connection, settings: Settings, notice: AdminNotice, reason: str, now: float
) -> None:
    for admin_id in settings.admin_ids:
        await outbox.enqueue(
            conn,
            Effect.ADMIN_NOTICE,
            str(admin_id),
            {"notice": notice.value, "reason": reason},
            now,
        )


async def show_desk(
    conn: aiosqlite.Connection, settings: Settings, now: float, *, new_message: bool = False
) -> None:
    """Bring the review desk up to date (or post it afresh, for /queue)."""
    await outbox.enqueue(
        conn, Effect.SHOW_DESK, str(settings.moderation_chat_id), {"new": new_message}, now
    )


async def fold_cards_into_desk(
    conn: aiosqlite.Connection, settings: Settings, card_row_ids: list[int], now: float
) -> None:
    """Cards that the group's budget cannot carry: their items wait on the desk instead."""
    await outbox.settle_delivered(conn, card_row_ids, now, note="folded into the review desk")
    await show_desk(conn, settings, now)
