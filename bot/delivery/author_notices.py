"""What an author hears of a decision on their submission: the decision (with its
reason, if one was given by then), and a reason given after that notice went."""

from __future__ import annotations

import time

import aiosqlite

from bot.delivery.base import NOTHING, Delivered, Delivery, submission_and_title
from bot.rendering import readers as reader_texts
from bot.rendering import reasons as reason_texts
from bot.services import languages, reasons
from storage.models import OutboxItem, SubmissionStatus


async def notify_author(delivery: Delivery, item: OutboxItem) -> Delivered:
    loaded = await submission_and_title(delivery, item)
    if loaded is None:
        return NOTHING
    submission, title = loaded
    # Pending, or written as a channel (no private chat to tell), or its author asked to be
    # forgotten since (a thread post in flight then is recorded after: bot.services.forget).
    if (
        submission.status is SubmissionStatus.PENDING
        or submission.author.user_id < 0
        or submission.author_forgotten
    ):
        return NOTHING
    t = await languages.texts_for_id(delivery.db, delivery.settings, submission.author.user_id)
    await delivery.bot.send_message(
        submission.author.user_id, reader_texts.author_outcome(t, submission, title)
    )

    async def record(conn: aiosqlite.Connection) -> None:
        # A reason given while this was on its way follows it (bot.services.reasons).
        await reasons.notice_went(conn, submission, time.time())

    return Delivered(record)


async def reason_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    """The reason for a rejection the author was told of already."""
    loaded = await submission_and_title(delivery, item)
    if loaded is None:
        return NOTHING
    submission, title = loaded
    if (
        submission.decision_reason is None
        or submission.author.user_id < 0
        or submission.author_forgotten
    ):
        return NOTHING
    t = await languages.texts_for_id(delivery.db, delivery.settings, submission.author.user_id)
    await delivery.bot.send_message(
        submission.author.user_id, reason_texts.reason_notice(t, submission, title)
    )
    return NOTHING
