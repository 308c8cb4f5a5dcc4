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
