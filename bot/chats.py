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
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

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
# The bot's statuses in a chat it is in (restricted: in, with some rights taken away).
PRESENT = frozenset({*_ADMIN, ChatMember.MEMBER, ChatMember.RESTRICTED})


@dataclass(frozen=True)
class ResolvedChats:
    # The channel's linked discussion group, whatever DISCUSSION_CHAT_ID says: the bot
    # never leaves it.
    linked_group_id: int | None


async def resolve_chats(bot: Bot, settings: Settings, db: Database) -> ResolvedChats:
    """Turn what .env says into the ids the bot works with (see the module's text)."""
    await chat_setup.apply_moved_chats(db, settings)
    configured = str(settings.channel_id)
    seen = await _look_up_channel(bot, settings)
    if seen is not None:
        await chat_setup.remember_channel(db, configured, seen)
    else:
        # Telegram is away at start: what it said at an earlier start still holds (a
        # channel's id never changes), rather than running without the discussion group.
        seen = await chat_setup.last_seen_channel(db, configured)
        if seen is not None:
            logger.warning("Using what Telegram said of the channel at an earlier start: %s", seen)
    turned_off = settings.discussion_chat_id == NO_DISCUSSION
    if turned_off:
        settings.discussion_chat_id = None
        logger.info("DISCUSSION_CHAT_ID=none: comments are not published in a discussion group")
    if seen is None:
        return ResolvedChats(None)
    if isinstance(settings.channel_id, str):
        logger.info("CHANNEL_ID %s is the channel with id %s", settings.channel_id, seen.channel_id)
        settings.channel_id = seen.channel_id
    linked = seen.linked_group_id
    explicit = settings.discussion_chat_id
    if explicit is not None and explicit != linked:
        logger.warning(
            "DISCUSSION_CHAT_ID %s is not the channel's linked discussion group (%s):"
            " Telegram copies posts only into the linked group, so comments cannot be"
            " published under posts. Link it in the channel's settings, or leave"
            " DISCUSSION_CHAT_ID empty.",
            explicit,
            linked,
        )
    if turned_off or explicit is not None or linked is None:
        return ResolvedChats(linked)
    if await _is_present(bot, linked) is False:
        # An install from before the bot looked for the linked group: it left that group
        # then, and adopting it now would post approved comments where it cannot.
        logger.warning(
            "The channel's linked discussion group is %s, but I am not in it: comments typed"
            " there are not moderated. Add me to it as an administrator (Delete messages, Ban"
            " users) and restart me; DISCUSSION_CHAT_ID=none says you want it so.",
            linked,
        )
        return ResolvedChats(linked)
    settings.discussion_chat_id = linked
    logger.info(
        "The channel's linked discussion group is %s: comments are published there"
        " (DISCUSSION_CHAT_ID=%s says so in .env; DISCUSSION_CHAT_ID=none turns it off)",
        linked,
        linked,
    )
    return ResolvedChats(linked)


async def _look_up_channel(bot: Bot, settings: Settings) -> chat_setup.ChannelSeen | None:
    for attempt in range(LOOKUP_ATTEMPTS):
        try:
            channel = await bot.get_chat(settings.channel_id)
            return chat_setup.ChannelSeen(channel.id, channel.linked_chat_id)
        except TelegramError as error:
            logger.warning("Could not look up CHANNEL_ID %s: %s", settings.channel_id, error)
            if attempt + 1 < LOOKUP_ATTEMPTS:
                await asyncio.sleep(2.0**attempt)
    return None


async def _is_present(bot: Bot, chat_id: int) -> bool | None:
    """Whether the bot is in the chat; None when Telegram cannot say just now."""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except (BadRequest, Forbidden):
        return False
    except TelegramError:
        return None
    return member.status in PRESENT


async def check_rights(bot: Bot, settings: Settings, db: Database, now: float) -> list[str]:
    """Look at the bot's own membership and rights in each of its chats: each one missing
    is logged and the admins are told (once) which chat and exact right; the bot runs what
    it can. Returns the missing ones as `right:chat` (for the tests and the log)."""
    wanted: list[tuple[int | str, str, tuple[str, ...]]] = [
        (settings.channel_id, "channel", _CHANNEL_RIGHTS)
    ]
    if settings.setting_up:
        logger.warning(
            "MODERATION_CHAT_ID is empty: set-up mode. Add me to your moderation group and I"
            " will tell the admins its id (and the line to put in .env)."
        )
    else:
        wanted.append((settings.moderation_chat_id, "moderation", ()))
    if settings.discussion_chat_id is not None:
        # Approved comments are posted there in every mode; moderating it needs more.
        moderated = settings.thread_moderation is not ThreadModeration.OFF
        discussion_rights = _DISCUSSION_RIGHTS if moderated else ()
        wanted.append((settings.discussion_chat_id, "discussion", discussion_rights))
    found: list[chat_setup.RightFound] = []
    for configured, role, rights in wanted:
        try:
            chat_id, member = await _own_membership(bot, settings, db, configured, now)
        except (BadRequest, Forbidden) as error:
            # Not a member (or the chat is gone): nothing else can be checked there.
            logger.error("Cannot see %s %s: %s", role, configured, error)
            found.append(chat_setup.RightFound(configured, "member", held=False))
            continue
        except TelegramError as error:
            # Telegram is away: no news, rather than a false alarm to the admins.
            logger.warning("Could not check my rights in %s %s: %s", role, configured, error)
            continue
        present = member.status in PRESENT
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
