"""Private review desks: each moderator's own desk, in their private chat with the bot.

Telegram lets a bot send or edit about 20 messages a minute in one group, and every
moderator in the moderation group shares that budget (tdlib/td#2592); a private chat
takes about one a second, and each moderator has their own. So a team on private desks
decides as fast as its people read, while the group's cards catch up within its budget.

A desk shows one pending item, claimed for DESK_CLAIM_SECONDS so that no other desk
(private, or the group's) shows it meanwhile. A decision, a Skip, closing the desk or the
time running out ends the claim. A decision made elsewhere leaves the item on the desk,
which says who decided it: a desk turns to another item only at its moderator's tap
(or, empty, when its moderator was checked recently), never under their pen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.services import desk as group_desk
from bot.services import effects
from bot.services.periodic import Periodic
from bot.settings import Settings
from storage import private_desks, readers, submissions
from storage.db import Database
from storage.models import Person, SubmissionKind
from storage.private_desks import DeskState, PrivateDesk


class PressCheck(StrEnum):
    VALID = "valid"
    # The button is not on the desk's message, or not for the item it holds now.
    STALE = "stale"
    # The claim ran out: the item went back to the queue.
    EXPIRED = "expired"
    CLOSED = "closed"


async def open_desk(db: Database, settings: Settings, moderator: Person, now: float) -> None:
    """/desk, once Telegram confirmed the moderator: a fresh desk message, holding the item
    it held if its claim still runs (for the time left: opening the desk again must not
    hold an item for ever). The moderator's language is kept for the desk's later updates."""
    moderator_id = moderator.user_id
    async with db.transaction() as conn:
        await readers.remember(conn, moderator, now)
        await _release_expired(conn, now)
        current = await private_desks.get(conn, moderator_id)
        holding_pending = (
            current is not None
            and current.state is DeskState.OPEN
            and current.item_id is not None
            and await _is_pending(conn, current.item_id)
        )
        if not holding_pending:
            await _claim_next(conn, settings, moderator_id, 0, now)
        await private_desks.record_check(conn, moderator_id, now)
        await _settle(conn, settings, now)
        await effects.show_private_desk(conn, moderator_id, now, new_message=True)


async def confirmed(db: Database, moderator_id: int, now: float) -> None:
    """Telegram confirmed just now that the moderator moderates (at a tap or an answer):
    their desk, if it sits idle a while from now, may still be given new items."""
    async with db.transaction() as conn:
        await private_desks.record_check(conn, moderator_id, now)


async def skip(
    db: Database, settings: Settings, moderator_id: int, item_id: int, now: float
) -> None:
    """The item goes back to the queue, for the others: this desk takes the next one after
    it, or none (it comes back at a later sweep if nobody took it)."""
    async with db.transaction() as conn:
        await _release_expired(conn, now)
        await _claim_next(conn, settings, moderator_id, item_id, now, passing_over=item_id)
        await _settle(conn, settings, now, besides=moderator_id)
        await effects.show_private_desk(conn, moderator_id, now)


async def resume(db: Database, settings: Settings, moderator_id: int, now: float) -> None:
    """After a claim ran out, or on an empty desk: take the oldest item free."""
    async with db.transaction() as conn:
        await _release_expired(conn, now)
        await _claim_next(conn, settings, moderator_id, 0, now)
        await _settle(conn, settings, now)
        await effects.show_private_desk(conn, moderator_id, now)


async def close(db: Database, settings: Settings, moderator_id: int, now: float) -> None:
    """✖️ Close, or a moderator who left the team: the claim is released."""
    async with db.transaction() as conn:
        if await private_desks.close(conn, moderator_id, now):
            await _settle(conn, settings, now, besides=moderator_id)
            await effects.show_private_desk(conn, moderator_id, now)


async def check_press(
    db: Database, moderator_id: int, message_id: int, item_id: int | None
) -> PressCheck:
    """Whether a tap on a desk's button is for what that desk holds now."""
    async with db.reading() as conn:
        desk = await private_desks.get(conn, moderator_id)
    if desk is None or desk.message_id != message_id:
        return PressCheck.STALE
    if desk.state is DeskState.CLOSED:
        return PressCheck.CLOSED
    if desk.state is DeskState.EXPIRED:
        # A paused desk's own buttons carry no item; its earlier ones the item it held.
        return PressCheck.EXPIRED if item_id in (None, desk.item_id) else PressCheck.STALE
    return PressCheck.VALID if desk.item_id == item_id else PressCheck.STALE


