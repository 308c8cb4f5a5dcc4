"""The bot's chats as Telegram knows them, settled once at start-up.

- CHANNEL_ID given as @username is resolved to the channel's id (getChat): from then on
  ids are compared everywhere, never usernames (which are case-insensitive and can change).
- An empty DISCUSSION_CHAT_ID is the channel's linked group; `none` turns it off.
- A group Telegram upgraded to a supergroup is known by its new id, kept in the database
  ahead of .env (bot.services.chat_setup).
- The bot checks its own rights in each chat and tells the admins what to grant.

`Settings` is updated in place: it is the one object every part of the bot was given.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot, ChatMember
from telegram.error import ChatMigrated, TelegramError

from bot.services import chat_setup
from bot.settings import NO_DISCUSSION, Settings, ThreadModeration
from storage.db import Database

logger = logging.getLogger(__name__)

# getChat at start-up is retried this often, with doubling waits, before the bot carries
# on with what .env says (a channel it cannot see is reported by the rights check).
LOOKUP_ATTEMPTS = 3

_CHANNEL_RIGHTS = ("can_post_messages", "can_edit_messages", "can_delete_messages")
_DISCUSSION_RIGHTS = ("can_delete_messages", "can_restrict_members")
_ADMIN = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_PRESENT = {*_ADMIN, ChatMember.MEMBER, ChatMember.RESTRICTED}


@dataclass(frozen=True)
class ResolvedChats:
    # The channel's linked discussion group, whatever DISCUSSION_CHAT_ID says: the bot
    # never leaves it.
    linked_group_id: int | None


async def resolve_chats(bot: Bot, settings: Settings, db: Database) -> ResolvedChats:
    """Turn what .env says into the ids the bot works with (see the module's text)."""
    await chat_setup.apply_moved_chats(db, settings)
    channel = None
    for attempt in range(LOOKUP_ATTEMPTS):
        try:
            channel = await bot.get_chat(settings.channel_id)
            break
        except TelegramError as error:
            logger.warning("Could not look up CHANNEL_ID %s: %s", settings.channel_id, error)
            if attempt + 1 < LOOKUP_ATTEMPTS:
                await asyncio.sleep(2.0**attempt)
    if settings.discussion_chat_id == NO_DISCUSSION:
        settings.discussion_chat_id = None
        logger.info("DISCUSSION_CHAT_ID=none: comments are not published in a discussion group")
        return ResolvedChats(channel.linked_chat_id if channel else None)
    if channel is None:
        return ResolvedChats(None)
    if isinstance(settings.channel_id, str):
        logger.info("CHANNEL_ID %s is the channel with id %s", settings.channel_id, channel.id)
        settings.channel_id = channel.id
    if settings.discussion_chat_id is None and channel.linked_chat_id is not None:
        settings.discussion_chat_id = channel.linked_chat_id
        logger.info(
            "The channel's linked discussion group is %s: comments are published there"
            " (DISCUSSION_CHAT_ID=%s says so in .env; DISCUSSION_CHAT_ID=none turns it off)",
            channel.linked_chat_id,
            channel.linked_chat_id,
        )
    return ResolvedChats(channel.linked_chat_id)


async def check_rights(bot: Bot, settings: Settings, db: Database, now: float) -> list[str]:
    """Look at the bot's own membership and rights in each of its chats: each one missing
    is logged and the admins are told (once) which chat and exact right; the bot runs what
    it can. Returns the missing ones as `right:chat` (for the tests and the log)."""
    wanted: list[tuple[int | str, str, tuple[str, ...]]] = [
        (settings.channel_id, "channel", _CHANNEL_RIGHTS),
        (settings.moderation_chat_id, "moderation", ()),
    ]
    if (
        settings.discussion_chat_id is not None
        and settings.thread_moderation is not ThreadModeration.OFF
    ):
        wanted.append((settings.discussion_chat_id, "discussion", _DISCUSSION_RIGHTS))
    found: list[chat_setup.RightFound] = []
    for configured, role, rights in wanted:
        try:
            chat_id, member = await _own_membership(bot, settings, db, configured, now)
        except TelegramError as error:
            # Not a member (or the chat is gone): nothing else can be checked there.
            logger.error("Cannot see %s %s: %s", role, configured, error)
            found.append(chat_setup.RightFound(configured, "member", held=False))
            continue
        present = member.status in _PRESENT
        found.append(chat_setup.RightFound(chat_id, "member", held=present))
        if not present:
            continue
        if role == "moderation":
            # A plain member in privacy mode may never see a bare /queue.
            found.append(chat_setup.RightFound(chat_id, "administrator", member.status in _ADMIN))
        for right in rights:
            held = member.status == ChatMember.OWNER or bool(getattr(member, right, False))
            found.append(chat_setup.RightFound(chat_id, right, held))
    missing = [f"{right.right}:{right.chat_id}" for right in found if not right.held]
    for entry in missing:
        right, _, chat = entry.partition(":")
        logger.warning("Missing in chat %s: %s (the admins are told what to grant)", chat, right)
    await chat_setup.settle_rights(db, settings, found, now)
    return missing


async def _own_membership(
    bot: Bot, settings: Settings, db: Database, chat_id: int | str, now: float
) -> tuple[int | str, ChatMember]:
    """The chat's id and the bot's membership of it; a group Telegram upgraded while the
    bot was down is followed to its new id first."""
    try:
        return chat_id, await bot.get_chat_member(chat_id, bot.id)
    except ChatMigrated as moved:
        if not isinstance(chat_id, int):
            raise
        new_id = int(moved.new_chat_id)
        await chat_setup.chat_moved(db, settings, chat_id, new_id, now)
        return new_id, await bot.get_chat_member(new_id, bot.id)
