"""Where the bot is: it stays only in the chats it was configured for."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.runtime import Runtime

logger = logging.getLogger(__name__)

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


class MembershipHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def _configured_chats(self) -> set[int | str]:
        settings = self._runtime.settings
        chats: set[int | str] = {settings.channel_id, settings.moderation_chat_id}
        if settings.discussion_chat_id is not None:
            chats.add(settings.discussion_chat_id)
        return chats

    async def bot_membership_changed(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        change = update.my_chat_member
        assert change is not None
        chat = change.chat
        if chat.type == chat.PRIVATE or change.new_chat_member.status not in _PRESENT:
            return
        configured = self._configured_chats()
        if chat.id in configured or (chat.username and f"@{chat.username}" in configured):
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
        try:
            await context.bot.leave_chat(chat.id)
        except TelegramError as error:
            logger.warning("Could not leave chat %s: %s", chat.id, error)
