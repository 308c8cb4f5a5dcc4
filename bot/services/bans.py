"""Bans with a term and a reason: /ban, the term chosen on a card, /bans, and bans that run
out lifting themselves.

A card's `🚫 Ban author` bans for good at once (a troll must not keep writing while the
moderator thinks); the card then offers the terms of CARD_TERMS, and a tap shortens (or
lengthens) the ban, counted from when it was made. Telegram ends the ban in the discussion
group by itself at its `until_date`; the bot lifts its own record then (BanExpiry).
Whatever bans an author (a card, /ban, the spam check) sweeps every comment they have
waiting, not their contact messages (`sweep`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import aiosqlite

from bot.parsing import SHORTEST_TERM, Term, parse_term
from bot.services import desk, effects, group_effects, private_desk
from bot.services.periodic import Periodic
from bot.services.spam_screen import BANNED_BY_SPAM_CHECK
from bot.settings import Settings
from storage import (
    moderation_cards,
    moderation_log,
    readers,
    spam_catches,
    submissions,
    thread_sources,
)
from storage.db import Database
from storage.models import Ban, LoggedAction, Person, Submission, SubmissionStatus

logger = logging.getLogger(__name__)

# The terms a card offers after `🚫 Ban author`, as /ban spells them (bot.parsing).
CARD_TERMS = ("24h", "7d", "forever")
# How often bans that ran out are lifted and recorded. The reader may write again from the
# ban's end whatever this is (a ban past its end no longer holds, storage.readers); this
# is only how late the record and a channel's ban in the group follow.
EXPIRY_CHECK_SECONDS = 60.0
# /bans reads at most this many, more than one message holds (it says how many more there
# are): the spam check's bans of newcomers may number thousands.
LISTED_AT_MOST = 100


def until_of(term: Term, start: float) -> float | None:
    return None if term.seconds is None else start + term.seconds


@dataclass(frozen=True)
class CommandBan:
    ban: Ban
    # The ban that held before this one replaced it, if any.
    replaced: Ban | None
    # How many of the reader's waiting comments were settled with it.
    swept: int = 0


async def ban(
    db: Database,
    settings: Settings,
    user_id: int,
    term: Term,
    reason: str,
    moderator: Person,
    now: float,
) -> CommandBan:
    """/ban USER TERM REASON: the reader banned from now for `term`, over any ban that holds
    (the moderator's latest word is the one that counts)."""
    made = Ban(
        user_id=user_id,
        banned_by=moderator.user_id,
        banned_by_name=moderator.display_name,
        banned_at=now,
        until=until_of(term, now),
        reason=reason,
        submission_id=None,
    )
    async with db.transaction() as conn:
        replaced = await readers.active_ban(conn, user_id, now)
        await readers.set_ban(conn, made)
        await moderation_log.append(
            conn,
            LoggedAction.BAN,
            now,
            moderator=moderator,
            author_id=user_id,
            reason=reason,
            until=made.until,
            detail={"replaced": True} if replaced else None,
        )
        await group_effects.ban_in_discussion_group(conn, settings, user_id, now, until=made.until)
        # As 🚫 Ban author on a card: what they have waiting is settled with the ban, so
        # that no later tap publishes a banned reader.
        swept = await sweep(conn, settings, user_id, moderator, now, banned_for=None)
        if swept:
            await desk.refresh_if_open(conn, settings, now)
    return CommandBan(made, replaced, swept)


async def sweep(
    conn: aiosqlite.Connection,
    settings: Settings,
    author_id: int,
    moderator: Person | None,
    now: float,
    *,
    banned_for: int | None,
) -> int:
    """A banned author's waiting comments are settled with the ban, whatever made it (a
    card's 🚫 Ban author or 🧹 Spam, /ban, the spam check): one tap, not one per message,
    and no card left whose ✅ Approve would publish a banned reader. Those up in the
    discussion group come down; those sent through the bot are rejected. Their author is
    not told (the ban is what they hear of), so the swept cards ask for no reason.
    Contact messages are not swept: a banned reader may still write to the editors
    something they must read (a takedown request, a correction), and they wait for them.
    `banned_for`: the item whose verdict made the ban (left as its verdict settles it).
    `moderator` None: the spam check banned them for the catch `banned_for`, and what is
    swept is recorded as taken with it (↩️ Not spam brings it back). Returns how many."""
    swept = 0
    for other_id in await thread_sources.pending_comments_by(conn, author_id):
        if other_id == banned_for:
            continue
        if moderator is None:
            assert banned_for is not None  # the spam check bans for a catch
            taken = await spam_catches.sweep(conn, other_id, banned_for, now)
        else:
            taken = await submissions.decide(
                conn,
                other_id,
                SubmissionStatus.REJECTED,
                moderator.user_id,
                moderator.display_name,
                now,
                author_banned=True,
                swept_with_ban=True,
            )
        if not taken:
            continue
        swept += 1
        other = await submissions.get(conn, other_id)
        assert other is not None
        await moderation_log.append(
            conn,
            LoggedAction.REMOVE if other.is_public_in_group else LoggedAction.REJECT,
            now,
            moderator=moderator,
            author_id=author_id,
            submission_id=other_id,
            detail={"with_ban_for": banned_for} if banned_for is not None else {"with_ban": True},
        )
        await group_effects.remove_from_group(conn, other, now, tell_author=False)
        await effects.refresh_cards(conn, settings, other_id, now)
        await private_desk.item_decided(conn, settings, other_id, now)
    return swept


async def ban_caught_author(
    conn: aiosqlite.Connection, settings: Settings, catch: Submission, now: float, *, reason: str
) -> None:
    """The spam check (or flood control) caught `catch` and bans its author, here and from
    the discussion group, sweeping their other waiting comments as 🚫 Ban author does;
    ↩️ Not spam on the catch undoes all of it (bot.services.spam_undo)."""
    author = catch.author.user_id
    if await readers.ban(conn, author, BANNED_BY_SPAM_CHECK, catch.id, now):
        await moderation_log.append(
            conn,
            LoggedAction.BAN,
            now,
            moderator=None,
            author_id=author,
            submission_id=catch.id,
            reason=reason,
        )
    await group_effects.ban_in_discussion_group(conn, settings, author, now)
    if await sweep(conn, settings, author, None, now, banned_for=catch.id):
        await desk.refresh_if_open(conn, settings, now)


async def unban(
    db: Database, settings: Settings, user_id: int, now: float, moderator: Person | None = None
) -> bool:
    """/unban: the reader may write again, here and in the discussion group."""
    async with db.transaction() as conn:
        return await _lift(conn, settings, user_id, now, moderator)


class TermResult(StrEnum):
    SET = "set"
    # The ban has that term already.
    UNCHANGED = "unchanged"
    # The term, counted from the ban, is over: the ban was lifted.
    LIFTED = "lifted"
    # No ban made from this card holds any more (lifted, run out, or replaced by /ban).
    NO_BAN = "no_ban"
    WRONG_CARD = "wrong_card"


@dataclass(frozen=True)
class TermOutcome:
    result: TermResult
    ban: Ban | None = None


async def choose_term(
    db: Database,
    settings: Settings,
    submission_id: int,
    term: Term,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int],
) -> TermOutcome:
    """A term tapped on the card whose `🚫 Ban author` made the ban: it then runs from the
    ban's start. The card is brought up to date with it (one edit)."""
    async with db.transaction() as conn:
        if await moderation_cards.submission_of_card(conn, *pressed_on) != submission_id:
            return TermOutcome(TermResult.WRONG_CARD)
        submission = await submissions.get(conn, submission_id)
        if submission is None:
            return TermOutcome(TermResult.WRONG_CARD)
        author_id = submission.author.user_id
        held = await readers.active_ban(conn, author_id, now)
        if held is None or held.submission_id != submission_id:
            return TermOutcome(TermResult.NO_BAN, held)
        until = until_of(term, held.banned_at)
        if until == held.until:
            return TermOutcome(TermResult.UNCHANGED, held)
        if until is not None and until < now + SHORTEST_TERM:
            await _lift(conn, settings, author_id, now, moderator, {"term_over": True})
            await effects.refresh_cards(conn, settings, submission_id, now)
            return TermOutcome(TermResult.LIFTED, held)
        chosen = replace(held, until=until)
        await readers.set_ban(conn, chosen)
        await moderation_log.append(
            conn,
            LoggedAction.BAN,
            now,
            moderator=moderator,
            author_id=author_id,
            submission_id=submission_id,
            reason=held.reason,
            until=until,
            detail={"term_of_ban_at": held.banned_at},
        )
        await group_effects.ban_in_discussion_group(conn, settings, author_id, now, until=until)
        await effects.refresh_cards(conn, settings, submission_id, now)
    return TermOutcome(TermResult.SET, chosen)


