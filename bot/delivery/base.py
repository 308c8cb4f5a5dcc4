"""What every delivery function is given and returns, and the helpers they share."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiosqlite
from telegram import Bot

from bot.services import abuse, admin_notices, spam_waves
from bot.services.abuse import CardFlags
from bot.services.admin_notices import AdminNotice
from bot.settings import Settings
from storage import articles, history, outbox, submissions
from storage.db import Database
from storage.models import OutboxItem, Submission, SubmissionStatus

Record = Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass
class Delivered:
    """What a delivery leaves to write: domain state (`record`) and rows it queues."""

    record: Record | None = None
    follow_ups: list[outbox.NewRow] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """What every delivery function is given."""

    db: Database
    bot: Bot
    settings: Settings
    bot_username: str


Deliver = Callable[[Delivery, OutboxItem], Awaitable[Delivered]]

NOTHING = Delivered()


def int_of(item: OutboxItem, key: str) -> int:
    return int(item.payload.get(key) or 0)


def text_of(item: OutboxItem, key: str) -> str | None:
    value = item.payload.get(key)
    return None if value is None else str(value)


@dataclass(frozen=True)
class DeskItem:
    """What a review desk (the group's, or a moderator's own) shows: the item, if it is
    still pending, with its article's title and flags, and how many items wait."""

    submission: Submission | None
    article_title: str | None
    flags: CardFlags | None
    waiting: int


async def desk_item(
    conn: aiosqlite.Connection,
    settings: Settings,
    item_id: int | None,
    *,
    decided_too: bool = False,
) -> DeskItem:
    """`decided_too`: a private desk shows an item decided elsewhere, saying so."""
    submission = await submissions.get(conn, item_id) if item_id else None
    if submission is not None and not submission.is_pending and not decided_too:
        # Decided since the desk's row was queued; the row its decision queued shows the next.
        submission = None
    waiting = await submissions.count_by_status(conn, SubmissionStatus.PENDING)
    if submission is None:
        return DeskItem(None, None, None, waiting)
    article = (
        await articles.get(conn, submission.article_id)
        if submission.article_id is not None
        else None
    )
    past = await history.for_cards(conn, submission.author.user_id, submission.id)
    wave = await spam_waves.wave_size(conn, submission)
    return DeskItem(
        submission,
        article.title if article else None,
        abuse.flags_for(submission, past, settings, wave=wave),
        waiting,
    )


async def submission_and_title(
    delivery: Delivery, item: OutboxItem
) -> tuple[Submission, str | None] | None:
    async with delivery.db.reading() as conn:
        submission = await submissions.get(conn, int_of(item, "submission_id"))
        if submission is None:
            return None
        article = (
            await articles.get(conn, submission.article_id)
            if submission.article_id is not None
            else None
        )
    return submission, article.title if article else None


def admins_told(settings: Settings, notice: AdminNotice, reason: str) -> Record:
    """A record that tells the admins."""

    async def record(conn: aiosqlite.Connection) -> None:
        await admin_notices.tell_admins(conn, settings, notice, reason, time.time())

    return record