async def item_decided(
    conn: aiosqlite.Connection,
    settings: Settings,
    item_id: int,
    now: float,
    *,
    on_desk_of: int | None = None,
) -> None:
    """In the decision's transaction: the desk it was tapped on (`on_desk_of`) moves on.
    A desk that held the item while it was decided elsewhere keeps it, and says who decided
    it (▶️ Next moves on): turned into another item under the same message, it would hand
    an answer its moderator was writing to the next item's reader, since Telegram gives a
    reply the message as it is when sent (README "What the Bot API server fills in")."""
    for moderator_id in await private_desks.holding(conn, item_id):
        if moderator_id == on_desk_of:
            await _claim_next(conn, settings, moderator_id, item_id, now)
        else:
            await private_desks.release_claim(conn, moderator_id, now)
        await effects.show_private_desk(conn, moderator_id, now)


async def item_withdrawn(
    conn: aiosqlite.Connection, settings: Settings, item_id: int, now: float
) -> None:
    """Its author withdrew it (/forget): every desk holding it moves on, since no answer
    to it can matter any more."""
    for moderator_id in await private_desks.holding(conn, item_id):
        await _claim_next(conn, settings, moderator_id, item_id, now)
        await effects.show_private_desk(conn, moderator_id, now)


async def item_changed(conn: aiosqlite.Connection, item_id: int, now: float) -> None:
    """The item's words changed (an edited comment): a desk holding it shows the new ones."""
    for moderator_id in await private_desks.holding(conn, item_id):
        await effects.show_private_desk(conn, moderator_id, now)


async def sweep(db: Database, settings: Settings, now: float) -> None:
    """Claims that ran out go back to the queue; empty desks take what waits now."""
    async with db.transaction() as conn:
        await _release_expired(conn, now)
        await _settle(conn, settings, now)


async def desk_of(db: Database, moderator_id: int) -> PrivateDesk | None:
    async with db.reading() as conn:
        return await private_desks.get(conn, moderator_id)


class ReplyTarget(StrEnum):
    # Not a reply to the moderator's desk message: a reader's flow, or nothing.
    NOT_THE_DESK = "not_the_desk"
    CONTACT = "contact"
    # The desk shows a comment: comments get a decision, not an answer.
    COMMENT = "comment"
    # The desk moved on (or paused) since the message replied to showed the item.
    MOVED = "moved"
    # The desk's message turned to this item just before the reply: it may have been
    # written for the one before.
    JUST_CHANGED = "just_changed"
    CLOSED = "closed"


@dataclass(frozen=True)
class DeskReply:
    target: ReplyTarget
    submission_id: int | None = None


async def reply_target(
    db: Database,
    moderator_id: int,
    replied_message_id: int,
    replied_item: int | None,
    written_at: float,
) -> DeskReply:
    """What a moderator's reply to a message in their private chat answers.

    The desk is one message edited in place, and Telegram hands a reply with that message
    as it is when the reply is sent (`replied_item`, read from it), not as its writer saw
    it. So a reply answers an item only when nothing leaves a doubt: the desk holds it, the
    bot's record says its message shows it (a desk that changed shows nothing known until
    its next delivery is recorded), the message as Telegram hands it shows it too, and it
    showed it since before the reply was written (`written_at`, Telegram's date; the record
    is by Telegram's clock too). Anything else is refused, never sent elsewhere.

    A moderator may also begin an answer, tap a button of the same desk (▶️ Next, Skip, a
    decision), and send it: the desk turned to another item under their pen, by their own
    hand. So an item that an edit put in place of another answers replies only from
    CHANGED_ANSWER_SECONDS after it appeared, time for nobody to read and answer it."""
    async with db.reading() as conn:
        desk = await private_desks.get(conn, moderator_id)
        if desk is None or desk.message_id != replied_message_id:
            return DeskReply(ReplyTarget.NOT_THE_DESK)
        if desk.state is DeskState.CLOSED:
            return DeskReply(ReplyTarget.CLOSED)
        shown = await submissions.get(conn, replied_item) if replied_item else None
    if shown is not None and shown.kind is SubmissionKind.COMMENT:
        return DeskReply(ReplyTarget.COMMENT)
    unambiguous = (
        shown is not None
        and desk.holds(shown.id)
        and desk.shown_item_id == shown.id
        and desk.shown_since is not None
        and desk.shown_since <= written_at
    )
    if shown is None or not unambiguous:
        return DeskReply(ReplyTarget.MOVED)
    assert desk.shown_since is not None
    if desk.shown_by_edit and written_at < desk.shown_since + CHANGED_ANSWER_SECONDS:
        return DeskReply(ReplyTarget.JUST_CHANGED, shown.id)
    return DeskReply(ReplyTarget.CONTACT, shown.id)


# Nobody reads a contact message and answers it this fast (Telegram dates replies to the
# second): a reply sent sooner after the desk's message turned to it was begun before.
CHANGED_ANSWER_SECONDS = 5.0


