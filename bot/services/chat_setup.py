"""The bot's chats: what the admins are told about them, and groups that moved.

No Telegram here: bot.chats asks Telegram, and this records what it found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services import effects
from bot.services.effects import AdminNotice
from bot.settings import Settings
from storage import bot_state
from storage.db import Database

# Prefix: a group Telegram upgraded to a supergroup, by its old id; the value is the new.
MOVED_CHAT = "moved_chat"


@dataclass(frozen=True)
class RightFound:
    chat_id: int | str
    # An administrator right (can_delete_messages...), or "member" / "administrator".
    right: str
    held: bool


async def settle_rights(
    db: Database, settings: Settings, found: Sequence[RightFound], now: float
) -> None:
    """Each right missing is told to the admins once (until it is seen held again)."""
    async with db.transaction() as conn:
        for right in found:
            if right.held:
                await effects.right_present(conn, right.chat_id, right.right)
            else:
                await effects.report_missing_right(conn, settings, right.chat_id, right.right, now)


async def chat_discovered(
    db: Database, settings: Settings, kind: str, chat_id: int, title: str, now: float
) -> None:
    """The bot was added to a chat it is not configured for: admins learn its id and the
    .env line that would use it (it leaves the chat meanwhile)."""
    async with db.transaction() as conn:
        await effects.tell_admins(
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
