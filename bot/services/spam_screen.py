"""The spam check on what readers send: its verdict on one message, with the author's
record and, when CAS_CHECK is on, the Combot Anti-Spam list.

What a verdict does is the caller's (bot.services.comments, thread_comments, contact):
with SPAM_FILTER=on confident spam is caught (never a card), "unsure" is a flagged card;
with `flag` every message is a card, flagged; with `off` nothing is checked. Automatic
catches are never learned: the filter would feed on itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from bot.cas import CasChecker, CasVerdict
from bot.settings import Settings, SpamFilterMode
from bot.spam.checker import AuthorRecord, Reason, ReasonKind, SpamCheck, Verdict
from bot.spam.filter import SpamFilter
from storage import history, moderation_log, submissions
from storage.db import Database
from storage.models import LoggedAction
from storage.submissions import SpamVerdict

# `banned_by` of a ban the spam check made (no moderator's id is 0).
BANNED_BY_SPAM_CHECK = 0
# The reason a ban the spam check made carries in the moderation record.
SPAM_CHECK_BAN_REASON = "spam"


@dataclass(frozen=True)
class Screening:
    check: SpamCheck
    mode: SpamFilterMode
    # The author's approved submissions: spam from one of them never bans them.
    approved: int

    @property
    def catches(self) -> bool:
        """Confident spam, and the filter removes what it is sure of."""
        return self.mode is SpamFilterMode.ON and self.check.verdict is Verdict.SPAM

    @property
    def flagged(self) -> bool:
        """Shown to moderators with "⚠️ Likely spam" (in a dry run, spam too)."""
        return self.check.verdict is not Verdict.HAM

    def stored(self, submission_id: int) -> SpamVerdict:
        return SpamVerdict(
            submission_id,
            self.check.score,
            [(r.kind.value, r.count, r.minutes) for r in self.check.reasons],
        )


class SpamScreen:
    """One per process, built in post_init; `cas` is None unless CAS_CHECK is on."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        spam_filter: SpamFilter,
        cas: CasChecker | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._filter = spam_filter
        self._cas = cas

    @property
    def checking(self) -> bool:
        return self._settings.spam_filter is not SpamFilterMode.OFF

    async def cas_verdict(self, user_id: int) -> CasVerdict:
        """CAS's answer (UNKNOWN at once with CAS_CHECK off). Outside any transaction: CAS
        reads its cache under the database's lock."""
        if self._cas is None or not self.checking:
            return CasVerdict.UNKNOWN
        return await self._cas.check(user_id)

    async def screen(self, user_id: int, text: str, now: float) -> Screening | None:
        """The verdict on one message checked on its own (None: SPAM_FILTER=off), outside
        any transaction. Intake uses `screen_in` instead, in the transaction that stores the
        message, so that two messages of one author at once are not both a first one."""
        if not self.checking:
            return None
        # Asked first, so that CAS's answer comes while the record is read.
        cas = asyncio.create_task(self.cas_verdict(user_id))
        async with self._db.reading() as conn:
            records = await history.spam_records(conn, [user_id])
        [screening] = self.judge([Arrival(user_id, text, now, await cas)], records)
        return screening

    async def screen_in(
        self, conn: aiosqlite.Connection, arrivals: Sequence[Arrival]
    ) -> list[Screening | None]:
        """As `screen`, for messages that arrived together, inside the caller's
        transaction (their authors' records in one statement); CAS asked beforehand."""
        if not self.checking:
            return [None] * len(arrivals)
        records = await history.spam_records(conn, [a.user_id for a in arrivals])
        return self.judge(arrivals, records)

    def judge(
        self, arrivals: Sequence[Arrival], records: dict[int, tuple[int, int, int]]
    ) -> list[Screening | None]:
        screenings: list[Screening | None] = []
        for arrival in arrivals:
            approved, spam, earlier = records.get(arrival.user_id, (0, 0, 0))
            author = AuthorRecord(
                arrival.user_id, approved=approved, spam=spam, earlier_messages=earlier
            )
            check = self._filter.check(
                arrival.text, author=author, now=arrival.now, to_the_editors=arrival.to_the_editors
            )
            # UNKNOWN (CAS off, failing or slow) counts for nothing.
            if arrival.cas is CasVerdict.BANNED:
                check = _listed_by_cas(check, author, self._filter.thresholds.spam)
            screenings.append(Screening(check, self._settings.spam_filter, approved))
        return screenings


async def catch(
    conn: aiosqlite.Connection,
    settings: Settings,
    submission_id: int,
    author_id: int,
    screening: Screening,
    now: float,
    *,
    ban: bool = False,
) -> None:
    """Set aside what the spam check caught by itself (for /spam and its undo), with its
    line in the moderation record, by the bot: the check's reasons, never the words. With
    `ban`, the catch says its author was banned for it (the caller bans them:
    bot.services.bans.ban_caught_author)."""
    await submissions.mark_caught(conn, submission_id, now, author_banned=ban)
    await moderation_log.append(
        conn,
        LoggedAction.CAUGHT,
        now,
        moderator=None,
        author_id=author_id,
        submission_id=submission_id,
        detail={"reasons": [reason.kind.value for reason in screening.check.reasons]},
    )


@dataclass(frozen=True)
class Arrival:
    """A message to check: who sent it, its words, when, and what CAS said of them."""

    user_id: int
    text: str
    now: float
    cas: CasVerdict = CasVerdict.UNKNOWN
    # A contact message: asking to be written back privately is no sign of spam there.
    to_the_editors: bool = False


def _listed_by_cas(check: SpamCheck, author: AuthorRecord, spam_threshold: float) -> SpamCheck:
    """A listed account's message is spam, unless its author is trusted here (then unsure,
    as the checker caps them)."""
    score = max(check.score, spam_threshold)
    verdict = Verdict.UNSURE if author.trusted else Verdict.SPAM
    reasons = (Reason(ReasonKind.CAS_LISTED), *check.reasons)
    return dataclasses.replace(check, score=score, verdict=verdict, reasons=reasons)
