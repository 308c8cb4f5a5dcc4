"""The bot's chats as Telegram knows them, settled once at start-up.

- CHANNEL_ID given as @username is resolved to the channel's id (getChat): from then on
  ids are compared everywhere, never usernames (which are case-insensitive and can change).
- An empty DISCUSSION_CHAT_ID is the channel's linked group; `none` turns it off.
- A group Telegram upgraded to a supergroup is known by its new id, kept in the database
  ahead of .env (bot.services.chat_setup).
- The bot checks its own rights in each chat and tells the admins what to grant (here at
  start-up; handlers.membership when Telegram says they changed; /status on demand).

`Settings` is updated in place: it is the one object every part of the bot was given.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot, ChatMember
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.services import chat_setup
from bot.services.chat_setup import RightFound
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
# Not a right of Telegram's: being an administrator at all, which privacy mode asks of a
# bot that must see a group's ordinary messages.
ADMINISTRATOR = "administrator"


def needed_rights(settings: Settings, role: str) -> tuple[str, ...]:
    """What the bot needs in one of its chats besides being in it. In privacy mode a plain
    member of a group gets only commands meant for it, replies to it, mentions and service
    messages (core.telegram.org/bots/features#privacy-mode): not a bare /queue in the
    moderation group, not readers' comments, and not the channel's automatic forwards,
    without which no post's thread is found to publish approved comments in, whatever
    THREAD_MODERATION says. So it must be an administrator of its groups even when getMe's
    can_read_all_group_messages says privacy mode is off: that reaches only the groups it
    is added to afterwards ("the bot will need to be re-added to the group for this change
    to take effect", same page), and nothing tells the bot which those are."""
    if role == "channel":
        return _CHANNEL_RIGHTS
    if role == "discussion" and settings.thread_moderation is not ThreadModeration.OFF:
        return (ADMINISTRATOR, *_DISCUSSION_RIGHTS)
    return (ADMINISTRATOR,)


def rights_found(
    chat_id: int | str, member: ChatMember, needed: tuple[str, ...]
) -> list[RightFound]:
    """Which of the `needed` rights the bot's membership holds. A plain member that must
    be an administrator is told that once, not once more for each right it then lacks."""
    present = member.status in PRESENT
    found = [RightFound(chat_id, "member", held=present)]
    if not present:
        return found
    is_admin = member.status in _ADMIN
    for right in needed:
        if right == ADMINISTRATOR:
            found.append(RightFound(chat_id, right, is_admin))
        elif is_admin or ADMINISTRATOR not in needed:
            held = member.status == ChatMember.OWNER or bool(getattr(member, right, False))
            found.append(RightFound(chat_id, right, held))
    return found


async def upgraded_to(bot: Bot, chat_id: int) -> int | None:
    """The supergroup a basic group was upgraded to, or None. Only calls that write hear
    of it (migrate_to_chat_id; tdlib/telegram-bot-api Client.cpp, check_chat_access):
    getChatMember and getChat on the old id answer as if nothing happened. "typing" is the
    lightest write."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except ChatMigrated as moved:
        return int(moved.new_chat_id)
    except TelegramError as error:
        logger.warning("Could not look at group %s: %s", chat_id, error)
    return None


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
    wanted: list[tuple[int | str, str]] = [(settings.channel_id, "channel")]
    if settings.setting_up:
        logger.warning(
            "MODERATION_CHAT_ID is empty: set-up mode. Add me to your moderation group and I"
            " will tell the admins its id (and the line to put in .env)."
        )
    else:
        wanted.append((settings.moderation_chat_id, "moderation"))
    if settings.discussion_chat_id is not None:
        wanted.append((settings.discussion_chat_id, "discussion"))
    found: list[RightFound] = []
    for configured, role in wanted:
        try:
            chat_id, member = await _own_membership(bot, settings, db, configured, now)
        except (BadRequest, Forbidden) as error:
            # Not a member (or the chat is gone): nothing else can be checked there.
            logger.error("Cannot see %s %s: %s", role, configured, error)
            found.append(RightFound(configured, "member", held=False))
            continue
        except TelegramError as error:
            # Telegram is away: no news, rather than a false alarm to the admins.
            logger.warning("Could not check my rights in %s %s: %s", role, configured, error)
            continue
        found += rights_found(chat_id, member, needed_rights(settings, role))
    await chat_setup.settle_rights(db, settings, found, now)
    return log_missing(found)


def log_missing(found: list[RightFound]) -> list[str]:
    """Each right missing, logged; returned as `right:chat`."""
    missing = [right for right in found if not right.held]
    for right in missing:
        logger.warning(
            "Missing in chat %s: %s (the admins are told what to grant)", right.chat_id, right.right
        )
    return [f"{right.right}:{right.chat_id}" for right in missing]


async def _own_membership(
    bot: Bot, settings: Settings, db: Database, chat_id: int | str, now: float
) -> tuple[int | str, ChatMember]:
    """The chat's id and the bot's membership of it; a group Telegram upgraded while the
    bot was down is followed to its new id first. getChatMember on the old id says only
    "left": a basic group the bot seems not to be in may have been upgraded."""
    member = await bot.get_chat_member(chat_id, bot.id)
    if member.status in PRESENT or chat_id not in chat_setup.basic_groups(settings):
        return chat_id, member
    old_id = int(chat_id)
    new_id = await upgraded_to(bot, old_id)
    if new_id is None:
        return chat_id, member
    await chat_setup.chat_moved(db, settings, old_id, new_id, now)
    return new_id, await bot.get_chat_member(new_id, bot.id)
