"""/stats and /status figures, from a fixed set of rows with known times."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.services import reports
from bot.services.reports import ChatCheck, ChatRole, DeliveryError
from storage.db import Database
from storage.models import SubmissionKind
from storage.reports import ChatBacklog, ModeratorTally, OldestPending

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
NOW = 100 * DAY
READER_ID = 2001
MO, ANN = 1002, 1003


@dataclass(frozen=True)
class Row:
    created_at: float
    kind: str = "comment"
    status: str = "pending"
    decided_by: int | None = None
    decided_by_name: str | None = None
    decided_at: float | None = None
    author_banned: bool = False
    auto_approved: bool = False


def decided(
    by: int | None,
    name: str,
    status: str,
    created_at: float,
    waited: float,
    *,
    banned: bool = False,
    auto: bool = False,
) -> Row:
    return Row(created_at, "comment", status, by, name, created_at + waited, banned, auto)


ROWS = [
    # Waiting now: two comments and a contact message, the contact message the oldest.
    Row(NOW - 2 * HOUR),
    Row(NOW - 5 * HOUR, kind="contact"),
    Row(NOW - 10 * MINUTE),
    # The last 24 hours.
    decided(MO, "Mo Derator", "approved", NOW - HOUR, 10 * MINUTE),
    decided(MO, "Mo Derator", "rejected", NOW - 3 * HOUR, HOUR),
    decided(MO, "Mo D.", "approved", NOW - 35 * MINUTE, 15 * MINUTE),
    # Published at once by the trusted-author rule: no moderator's, and no wait.
    decided(None, "trusted author rule", "approved", NOW - HOUR, 0.0, auto=True),
    # Earlier in the week.
    decided(ANN, "Ann Other", "rejected", NOW - 2 * DAY, 30 * MINUTE, banned=True),
    decided(ANN, "Ann Other", "approved", NOW - 3 * DAY, 2 * MINUTE),
    decided(ANN, "Ann Other", "rejected", NOW - 5 * DAY, 5 * MINUTE),
    # Published by the rule, taken back by Ann two hours later: her rejection, but nobody
    # waited for it.
    decided(ANN, "Ann Other", "rejected", NOW - 4 * DAY, 2 * HOUR, auto=True),
    # Over a week ago: counted nowhere.
    decided(MO, "Mo Derator", "approved", NOW - 8 * DAY, MINUTE),
    decided(ANN, "Ann Other", "rejected", NOW - 9 * DAY, 10 * HOUR, banned=True),
]


async def insert(db: Database, rows: list[Row]) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO readers (user_id, first_name, updated_at) VALUES (?, 'Ada', 0)",
            (READER_ID,),
        )
        for row in rows:
            await conn.execute(
                "INSERT INTO submissions (kind, user_id, text, status, created_at, decided_by,"
                " decided_by_name, decided_at, author_banned, auto_approved)"
                " VALUES (?, ?, 'text', ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.kind,
                    READER_ID,
                    row.status,
                    row.created_at,
                    row.decided_by,
                    row.decided_by_name,
                    row.decided_at,
                    int(row.author_banned),
                    int(row.auto_approved),
                ),
            )


async def test_stats_of_a_known_week(db: Database) -> None:
    """Pending by kind, the oldest, the day's and week's decisions, the median wait of
    moderators' decisions, and each moderator's tally under their latest name."""
    await insert(db, ROWS)
    stats = await reports.moderation_stats(db, NOW)
    assert (stats.pending, stats.pending_comments, stats.pending_contacts) == (3, 2, 1)
    assert stats.oldest == OldestPending(2, SubmissionKind.CONTACT, NOW - 5 * HOUR)
    assert (stats.decided_last_day, stats.decided_last_week, stats.by_rule_last_week) == (4, 8, 1)
    # Moderators' waits: 2, 5, 10, 15, 30 and 60 minutes; the rule's approval and Ann's
    # taking one back are left out, and so is everything older than a week.
    assert stats.median_wait == pytest.approx(12.5 * MINUTE)
    assert stats.moderators == [
        ModeratorTally(ANN, "Ann Other", approved=1, rejected=2, banned=1),
        ModeratorTally(MO, "Mo D.", approved=2, rejected=1, banned=0),
    ]


async def test_stats_of_an_empty_database(db: Database) -> None:
    """Nothing waiting, nothing decided: zeros and no median, not an error."""
    stats = await reports.moderation_stats(db, NOW)
    assert (stats.pending, stats.oldest) == (0, None)
    assert (stats.decided_last_day, stats.decided_last_week, stats.by_rule_last_week) == (0, 0, 0)
    assert stats.median_wait is None
    assert stats.moderators == []


async def test_a_decision_exactly_a_day_old_counts_in_the_day(db: Database) -> None:
    """The windows include their start: 24 h ago is still "the last 24 hours"."""
    await insert(db, [decided(MO, "Mo", "approved", NOW - DAY - HOUR, HOUR)])
    stats = await reports.moderation_stats(db, NOW)
    assert (stats.decided_last_day, stats.decided_last_week) == (1, 1)
    assert stats.median_wait == pytest.approx(HOUR)


async def test_status_counts_the_outbox_backlog_by_chat(db: Database) -> None:
    """Pending rows by chat, the longest queue first, each with its oldest row; settled
    rows are not backlog; uptime counts from the start."""
    async with db.transaction() as conn:
        for chat_key, row_status, created_at in (
            ("-100", "pending", NOW - 30.0),
            ("-100", "pending", NOW - 90.0),
            ("2001", "pending", NOW - 10.0),
            ("2001", "delivered", NOW - 500.0),
            ("2002", "failed", NOW - 900.0),
        ):
            await conn.execute(
                "INSERT INTO outbox (action, chat_key, payload, status, next_attempt_at,"
                " created_at) VALUES ('send_card', ?, '{}', ?, ?, ?)",
                (chat_key, row_status, created_at, created_at),
            )
    error = DeliveryError(NOW - 5.0, "-100", "send_card", "429 retry after 30s")
    chats = [ChatCheck(ChatRole.MODERATION, "-100", title="Moderators")]
    status = await reports.bot_status(
        db, NOW, version="9.9", started_at=NOW - HOUR, last_error=error, chats=chats
    )
    assert status.backlog == [
        ChatBacklog("-100", 2, NOW - 90.0),
        ChatBacklog("2001", 1, NOW - 10.0),
    ]
    assert (status.waiting_rows, status.oldest_row_at) == (3, NOW - 90.0)
    assert (status.version, status.uptime, status.last_error, status.chats) == (
        "9.9",
        HOUR,
        error,
        chats,
    )


async def test_status_of_an_empty_outbox(db: Database) -> None:
    status = await reports.bot_status(
        db, NOW, version="1", started_at=NOW, last_error=None, chats=[]
    )
    assert (status.backlog, status.waiting_rows, status.oldest_row_at) == ([], 0, None)
