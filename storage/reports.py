"""Read-only figures for moderators' /stats and admins' /status: the queue, recent
decisions, and the outbox's backlog."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import SubmissionKind


@dataclass(frozen=True)
class PendingKind:
    kind: SubmissionKind
    items: int


@dataclass(frozen=True)
class OldestPending:
    submission_id: int
    kind: SubmissionKind
    created_at: float


@dataclass(frozen=True)
class DecisionCounts:
    since_day: int
    since_week: int
    # Of those since the week's start: published at once by the trusted-author rule.
    by_rule_since_week: int


@dataclass(frozen=True)
class ModeratorTally:
    moderator_id: int
    # The name the moderator had at their latest decision.
    name: str
    approved: int
    rejected: int
    # Rejected with a ban of the author (one ban also rejects the author's other comments
    # still up in the discussion group: each is counted).
    banned: int


@dataclass(frozen=True)
class ChatBacklog:
    chat_key: str
    rows: int
    oldest_created_at: float


PENDING_BY_KIND_SQL = (
    "SELECT kind, COUNT(*) AS items FROM submissions WHERE status = 'pending' GROUP BY kind"
)
OLDEST_PENDING_SQL = (
    "SELECT id, kind, created_at FROM submissions WHERE status = 'pending'"
    " ORDER BY created_at, id LIMIT 1"
)
# `SUM(x >= ?)` counts the rows where the comparison holds (it is 1 or 0 in SQLite).
DECISION_COUNTS_SQL = (
    "SELECT COUNT(*) AS since_week, COALESCE(SUM(decided_at >= ?), 0) AS since_day,"
    " COALESCE(SUM(auto_approved = 1 AND decided_by IS NULL), 0) AS by_rule"
    # An item swept with its author's catch was no one's decision.
    " FROM submissions WHERE decided_at >= ? AND swept_by IS NULL"
)
# Items that waited for a moderator: the trusted-author rule's approvals waited for
# nothing, and a moderator taking one back later did not keep its author waiting.
DECISION_WAITS_SQL = (
    "SELECT decided_at - created_at AS waited FROM submissions"
    " WHERE decided_at >= ? AND decided_by IS NOT NULL AND auto_approved = 0 ORDER BY waited"
)
# With exactly one max() in an aggregate query, SQLite takes the bare column
# (decided_by_name) from the row holding that maximum: the name at the latest decision.
MODERATOR_TALLIES_SQL = (
    "SELECT decided_by, decided_by_name, MAX(decided_at) AS latest,"
    " SUM(status = 'approved') AS approved,"
    " SUM(status = 'rejected' AND author_banned = 0) AS rejected,"
    " SUM(author_banned = 1) AS banned"
    " FROM submissions WHERE decided_at >= ? AND decided_by IS NOT NULL"
    " GROUP BY decided_by ORDER BY COUNT(*) DESC, decided_by"
)
OUTBOX_BACKLOG_SQL = (
    "SELECT chat_key, COUNT(*) AS waiting, MIN(created_at) AS oldest FROM outbox"
    " WHERE status = 'pending' GROUP BY chat_key ORDER BY waiting DESC, chat_key"
)


async def pending_by_kind(conn: aiosqlite.Connection) -> list[PendingKind]:
    rows = await fetch_all(conn, PENDING_BY_KIND_SQL)
    return [PendingKind(SubmissionKind(row["kind"]), int(row["items"])) for row in rows]


async def oldest_pending(conn: aiosqlite.Connection) -> OldestPending | None:
    row = await fetch_one(conn, OLDEST_PENDING_SQL)
    if row is None:
        return None
    return OldestPending(int(row["id"]), SubmissionKind(row["kind"]), float(row["created_at"]))


async def decision_counts(
    conn: aiosqlite.Connection, day_start: float, week_start: float
) -> DecisionCounts:
    row = await fetch_one(conn, DECISION_COUNTS_SQL, (day_start, week_start))
    assert row is not None  # an aggregate without GROUP BY always gives one row
    return DecisionCounts(int(row["since_day"]), int(row["since_week"]), int(row["by_rule"]))


async def decision_waits(conn: aiosqlite.Connection, since: float) -> list[float]:
    """Seconds from submission to a moderator's decision, shortest first."""
    return [float(row["waited"]) for row in await fetch_all(conn, DECISION_WAITS_SQL, (since,))]


async def moderator_tallies(conn: aiosqlite.Connection, since: float) -> list[ModeratorTally]:
    """Each moderator's decisions since `since`, the busiest first."""
    rows = await fetch_all(conn, MODERATOR_TALLIES_SQL, (since,))
    return [
        ModeratorTally(
            moderator_id=int(row["decided_by"]),
            name=str(row["decided_by_name"] or f"user {row['decided_by']}"),
            approved=int(row["approved"]),
            rejected=int(row["rejected"]),
            banned=int(row["banned"]),
        )
        for row in rows
    ]


async def outbox_backlog(conn: aiosqlite.Connection) -> list[ChatBacklog]:
    """Rows waiting to be delivered, by chat, the longest queue first."""
    rows = await fetch_all(conn, OUTBOX_BACKLOG_SQL)
    return [
        ChatBacklog(str(row["chat_key"]), int(row["waiting"]), float(row["oldest"])) for row in rows
    ]
