"""Who may moderate: admins, MODERATOR_IDS, and current members of the moderation chat."""

from __future__ import annotations

import logging
import time

from telegram import Bot, ChatMember
from telegram.error import TelegramError

from bot.settings import Settings

logger = logging.getLogger(__name__)

_MEMBER_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}


class ModeratorDirectory:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._cache: dict[int, tuple[bool, float]] = {}
        self._group_admins: dict[int, tuple[bool, float]] = {}

    async def is_moderator(self, bot: Bot, user_id: int) -> bool | None:
        """True or False, or None when Telegram could not be asked just now."""
        if user_id in self._settings.moderator_user_ids:
            return True
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(self._settings.moderation_chat_id, user_id)
        except TelegramError as error:
            # Not cached: a passing network fault must not lock a moderator out for a minute.
            logger.warning("Could not check moderator %s: %s", user_id, error)
            return None
        allowed = member.status in _MEMBER_STATUSES
        self._cache[user_id] = (allowed, now + self._settings.moderator_cache_seconds)
        return allowed

    async def speaks_for_the_group(self, bot: Bot, user_id: int) -> bool | None:
        """A moderator, or an admin of the discussion group: what they type under a post is
        not held for moderation. None when Telegram could not be asked just now."""
        moderator = await self.is_moderator(bot, user_id)
        if moderator is not False:
            return moderator
        group = self._settings.discussion_chat_id
        if group is None:
            return False
        cached = self._group_admins.get(user_id)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await bot.get_chat_member(group, user_id)
        except TelegramError as error:
            logger.warning("Could not check discussion group admin %s: %s", user_id, error)
            return None
        admin = member.status in {ChatMember.OWNER, ChatMember.ADMINISTRATOR}
        self._group_admins[user_id] = (admin, now + self._settings.moderator_cache_seconds)
        return admin
