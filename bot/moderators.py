"""Who may moderate: admins, MODERATOR_IDS, and current members of the moderation chat;
and what the bot itself may do in the discussion group."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember
from telegram.error import TelegramError

from bot.settings import Settings

logger = logging.getLogger(__name__)

_MEMBER_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}


_ADMIN_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}


class ModeratorDirectory:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # (chat, user, what was asked) -> (the answer, until when that is trusted).
        self._cache: dict[tuple[int, int, str], tuple[bool, float]] = {}

    async def is_moderator(self, bot: Bot, user_id: int, *, fresh: bool = False) -> bool | None:
        """True or False, or None when Telegram could not be asked just now. `fresh` asks
        Telegram whatever the cache says (a private desk: someone who left the group
        loses it at their next tap)."""
        if user_id in self._settings.moderator_user_ids:
            return True
        return await self._status_in(
            bot, self._settings.moderation_chat_id, user_id, _MEMBER_STATUSES, fresh=fresh
        )

    async def speaks_for_the_group(self, bot: Bot, user_id: int) -> bool | None:
        """A moderator, or an admin of the discussion group: what they type under a post is
        not held for moderation. None when Telegram could not be asked just now."""
        group = self._settings.discussion_chat_id
        if group is None:
            return await self.is_moderator(bot, user_id)
        # Both asked at once: with THREAD_MODERATION=pre, what a reader typed stays public
        # until this answers, and one round trip to Telegram is shorter than two.
        moderator, group_admin = await asyncio.gather(
            self.is_moderator(bot, user_id),
            self._status_in(bot, group, user_id, _ADMIN_STATUSES),
        )
        if moderator is not False:
            return moderator
        return group_admin

    async def bot_may_delete(self, bot: Bot, chat_id: int) -> bool | None:
        """Whether the bot holds *Delete messages* in the group; None when Telegram could
        not be asked just now."""
        return await self._member_check(
            bot, chat_id, bot.id, "delete", lambda m: bool(getattr(m, "can_delete_messages", False))
        )

    async def _status_in(
        self, bot: Bot, chat_id: int, user_id: int, statuses: set[str], *, fresh: bool = False
    ) -> bool | None:
        """Whether the user's status in the chat is one of `statuses`, cached a while."""
        label = ",".join(sorted(statuses))
        return await self._member_check(
            bot, chat_id, user_id, label, lambda member: member.status in statuses, fresh=fresh
        )

    async def _member_check(
        self,
        bot: Bot,
        chat_id: int,
        user_id: int,
        label: str,
        check: Callable[[ChatMember], bool],
        *,
        fresh: bool = False,
    ) -> bool | None:
        cached = self._cache.get((chat_id, user_id, label))
        now = time.monotonic()
        if cached is not None and cached[1] > now and not fresh:
            return cached[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as error:
            # Not cached: a passing network fault must not lock a moderator out for a minute.
            logger.warning("Could not check user %s in chat %s: %s", user_id, chat_id, error)
            return None
        found = check(member)
        self._cache[(chat_id, user_id, label)] = (
            found,
            now + self._settings.moderator_cache_seconds,
        )
        return found
