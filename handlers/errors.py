"""The last line: an error in a handler is logged, and a reader hears something."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import Texts, language_of
from bot.rendering import common as common_texts
from bot.runtime import Runtime, person_of
from bot.services import languages
from storage import processed_updates

logger = logging.getLogger(__name__)


class ErrorHandler:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def texts_for_error(self, update: Update) -> Texts:
        """The person's language as for anything else (their /language choice first); if
        the database is what failed, Telegram's word on it."""
        user = update.effective_user
        settings = self._runtime.settings
        if user is None:
            return Texts(settings.default_language)
        try:
            return await languages.texts_for(self._runtime.db, settings, person_of(user))
        except Exception:
            logger.warning("Could not read user %s's language; using Telegram's", user.id)
            return Texts(language_of(user.language_code, settings.default_language))

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Handling an update failed", exc_info=context.error)
        handled = processed_updates.current()
        if handled is not None:
            # Not recorded as handled: the poller tries it again, and what the handler had not
            # committed is done then. Answering below records nothing.
            handled.failed = True
            if handled.earlier_failures:
                # The person heard of the first failure already.
                return
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:
            # A press that failed must not leave the button spinning: say so, if still possible.
            try:
                await update.callback_query.answer(
                    common_texts.something_went_wrong(await self.texts_for_error(update)),
                    show_alert=True,
                )
            except TelegramError as error:
                logger.warning("Could not answer the failed button press: %s", error)
                return
            if handled is not None:
                handled.press_answered = True
            return
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            return
        try:
            await update.effective_chat.send_message(
                common_texts.something_went_wrong(await self.texts_for_error(update))
            )
        except TelegramError as error:
            logger.warning(
                "Could not tell user %s about the error: %s", update.effective_chat.id, error
            )