async def made_from(conn: aiosqlite.Connection, submission: Submission, now: float) -> Ban | None:
    """The ban this item's `🚫 Ban author` made, while it holds: its card offers the terms."""
    if not submission.author_banned:
        return None
    ban = await readers.active_ban(conn, submission.author.user_id, now)
    return ban if ban is not None and ban.submission_id == submission.id else None


def card_term(data: str) -> Term | None:
    """A card's term button: only the terms CARD_TERMS offers."""
    return parse_term(data) if data in CARD_TERMS else None


async def _lift(
    conn: aiosqlite.Connection,
    settings: Settings,
    user_id: int,
    now: float,
    moderator: Person | None,
    detail: dict[str, object] | None = None,
) -> bool:
    lifted = await readers.unban(conn, user_id, now)
    if lifted:
        await group_effects.ban_in_discussion_group(conn, settings, user_id, now, lift=True)
        await moderation_log.append(
            conn, LoggedAction.UNBAN, now, moderator=moderator, author_id=user_id, detail=detail
        )
    return lifted


async def active(db: Database, now: float) -> tuple[int, list[tuple[Ban, Person | None]]]:
    """How many bans hold, and the newest LISTED_AT_MOST, each with the reader as last seen
    (None: never seen)."""
    async with db.reading() as conn:
        return await readers.active_bans(conn, now, LISTED_AT_MOST)


