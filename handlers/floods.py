"""The flood gate: every update of a person in a private chat, and every button press,
passes it before any handler runs (bot.services.floods)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.rendering import readers as reader_texts
from bot.runtime import Runtime, person_of
from bot.services import floods, languages
from bot.services.floods import Verdict
from handlers.presses import answer_press

logger = logging.getLogger(__name__)

# Updates let through lately, remembered: one whose handling failed is tried again
# (bot.update_handling: five tries over some 8 s, or held longer), and a retry is the same
# update, not one more to count or to stop.
ADMITTED_REMEMBERED = 10_000


class FloodGateHandler:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._admitted: OrderedDict[int, None] = OrderedDict()

    async def check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let the update on to the handlers, or stop it here: told once, then silence."""
        user = update.effective_user
        if user is None or not _gated(update) or user.id in self._runtime.settings.admin_ids:
            return
        if update.update_id in self._admitted:
            return
        now = time.time()
        admission = self._runtime.floods.admit(user.id, now)
        if admission.verdict is Verdict.ADMIT:
            self._remember(update.update_id)
            return
        if admission.verdict is Verdict.TELL:
            # Moderators work their private desks with many taps: never held back. Asked
            # once a burst, when the gate would first stop them, so a flood costs one
            # question at most.
            if await self._runtime.moderators.is_moderator(context.bot, user.id):
                self._runtime.floods.forgive(user.id)
                self._remember(update.update_id)
                return
            t = await languages.texts_for(self._runtime.db, self._runtime.settings, person_of(user))
            text = reader_texts.flooding(t, admission.retry_at, now)
            try:
                if update.callback_query is not None:
                    # An alert takes 200 characters; this one is well within them.
                    await answer_press(update.callback_query, text, alert=True)
                elif update.effective_chat is not None:
                    await context.bot.send_message(update.effective_chat.id, text)
            except TelegramError as error:
                # Stopped all the same: an error raised from here would let the update on
                # to the handlers (python-telegram-bot goes on to the next group).
                logger.warning("Person %s could not be told to wait: %s", user.id, error)
        elif admission.verdict is Verdict.SPAM:
            # Asked again before a ban: at the word, Telegram may not have been able to say
            # (None); a moderator is let through, and nobody is banned on a doubt.
            moderator = await self._runtime.moderators.is_moderator(context.bot, user.id)
            if moderator:
                self._runtime.floods.forgive(user.id)
                self._remember(update.update_id)
                return
            if moderator is False:
                logger.info("Person %s kept flooding: treated as spam", user.id)
                # A message's words, kept with the catch; a button press has none of its own.
                message = update.message or update.edited_message
                words = (message.text or message.caption or "") if message else ""
                async with self._runtime.db.transaction() as conn:
                    await floods.treat_as_spam(
                        conn, self._runtime.settings, person_of(user), admission, now, text=words
                    )
                self._runtime.wake_outbox()
        # QUIET (and SPAM): no answer, no call to Telegram. A press left unanswered stops
        # its spinner by itself.
        raise ApplicationHandlerStop

    def _remember(self, update_id: int) -> None:
        self._admitted[update_id] = None
        if len(self._admitted) > ADMITTED_REMEMBERED:
            self._admitted.popitem(last=False)


def _gated(update: Update) -> bool:
    """A person's messages in their private chat with the bot, and button presses. What
    they type in the discussion group is judged there (it must come down either way)."""
    if update.callback_query is not None:
        return True
    message = update.message or update.edited_message
    return message is not None and message.chat.type == ChatType.PRIVATE