async def _claim_next(
    conn: aiosqlite.Connection,
    settings: Settings,
    moderator_id: int,
    after_id: int,
    now: float,
    *,
    passing_over: int | None = None,
) -> int | None:
    """The desk holds the next free item after `after_id` (or nothing); returns it."""
    following = await _next_free(conn, settings, moderator_id, after_id, now, passing_over)
    await private_desks.claim(conn, moderator_id, following, now + settings.desk_claim_seconds, now)
    return following


async def _next_free(
    conn: aiosqlite.Connection,
    settings: Settings,
    moderator_id: int,
    after_id: int,
    now: float,
    passing_over: int | None = None,
) -> int | None:
    """The next item after `after_id` that neither another desk nor the group's holds."""
    group_shows = await _group_desk_item(conn, settings, now)
    excluded = [i for i in (group_shows, passing_over) if i is not None]
    return await private_desks.next_unclaimed(conn, moderator_id, after_id, excluded)


async def _release_expired(conn: aiosqlite.Connection, now: float) -> None:
    """Release the claims that ran out (before any new claim: the unique index on claims
    counts open desks, however late) and show their moderators why."""
    for moderator_id in await private_desks.expire_claims(conn, now):
        await effects.show_private_desk(conn, moderator_id, now)


async def _settle(
    conn: aiosqlite.Connection, settings: Settings, now: float, *, besides: int | None = None
) -> None:
    """After claims changed: empty desks (but `besides`, which just let an item go) take
    what is free, if their moderators were checked recently, else they pause; and the
    group's desk shows what it may have been waiting for."""
    for idle in await private_desks.idle(conn):
        moderator_id = idle.moderator_id
        if moderator_id == besides:
            continue
        # Looked for before claiming: an empty desk that stays empty is not written to.
        if await _next_free(conn, settings, moderator_id, 0, now) is None:
            # Nothing is free: the other empty desks find nothing either.
            break
        if _checked_recently(idle, settings, now):
            await _claim_next(conn, settings, moderator_id, 0, now)
        else:
            await private_desks.pause_idle(conn, moderator_id, now)
        await effects.show_private_desk(conn, moderator_id, now)
    state = await group_desk.load(conn)
    if state.message_id is not None and await group_desk.current_item(conn, state) is None:
        await group_desk.refresh_if_open(conn, settings, now)


def _checked_recently(desk: PrivateDesk, settings: Settings, now: float) -> bool:
    """Whether an idle desk may be given a reader's words without asking its moderator.

    Someone who leaves the moderation group must stop receiving readers' messages, and the
    bot is not told when they leave. Telegram would tell it (chat_member updates), but only
    to a bot that is an administrator of the group, which the set-up does not require, and
    asking for them brings every join and leave of the channel and the discussion group
    too. So a membership answer is trusted as long as the bot trusts it elsewhere
    (MODERATOR_CACHE_SECONDS): an idle desk whose moderator was checked longer ago pauses
    instead, and ▶️ Continue asks Telegram again. The services cannot ask Telegram
    themselves; every tap, /desk and answer does (handlers), and records it."""
    return desk.checked_at is not None and now - desk.checked_at <= settings.moderator_cache_seconds


async def _group_desk_item(
    conn: aiosqlite.Connection, settings: Settings, now: float
) -> int | None:
    """The item the group's desk shows, while moderators use it (a desk left alone for a
    claim's time keeps nothing from the private desks): no private desk takes it."""
    state = await group_desk.load(conn)
    if (
        state.message_id is None
        or state.active_at is None
        or now - state.active_at >= settings.desk_claim_seconds
    ):
        return None
    return await group_desk.current_item(conn, state)


async def _is_pending(conn: aiosqlite.Connection, item_id: int) -> bool:
    shown = await submissions.get(conn, item_id)
    return shown is not None and shown.is_pending


# How often claims are looked at: a quarter of a claim's time, so one runs out at most a
# quarter late, but not more often than each second nor less often than every 15 s (an
# idle desk takes a new item within that).
SWEEP_SHORTEST = 1.0
SWEEP_LONGEST = 15.0


class ClaimSweeper(Periodic):
    """Ends the claims that ran out and feeds the idle desks, until stopped."""

    name = "desk claims"

    def __init__(self, db: Database, settings: Settings, wake_outbox: Callable[[], None]) -> None:
        super().__init__(min(SWEEP_LONGEST, max(SWEEP_SHORTEST, settings.desk_claim_seconds / 4)))
        self._db = db
        self._settings = settings
        # The desks' updates are in the outbox.
        self._wake_outbox = wake_outbox

    async def turn(self) -> None:
        await sweep(self._db, self._settings, time.time())
        self._wake_outbox()
