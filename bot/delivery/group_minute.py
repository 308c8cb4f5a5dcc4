"""How the outbox spends a group's minute: Telegram takes about 20 messages a minute in a
group, sends and edits alike (/work/shared/telegram/README.md). What each kind of row may
take of the minute, and in which order a group's due rows go."""

from __future__ import annotations

import time
from enum import StrEnum

from bot.services.effects import Effect
from bot.telegram_budget import TelegramBudget
from storage import outbox
from storage.db import Database
from storage.models import OutboxItem

# A group's minute, shared by sends and edits, is spent in this order:
# - cards stop (and fold into the review desk) when this many places are left, so that
#   the desk and the edits after moderators' taps still fit in the minute;
CARD_RESERVE = 5
# - while this few are left, the desk's edit goes first and decided cards wait; while
#   cards are coming or moderators work the desk (a card sent or the desk changed within
#   the last minute) decided cards wait until most of the minute is free, since every
#   place a decided card's edit takes is a new card that folds or a tap the desk cannot
#   follow (the edits only catch up: the decision is made, and the tap was answered);
DESK_FIRST_BELOW = CARD_RESERVE
DESK_BUSY_FIRST_BELOW = 15
# - and the last place is left to handlers' replies (a /queue answer, queued as
#   GROUP_REPLY rows), so that a moderator's command is answered even in a busy minute.
HANDLER_RESERVE = 1
# A word in a thread to a comment's author (held for a moderator, or refused) is a
# courtesy, deleted a minute later: it goes after the group's other rows and takes a
# place only while more than this many are free (at most a quarter of a busy minute), so
# that in a busy thread (a spam wave brings one notice per account) the comments
# moderators approve are still published. With half the minute (10), a wave of 18 held
# comments left 2 approved comments of 12 waiting for the next minute.
NOTICE_RESERVE = 15
# The hourly spam digest is news, not work: it goes after the chat's other rows and waits
# while the minute is as short as it is when cards fold.
DIGEST_RESERVE = CARD_RESERVE
# Rows that send and edit no message: deleting a reader's comment, banning. They take no
# place in a group's minute, never wait for one, and go before the chat's sends: a held
# comment must leave the thread even while the minute is spent. (Retracting a thread post
# is not one of them: one too old to delete is edited instead.)
SENDS_NOTHING = frozenset(
    {
        Effect.DELETE_GROUP_MESSAGE,
        Effect.BAN_IN_GROUP,
        Effect.UNBAN_IN_GROUP,
        Effect.DELETE_CHANNEL_POST,
    }
)


# What goes after a group's other rows, in this order.
_LAST = (Effect.THREAD_NOTICE, Effect.SPAM_DIGEST)


class Turn(StrEnum):
    # The row goes now.
    SEND = "send"
    # Past what the minute can carry: this card, and every later card of the batch, fold
    # into the review desk.
    FOLD_CARDS = "fold_cards"
    # This row and the chat's later ones wait until the minute has a place for them.
    WAIT = "wait"


def places_kept_from(action: str) -> int:
    """Places of the minute a row of `action` must leave to others: handlers' replies may
    take the place kept for them; the rest may not."""
    if action == Effect.GROUP_REPLY:
        return 0
    if action == Effect.SPAM_DIGEST:
        return DIGEST_RESERVE
    if action == Effect.THREAD_NOTICE:
        return NOTICE_RESERVE
    return HANDLER_RESERVE


def turn_of(action: str, free: int) -> Turn:
    """What a row that sends or edits in a group does with `free` places left."""
    if action == Effect.SEND_CARD and free <= CARD_RESERVE:
        return Turn.FOLD_CARDS
    if free <= places_kept_from(action):
        return Turn.WAIT
    return Turn.SEND


async def plan_group(
    db: Database,
    budget: TelegramBudget,
    chat: str,
    rows: list[OutboxItem],
    *,
    cards_busy: bool,
) -> list[OutboxItem]:
    """Rows that send nothing (deletions, bans) go first, then handlers' replies:
    someone is waiting for them now, and the last place of the minute is theirs.
    Consecutive desk updates are one edit; when the minute runs short the desk goes
    next and the edits of decided cards wait for more room (`cards_busy`: a card was sent
    or the desk shown within the last minute). Notices in threads, then the spam digest,
    go last: when they wait for room, the rows after them wait with them, and those are
    only more of their kind."""
    silent = [row for row in rows if row.action in SENDS_NOTHING]
    replies = [row for row in rows if row.action == Effect.GROUP_REPLY]
    last = [row for kind in _LAST for row in rows if row.action == kind]
    rows = replies + [
        row
        for row in rows
        if row.action not in {Effect.GROUP_REPLY, *_LAST} and row.action not in SENDS_NOTHING
    ]
    rows = await _merge_desk_updates(db, rows)
    desk_first_below = DESK_BUSY_FIRST_BELOW if cards_busy else DESK_FIRST_BELOW
    if budget.free_places(chat) > desk_first_below:
        return silent + rows + last
    # A desk edit for its count alone waits as the decided cards do: the places left are
    # for the desk's moves.
    waiting = [
        row.id
        for row in rows
        if row.action == Effect.REFRESH_CARDS
        or (row.action == Effect.SHOW_DESK and row.payload.get("count_only"))
    ]
    if waiting:
        later = budget.next_place(chat, keep=desk_first_below)
        async with db.reading() as conn:
            await outbox.postpone(conn, waiting, later)
    desk = [row for row in rows if row.action == Effect.SHOW_DESK and row.id not in waiting]
    rest = [
        row
        for row in rows
        if row.action not in {Effect.GROUP_REPLY, Effect.SHOW_DESK, Effect.REFRESH_CARDS}
    ]
    return silent + replies + desk + rest + last


async def _merge_desk_updates(db: Database, rows: list[OutboxItem]) -> list[OutboxItem]:
    """Several desk updates are one edit: the last one shows the latest state; a fresh
    desk message if any asked for one, and more than a new count if any did."""
    desk_rows = [row for row in rows if row.action == Effect.SHOW_DESK]
    if len(desk_rows) <= 1:
        return rows
    keep = desk_rows[-1]
    merged = [row.id for row in desk_rows[:-1]]
    payload = {
        "new": any(row.payload.get("new") for row in desk_rows),
        "count_only": all(row.payload.get("count_only") for row in desk_rows),
    }
    async with db.transaction() as conn:
        if payload != {key: bool(keep.payload.get(key)) for key in payload}:
            # Stored with the merge, so that a crash before the kept row is delivered
            # still shows the fresh desk message (or the new item) one of them asked for.
            keep = OutboxItem(keep.id, keep.action, keep.chat_key, dict(payload), keep.attempts)
            await outbox.set_payload(conn, keep.id, keep.payload)
        await outbox.settle_delivered(conn, merged, time.time(), note="merged desk update")
    return [keep if row.id == keep.id else row for row in rows if row.id not in merged]
