"""Replies in the moderation group to a card: the corrected text of a comment after ✏️
Edit, else (a contact card, or a reader's answer under one) an answer to the reader."""

from __future__ import annotations

import time

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.rendering import edits as edit_texts
from bot.runtime import Runtime
from bot.services import edits
from bot.services.edits import EditResult
from handlers.access import is_anonymous_admin, speaker, speaks_as_moderator
from handlers.contact import ContactHandlers


class CardReplies:
    def __init__(self, runtime: Runtime, contact: ContactHandlers) -> None:
        self._runtime = runtime
        self._contact = contact

    async def reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.reply_to_message is not None
        if await speaks_as_moderator(self._runtime, message, context) and await self._correction(
            message
        ):
            return
        await self._contact.moderator_reply(update, context)

    async def _correction(self, message: Message) -> bool:
        """The corrected text of a comment whose ✏️ Edit this moderator tapped; False when
        the reply is not one."""
        assert message.reply_to_message is not None
        chat_id = self._runtime.settings.moderation_chat_id
        outcome = await edits.correct_by_reply(
            self._runtime.db,
            self._runtime.settings,
            speaker(message, chat_id),
            (message.chat.id, message.reply_to_message.message_id),
            message.text,
            time.time(),
            anonymous=is_anonymous_admin(message, chat_id),
        )
        t = self._runtime.moderation_texts
        result = outcome.result
        if result is EditResult.NOT_AN_EDIT:
            return False
        if result in {EditResult.SAVED, EditResult.UNDONE}:
            # The card, edited to show the correction, is the answer: no message of its own
            # to spend the group's minute on.
            self._runtime.wake_outbox()
        elif result is EditResult.EXPIRED:
            assert outcome.submission is not None
            await self._runtime.reply(message, edit_texts.edit_expired(t, outcome.submission.id))
        elif result is EditResult.EMPTY:
            await self._runtime.reply(message, edit_texts.edit_empty(t))
        elif result is EditResult.NOT_TEXT:
            await self._runtime.reply(message, edit_texts.edit_not_text(t))
        elif result is EditResult.TOO_LONG:
            assert message.text is not None
            limit = self._runtime.settings.comment_max_length
            await self._runtime.reply(
                message, edit_texts.edit_too_long(t, limit, len(message.text.strip()))
            )
        return True
