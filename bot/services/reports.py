"""Figures for the people who run the bot: /stats for moderators (the queue and recent
decisions), /status for admins (the outbox's backlog, the last error Telegram gave, and
whether each configured chat answers)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from enum import StrEnum

from storage import reports, spam_catches
from storage.db import Database
from storage.models import SubmissionKind
from storage.reports import ChatBacklog, ModeratorTally, OldestPending

DAY = 86400.0
WEEK = 7 * DAY


@dataclass(frozen=True)
class ModerationStats:
    pending_comments: int
    pending_contacts: int
    oldest: OldestPending | None
    decided_last_day: int
    decided_last_week: int
    # Of the week's decisions, those the trusted-author rule made (no moderator's).
    by_rule_last_week: int
    # Seconds from submission to a moderator's decision, over the last 7 days; None if
    # no moderator decided anything then.
    median_wait: float | None
    # The last 7 days, the busiest moderator first.
    moderators: list[ModeratorTally]
    now: float
    # The last 7 days: what the spam check caught by itself, and how much of it
    # moderators took back with ↩️ Not spam.
    caught_last_week: int = 0
    undone_last_week: int = 0

    @property
    def pending(self) -> int:
        return self.pending_comments + self.pending_contacts


async def moderation_stats(db: Database, now: float) -> ModerationStats:
    """Comments and contact messages together, as moderators see them in the queue."""
    async with db.reading() as conn:
        pending = {row.kind: row.items for row in await reports.pending_by_kind(conn)}
        oldest = await reports.oldest_pending(conn)
        counts = await reports.decision_counts(conn, now - DAY, now - WEEK)
        waits = await reports.decision_waits(conn, now - WEEK)
        moderators = await reports.moderator_tallies(conn, now - WEEK)
        caught, undone = await spam_catches.counts_since(conn, now - WEEK)
    return ModerationStats(
        pending_comments=pending.get(SubmissionKind.COMMENT, 0),
        pending_contacts=pending.get(SubmissionKind.CONTACT, 0),
        oldest=oldest,
        decided_last_day=counts.since_day,
        decided_last_week=counts.since_week,
        by_rule_last_week=counts.by_rule_since_week,
        # A clock set back between submission and decision must not make a wait negative.
        median_wait=max(0.0, statistics.median(waits)) if waits else None,
        moderators=moderators,
        now=now,
        caught_last_week=caught,
        undone_last_week=undone,
    )


@dataclass(frozen=True)
class DeliveryError:
    """The last error Telegram gave a delivery, kept in memory by the outbox worker."""

    at: float
    chat_key: str
    action: str
    description: str


class ChatRole(StrEnum):
    """What a configured chat is for; /status names it in the admin's language."""

    CHANNEL = "channel"
    MODERATION = "moderation"
    DISCUSSION = "discussion"


@dataclass(frozen=True)
class ChatCheck:
    """A configured chat and what getChat said of it: its title, Telegram's error, or
    the bot's membership status there when it is not in it (left, kicked...); and the
    rights it lacks there ("administrator" for a plain member that must be one)."""

    role: ChatRole
    chat_key: str
    title: str | None = None
    error: str | None = None
    absent_as: str | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class BotStatus:
    version: str
    uptime: float
    backlog: list[ChatBacklog]
    last_error: DeliveryError | None
    chats: list[ChatCheck]
    now: float

    @property
    def waiting_rows(self) -> int:
        return sum(chat.rows for chat in self.backlog)

    @property
    def oldest_row_at(self) -> float | None:
        return min((chat.oldest_created_at for chat in self.backlog), default=None)


async def bot_status(
    db: Database,
    now: float,
    *,
    version: str,
    started_at: float,
    last_error: DeliveryError | None,
    chats: list[ChatCheck],
) -> BotStatus:
    """What /status shows: the outbox's backlog read now, with what the caller knows of
    the running process and asked Telegram of the chats."""
    async with db.reading() as conn:
        backlog = await reports.outbox_backlog(conn)
    return BotStatus(version, max(0.0, now - started_at), backlog, last_error, chats, now)
