"""/stats for moderators in the moderation group, /status for admins in private."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import __version__
from bot.chats import PRESENT, needed_rights, rights_found
from bot.rendering import reports as report_texts
from bot.runtime import Runtime, person_of
from bot.services import languages, reports
from bot.services.reports import ChatCheck, ChatRole
from bot.settings import Settings
from handlers.access import require_moderator

logger = logging.getLogger(__name__)


async def check_chats(bot: Bot, settings: Settings) -> list[ChatCheck]:
    """Each configured chat, side by side: its title if the bot is in it, or why not."""
    configured: list[tuple[ChatRole, int | str]] = [
        (ChatRole.CHANNEL, settings.channel_id),
        (ChatRole.MODERATION, settings.moderation_chat_id),
    ]
    if settings.discussion_chat_id is not None:
        configured.append((ChatRole.DISCUSSION, settings.discussion_chat_id))

    async def check(role: ChatRole, chat_id: int | str) -> ChatCheck:
        try:
            chat = await bot.get_chat(chat_id)
            # getChat answers for a public chat the bot is not in: its own membership says
            # whether it works there.
            member = await bot.get_chat_member(chat_id, bot.id)
        except TelegramError as error:
            logger.warning("Checking the %s chat (%s) failed: %s", role, chat_id, error.message)
            return ChatCheck(role, str(chat_id), error=error.message)
        if member.status not in PRESENT:
            return ChatCheck(role, str(chat_id), absent_as=member.status)
        found = rights_found(chat_id, member, needed_rights(settings, role))
        return ChatCheck(
            role,
            str(chat_id),
            title=chat.title or chat.username or str(chat.id),
            missing=tuple(right.right for right in found if not right.held),
        )

    return list(await asyncio.gather(*(check(role, chat_id) for role, chat_id in configured)))


class ReportHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        report = await reports.moderation_stats(self._runtime.db, time.time())
        await self._runtime.reply(
            message, report_texts.stats(self._runtime.moderation_texts, report)
        )

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        chats = await check_chats(context.bot, self._runtime.settings)
        worker = self._runtime.outbox_handle
        report = await reports.bot_status(
            self._runtime.db,
            time.time(),
            version=__version__,
            started_at=self._runtime.started_at,
            last_error=worker.last_telegram_error if worker is not None else None,
            chats=chats,
        )
        t = await languages.texts_for(
            self._runtime.db, self._runtime.settings, person_of(update.effective_user)
        )
        await message.reply_text(report_texts.status(t, report))
