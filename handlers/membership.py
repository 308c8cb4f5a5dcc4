"""Where the bot is: it stays only in the chats it was configured for, and tells the
admins about any other it was added to (with the .env line that would use it)."""

from __future__ import annotations

import logging
import time

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services import chat_setup

logger = logging.getLogger(__name__)

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


class MembershipHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def _is_configured(self, chat_id: int, username: str | None) -> bool:
        settings = self._runtime.settings
        chats: set[int | str | None] = {
            settings.channel_id,
            settings.moderation_chat_id,
            settings.discussion_chat_id,
            # The channel's linked group, even with DISCUSSION_CHAT_ID=none: leaving it
            # would break the channel's comments for everyone.
            self._runtime.linked_group_id,
        }
        if chat_id in chats:
            return True
        # CHANNEL_ID as @username, if Telegram could not resolve it at start-up: usernames
        # are case-insensitive.
        channel = settings.channel_id
        return (
            isinstance(channel, str)
            and username is not None
            and channel.lstrip("@").lower() == username.lower()
        )

    async def bot_membership_changed(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        change = update.my_chat_member
        assert change is not None
        chat = change.chat
        if chat.type == chat.PRIVATE or change.new_chat_member.status not in _PRESENT:
            return
        if self._is_configured(chat.id, chat.username):
            return
        # Said in full, because this is how an editor finds the id of a new group.
        logger.warning(
            "Added to %s %r (id %s), which is not configured; leaving. To make it the"
            " moderation group, set MODERATION_CHAT_ID=%s.",
            chat.type,
            chat.title,
            chat.id,
            chat.id,
        )
        kind = "channel" if chat.type == chat.CHANNEL else "group"
        await chat_setup.chat_discovered(
            self._runtime.db, self._runtime.settings, kind, chat.id, chat.title or "", time.time()
        )
        self._runtime.wake_outbox()
        try:
            await context.bot.leave_chat(chat.id)
        except TelegramError as error:
            logger.warning("Could not leave chat %s: %s", chat.id, error)
