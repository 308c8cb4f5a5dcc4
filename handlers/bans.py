"""Bans in the moderation chat: /ban USER TERM REASON, /unban USER, /bans."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.parsing import parse_term, parse_user
from bot.rendering import bans as ban_texts
from bot.rendering import reasons as reason_texts
from bot.runtime import Runtime
from bot.services import bans, users
from bot.services.reasons import OWN_REASON_MAX_LENGTH
from handlers.access import require_moderator, speaker


class BanHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def ban(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        t = self._runtime.moderation_texts
        # The reason is the rest of the message as typed, spaces and lines kept.
        parts = (message.text or "").split(maxsplit=3)
        if len(parts) < 2:
            await self._runtime.reply(message, ban_texts.ban_usage(t))
            return
        user = parse_user(parts[1])
        if user is None:
            await self._runtime.reply(message, ban_texts.ban_usage(t))
            return
        person = await users.look_up(self._runtime.db, user, any_id=True)
        if person is None:
            await self._runtime.reply(message, ban_texts.unknown_user(t, parts[1]))
            return
        term = parse_term(parts[2]) if len(parts) > 2 else None
        if term is None:
            answer = ban_texts.bad_term(t, parts[2]) if len(parts) > 2 else ban_texts.ban_usage(t)
            await self._runtime.reply(message, answer)
            return
        reason = parts[3].strip() if len(parts) > 3 else ""
        if not reason:
            await self._runtime.reply(message, ban_texts.missing_reason(t))
            return
        # As a moderator's own reason on a card: /bans and the cards show it in a line.
        if len(reason) > OWN_REASON_MAX_LENGTH:
            await self._runtime.reply(
                message, reason_texts.own_reason_too_long(t, OWN_REASON_MAX_LENGTH)
            )
            return
        made = await bans.ban(
            self._runtime.db,
            self._runtime.settings,
            person.user_id,
            term,
            reason,
            speaker(message, self._runtime.settings.moderation_chat_id),
            time.time(),
        )
        # The reply wakes the outbox, which carries the ban to the discussion group too.
        await self._runtime.reply(
            message, ban_texts.banned(t, person, made.ban, made.replaced, made.swept)
        )

    async def unban(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        t = self._runtime.moderation_texts
        if not context.args:
            await self._runtime.reply(message, ban_texts.unban_usage(t))
            return
        user = parse_user(context.args[0])
        if user is None:
            await self._runtime.reply(message, ban_texts.unban_usage(t))
            return
        person = await users.look_up(self._runtime.db, user, any_id=True)
        if person is None:
            await self._runtime.reply(message, ban_texts.unknown_user(t, context.args[0]))
            return
        was_banned = await bans.unban(
            self._runtime.db,
            self._runtime.settings,
            person.user_id,
            time.time(),
            speaker(message, self._runtime.settings.moderation_chat_id),
        )
        # A ban for flooding came with a wait (up to an hour): lifted, they are answered at
        # once, not ignored until it ends.
        self._runtime.floods.forgive(person.user_id)
        await self._runtime.reply(message, ban_texts.unbanned(t, person, was_banned))

    async def list_bans(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        total, listed = await bans.active(self._runtime.db, time.time())
        await self._runtime.reply(
            message, ban_texts.bans_list(self._runtime.moderation_texts, total, listed)
        )