async def lift_run_out(db: Database, settings: Settings, now: float) -> list[Ban]:
    """Lift the bans whose end has passed, each with an `unban` line by the bot itself.
    In the discussion group Telegram ended a person's ban at its until_date already; a
    channel's (banChatSenderChat takes no end) is lifted here."""
    async with db.transaction() as conn:
        ended = await readers.lift_run_out(conn, now)
        for gone in ended:
            await moderation_log.append(
                conn,
                LoggedAction.UNBAN,
                now,
                moderator=None,
                author_id=gone.user_id,
                detail={"ran_out_at": gone.until},
            )
            if gone.user_id < 0:
                await group_effects.ban_in_discussion_group(
                    conn, settings, gone.user_id, now, lift=True
                )
    return ended


class BanExpiry(Periodic):
    """Lifts the bans that ran out, every EXPIRY_CHECK_SECONDS, until stopped."""

    name = "ban expiry"

    def __init__(self, db: Database, settings: Settings, wake_outbox: Callable[[], None]) -> None:
        super().__init__(EXPIRY_CHECK_SECONDS)
        self._db = db
        self._settings = settings
        # A channel's ban in the group is lifted through the outbox.
        self._wake_outbox = wake_outbox

    async def turn(self) -> None:
        ended = await lift_run_out(self._db, self._settings, time.time())
        if ended:
            logger.info("Lifted %d ban(s) that ran out", len(ended))
            self._wake_outbox()
