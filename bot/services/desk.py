"""The review desk: one message in the moderation chat that walks through the queue.

Telegram lets a bot send about 20 messages a minute into a group, so a burst of comments
cannot each get a card in time. Past that budget the cards fold into the desk, which shows
the oldest pending item with the decision buttons and Skip, and is edited (edits are not
sends) to the next item after each tap.
"""

from __future__ import annotations

import dataclasses
import json

import aiosqlite

from bot.services import effects
from bot.settings import Settings
from storage import bot_state, outbox, private_desks, submissions
from storage.db import Database
from storage.models import SubmissionStatus


@dataclasses.dataclass(frozen=True)
class DeskState:
    message_id: int | None = None
    item_id: int | None = None
    digest: str | None = None
    # When moderators last used it (a tap, /queue) or it was posted: while they do, the
    # item it shows is the group's, and no private desk takes it.
    active_at: float | None = None


async def load(conn: aiosqlite.Connection) -> DeskState:
    raw = await bot_state.get(conn, bot_state.REVIEW_DESK)
    return DeskState(**json.loads(raw)) if raw else DeskState()


async def save(conn: aiosqlite.Connection, state: DeskState) -> None:
    await bot_state.put(
        conn,
        bot_state.REVIEW_DESK,
        json.dumps(dataclasses.asdict(state)),
    )


async def current_item(conn: aiosqlite.Connection, state: DeskState) -> int | None:
    """The item the desk shows: the one it showed if still pending, else the next one."""
    if state.item_id is not None:
        shown = await submissions.get(conn, state.item_id)
        # An item a moderator took on their private desk meanwhile is theirs.
        if (
            shown is not None
            and shown.is_pending
            and not await private_desks.holding(conn, shown.id)
        ):
            return shown.id
    return await submissions.next_pending_after(conn, state.item_id or 0)


async def record_shown(
    conn: aiosqlite.Connection,
    message_id: int,
    rendered_from: int | None,
    shown_item: int | None,
    digest: str,
    now: float,
) -> None:
    """The desk message now shows `shown_item`, worked out from the item the desk pointed
    at (`rendered_from`) when it was rendered. If moderators moved the desk on since (a
    Skip), their item stands: it is theirs, and its own update is already queued."""
    state = await load(conn)
    item = shown_item if state.item_id == rendered_from else state.item_id
    active_at = now if message_id != state.message_id else state.active_at
    await save(conn, DeskState(message_id, item, digest, active_at))


async def move_on(db: Database, settings: Settings, from_item: int, now: float) -> None:
    """After a decision or a Skip on `from_item`: show the next pending item after it."""
    async with db.transaction() as conn:
        state = await load(conn)
        following = await submissions.next_pending_after(conn, from_item)
        await save(conn, DeskState(state.message_id, following, state.digest, now))
        await effects.show_desk(conn, settings, now)


async def is_desk_message(db: Database, message_id: int, item_id: int) -> bool:
    """A press on the desk is valid for the item the desk shows now."""
    async with db.reading() as conn:
        state = await load(conn)
        return state.message_id == message_id and await current_item(conn, state) == item_id


async def open_desk(db: Database, settings: Settings, now: float) -> int:
    """/queue: a fresh desk message at the bottom of the chat; returns how many wait."""
    async with db.transaction() as conn:
        pending = await submissions.count_by_status(conn, SubmissionStatus.PENDING)
        await save(conn, dataclasses.replace(await load(conn), active_at=now))
        await effects.show_desk(conn, settings, now, new_message=True)
    return pending


async def fold(
    conn: aiosqlite.Connection,
    settings: Settings,
    card_row_ids: list[int],
    item_ids: list[int],
    now: float,
) -> None:
    """Cards that the group's minute cannot carry: their items wait on the desk instead.
    A desk that shows no item opens at the first of them (the items before it are on their
    cards above it); for one that shows an item only the count changes."""
    await outbox.settle_delivered(conn, card_row_ids, now, note="folded into the review desk")
    state = await load(conn)
    if await _keeps_its_item(conn, state):
        await effects.show_desk(conn, settings, now, count_only=True)
        return
    if item_ids:
        await save(conn, dataclasses.replace(state, item_id=min(item_ids)))
    await effects.show_desk(conn, settings, now)


async def _keeps_its_item(
    conn: aiosqlite.Connection, state: DeskState, changed: int | None = None
) -> bool:
    """Whether the desk message shows an item that it goes on showing, unchanged."""
    return (
        state.message_id is not None
        and state.item_id is not None
        and state.item_id != changed
        and await current_item(conn, state) == state.item_id
    )


async def refresh_if_open(
    conn: aiosqlite.Connection, settings: Settings, now: float, *, changed: int | None = None
) -> None:
    """A decision made elsewhere (on a card), or an item's words changed (`changed`): an
    open desk must not keep showing a decided item, or old words; when it shows another
    item, only its count changes."""
    state = await load(conn)
    if state.message_id is not None:
        count_only = await _keeps_its_item(conn, state, changed)
        await effects.show_desk(conn, settings, now, count_only=count_only)
