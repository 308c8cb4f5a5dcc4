"""The bot's chats: what the admins are told about them, and groups that moved.

No Telegram here: bot.chats asks Telegram, and this records what it found.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.services import admin_notices, effects
from bot.services.admin_notices import AdminNotice
from bot.settings import Settings
from storage import bot_state, moderation_cards, outbox, submissions
from storage.db import Database
from storage.models import SubmissionStatus

logger = logging.getLogger(__name__)

# Prefix: a group Telegram upgraded to a supergroup, by its old id; the value is the new.
MOVED_CHAT = "moved_chat"


@dataclass(frozen=True)
class RightFound:
    chat_id: int | str
    # An administrator right (can_delete_messages...), or "member" / "administrator".
    right: str
    held: bool


@dataclass(frozen=True)
class ChannelSeen:
    """What Telegram said of the channel at start-up."""

    channel_id: int
    linked_group_id: int | None


# Prefix, then CHANNEL_ID as configured: what Telegram last said of that channel.
_CHANNEL_SEEN = "channel_seen"


async def remember_channel(db: Database, configured: str, seen: ChannelSeen) -> None:
    async with db.transaction() as conn:
        await bot_state.put(
            conn,
            f"{_CHANNEL_SEEN}:{configured}",
            json.dumps({"id": seen.channel_id, "linked": seen.linked_group_id}),
        )


async def last_seen_channel(db: Database, configured: str) -> ChannelSeen | None:
    async with db.reading() as conn:
        raw = await bot_state.get(conn, f"{_CHANNEL_SEEN}:{configured}")
    if raw is None:
        return None
    seen = json.loads(raw)
    return ChannelSeen(int(seen["id"]), seen["linked"])


async def settle_rights(
    db: Database, settings: Settings, found: Sequence[RightFound], now: float
) -> None:
    """Each right missing is told to the admins once (until it is seen held again)."""
    async with db.transaction() as conn:
        for right in found:
            if right.held:
                await admin_notices.forget_missing_right(conn, right.chat_id, right.right)
            else:
                await admin_notices.report_missing_right(
                    conn, settings, right.chat_id, right.right, now
                )


async def chat_discovered(
    db: Database, settings: Settings, kind: str, chat_id: int, title: str, now: float
) -> None:
    """The bot was added to a chat it is not configured for: admins learn its id and the
    .env line that would use it (it leaves the chat meanwhile)."""
    async with db.transaction() as conn:
        await admin_notices.tell_admins(
            conn, settings, AdminNotice.CHAT_DISCOVERED, f"{kind}:{chat_id}:{title}", now
        )


async def apply_moved_chats(db: Database, settings: Settings) -> None:
    """Groups Telegram upgraded while the bot ran are known by their new ids, whatever
    .env still says."""
    async with db.reading() as conn:
        for field in ("moderation_chat_id", "discussion_chat_id"):
            old = getattr(settings, field)
            if old is None:
                continue
            moved = await bot_state.get(conn, f"{MOVED_CHAT}:{old}")
            if moved is not None:
                setattr(settings, field, int(moved))


def role_of(settings: Settings, chat_id: int | str) -> str | None:
    """Which of the bot's chats `chat_id` is: "channel", "moderation" or "discussion"."""
    roles = {
        str(settings.channel_id): "channel",
        str(settings.moderation_chat_id): "moderation",
        str(settings.discussion_chat_id): "discussion",
    }
    return roles.get(str(chat_id))


# The chats that can move: basic groups are upgraded to supergroups; channels never are.
_MOVABLE = {"moderation_chat_id": "moderation", "discussion_chat_id": "discussion"}


def basic_groups(settings: Settings) -> list[int]:
    """The bot's groups that are basic groups (ids not -100…): those Telegram may upgrade."""
    chats = (settings.moderation_chat_id, settings.discussion_chat_id)
    # 0: not chosen yet (set-up mode, DISCUSSION_CHAT_ID=none before start-up).
    return [chat for chat in chats if chat and not str(chat).startswith("-100")]


async def chat_moved(db: Database, settings: Settings, old: int, new: int, now: float) -> bool:
    """Telegram upgraded one of the bot's groups to a supergroup, which has a new id (it
    says so by a service message, or by refusing a call with migrate_to_chat_id). From now
    on the bot uses the new id, kept in the database ahead of .env; what waited for the old
    id goes to the new; the old cards cannot be edited any more, so the review desk is
    posted afresh there; the admins hear the .env line. False if it was known already, or
    is none of the bot's chats."""
    field = next((name for name in _MOVABLE if getattr(settings, name) == old), None)
    if field is None:
        return False
    role = _MOVABLE[field]
    async with db.transaction() as conn:
        # The first of the reporters (the service message, a refused delivery) does it.
        if not await bot_state.set_if_absent(conn, f"{MOVED_CHAT}:{old}", str(new)):
            return False
        await outbox.move_chat(conn, str(old), str(new))
        await moderation_cards.forget_cards_in(conn, old)
        if role == "moderation":
            await bot_state.clear(conn, bot_state.REVIEW_DESK)
            if await submissions.count_by_status(conn, SubmissionStatus.PENDING):
                await effects.show_desk(conn, settings, now, new_message=True)
        moved = f"{role}:{old}:{new}"
        await admin_notices.tell_admins(conn, settings, AdminNotice.CHAT_MOVED, moved, now)
    setattr(settings, field, new)
    logger.warning(
        "Telegram upgraded the %s group %s to a supergroup with the id %s; using it from"
        " now on. Put this line in .env: %s=%s",
        role,
        old,
        new,
        field.upper(),
        new,
    )
    return True
