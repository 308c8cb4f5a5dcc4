"""Where the bot is: it stays only in the chats it was configured for, and tells the
admins about any other it was added to (with the .env line that would use it), and about
any of its own where it was demoted or removed (which right it lacks now)."""

from __future__ import annotations

import logging
import time

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import chats
from bot.chats import PRESENT
from bot.runtime import Runtime
from bot.services import chat_setup

logger = logging.getLogger(__name__)


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

    async def chat_migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram's service messages of a group upgrade: migrate_to_chat_id in the old
        group, migrate_from_chat_id in the new supergroup; either is enough."""
        message = update.effective_message
        assert message is not None
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id is not None:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        if await chat_setup.chat_moved(
            self._runtime.db, self._runtime.settings, old, new, time.time()
        ):
            self._runtime.wake_outbox()

    async def _moved_here(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
        """Telegram tells the bot of its membership of an upgraded group's new supergroup
        before (or without) the service messages: whether one of the bot's basic groups
        moved here, as a call to its old id answers (ChatMigrated)."""
        settings = self._runtime.settings
        for old in chat_setup.basic_groups(settings):
            if await chats.upgraded_to(context.bot, old) == chat_id:
                await chat_setup.chat_moved(self._runtime.db, settings, old, chat_id, time.time())
                self._runtime.wake_outbox()
                return True
        return False

    async def _own_rights_changed(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, member: ChatMember
    ) -> None:
        """Promoted, demoted or removed in one of the bot's chats: the admins hear at once
        of each right it lacks now (in privacy mode a demoted bot stops seeing what it
        moderates, without a word from Telegram to anyone), and of it once only."""
        settings = self._runtime.settings
        role = chat_setup.role_of(settings, chat_id)
        if role is None:
            return
        if member.status not in PRESENT and chat_id in chat_setup.basic_groups(settings):
            # Upgraded: "left" in the old group is no news; the new id is followed.
            new_id = await chats.upgraded_to(context.bot, chat_id)
            if new_id is not None:
                await chat_setup.chat_moved(
                    self._runtime.db, settings, chat_id, new_id, time.time()
                )
                self._runtime.wake_outbox()
                return
        needed = chats.needed_rights(settings, role)
        found = chats.rights_found(chat_id, member, needed)
        chats.log_missing(found)
        await chat_setup.settle_rights(self._runtime.db, settings, found, time.time())
        self._runtime.wake_outbox()

    async def _linked_now(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
        """The channel's discussion group, linked since the bot started (or unknown then,
        Telegram being away): never left."""
        try:
            linked = (await context.bot.get_chat(chat_id)).linked_chat_id
        except TelegramError as error:
            logger.warning("Could not look at chat %s: %s", chat_id, error)
            return False
        if linked is None or linked != self._runtime.settings.channel_id:
            return False
        self._runtime.linked_group_id = chat_id
        logger.warning(
            "Added to the channel's discussion group %s, linked since I started: staying."
            " Restart me to moderate and publish comments there.",
            chat_id,
        )
        return True

    async def bot_membership_changed(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        change = update.my_chat_member
        assert change is not None
        chat = change.chat
        if chat.type == chat.PRIVATE:
            return
        if chat_setup.role_of(self._runtime.settings, chat.id) is not None:
            await self._own_rights_changed(context, chat.id, change.new_chat_member)
            return
        if change.new_chat_member.status not in PRESENT:
            return
        if self._is_configured(chat.id, chat.username):
            return
        if chat.type == chat.SUPERGROUP and await self._moved_here(context, chat.id):
            await self._own_rights_changed(context, chat.id, change.new_chat_member)
            return
        if chat.type == chat.SUPERGROUP and await self._linked_now(context, chat.id):
            return
        # Said in full, because this is how an editor finds the id of a new group.
        logger.warning(
            "Added to %s %r (id %s), which is not configured. To make it the moderation"
            " group, set MODERATION_CHAT_ID=%s.",
            chat.type,
            chat.title,
            chat.id,
            chat.id,
        )
        kind = "channel" if chat.type == chat.CHANNEL else "group"
        settings = self._runtime.settings
        await chat_setup.chat_discovered(
            self._runtime.db, settings, kind, chat.id, chat.title or "", time.time()
        )
        self._runtime.wake_outbox()
        if settings.setting_up:
            # Being set up: this is likely the moderation group-to-be, which the admins
            # would otherwise have to add the bot to again.
            return
        try:
            await context.bot.leave_chat(chat.id)
        except TelegramError as error:
            logger.warning("Could not leave chat %s: %s", chat.id, error)
