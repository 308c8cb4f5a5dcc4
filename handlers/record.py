"""/history USER and /note USER TEXT: an author's record, for moderators only, in the
moderation group or a moderator's private chat with the bot."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.rendering import record as record_texts
from bot.runtime import Runtime
from bot.services import author_record
from bot.services.author_record import NOTE_MAX_LENGTH, Lookup
from bot.text import tg_length
from handlers.access import require_moderator, speaker


class RecordHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def history(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        t = self._runtime.moderation_texts
        typed = context.args[0] if context.args and len(context.args) == 1 else ""
        found = await author_record.history_of(self._runtime.db, typed)
        if found.result is Lookup.FOUND:
            assert found.author is not None and found.past is not None
            answer = record_texts.history(t, found.author, found.past, found.lines, found.total)
        elif found.result is Lookup.UNKNOWN:
            answer = record_texts.unknown_user(t, typed)
        else:
            answer = record_texts.history_usage(t)
        await self._runtime.reply(message, answer)

    async def note(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await require_moderator(self._runtime, update, context):
            return
        t = self._runtime.moderation_texts
        # The note as typed, line breaks included: context.args would lose them.
        _, typed, text = [*(message.text or "").split(maxsplit=2), "", ""][:3]
        added = await author_record.add_note(
            self._runtime.db,
            speaker(message, self._runtime.settings.moderation_chat_id),
            typed,
            text,
            time.time(),
        )
        if added.result is Lookup.FOUND:
            assert added.author is not None
            answer = record_texts.note_added(t, added.author)
        elif added.result is Lookup.UNKNOWN:
            answer = record_texts.unknown_user(t, typed)
        elif added.result is Lookup.TOO_LONG:
            answer = record_texts.note_too_long(t, NOTE_MAX_LENGTH, tg_length(text.strip()))
        else:
            answer = record_texts.note_usage(t)
        await self._runtime.reply(message, answer)
