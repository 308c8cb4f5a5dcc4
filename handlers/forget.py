"""/forget in a private chat: a reader's own data, or (an admin's /forget USER) a reader's
who asked by email. Both confirm with a button that also says what becomes of the
published comments."""

from __future__ import annotations

import time

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callback_data
from bot.i18n import Texts
from bot.parsing import parse_user
from bot.rendering import channel as channel_texts
from bot.rendering import common as common_texts
from bot.rendering import forget as forget_texts
from bot.runtime import Runtime, person_of
from bot.services import forget, languages
from bot.services.forget import Published
from handlers.presses import answer_press
from storage import readers
from storage.models import Person


class ForgetHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def _is_admin(self, user_id: int) -> bool:
        return user_id in self._runtime.settings.admin_ids

    async def _texts(self, person: Person) -> Texts:
        return await languages.texts_for(self._runtime.db, self._runtime.settings, person)

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        asker = person_of(update.effective_user)
        t = await self._texts(asker)
        typed = " ".join(context.args or [])
        if not typed:
            text, markup = forget_texts.confirmation(t, asker.user_id)
            await message.reply_text(text, reply_markup=markup)
            return
        if not self._is_admin(asker.user_id):
            await message.reply_text(forget_texts.usage(t))
            return
        reader = await self._find(typed)
        if reader is None:
            answer = (
                forget_texts.admin_usage(t)
                if parse_user(typed) is None
                else forget_texts.unknown_user(t, typed)
            )
            await message.reply_text(answer)
            return
        text, markup = forget_texts.admin_confirmation(t, reader)
        await message.reply_text(text, reply_markup=markup)

    async def _find(self, typed: str) -> Person | None:
        """A reader the bot keeps something of, by id or @username."""
        user = parse_user(typed)
        if user is None:
            return None
        async with self._runtime.db.reading() as conn:
            if isinstance(user, str):
                return await readers.find_by_username(conn, user)
            return await readers.find(conn, user)

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        presser = person_of(query.from_user)
        # In the presser's language, read before their profile (and language) is erased.
        t = await self._texts(presser)
        press = callback_data.parse_forget(query.data)
        own = press is not None and press.user_id == presser.user_id
        if press is None or query.message is None or not (own or self._is_admin(presser.user_id)):
            await answer_press(query, common_texts.stale_button(t), alert=True)
            return
        if press.choice == forget_texts.CANCEL:
            await _show(query, forget_texts.cancelled(t))
            await answer_press(query)
            return
        settings = self._runtime.settings
        forgotten = await forget.forget_reader(
            self._runtime.db,
            settings,
            press.user_id,
            Published(press.choice),
            channel_texts.former_reader(Texts(settings.channel_language)),
            time.time(),
            by=None if own else presser,
        )
        self._runtime.wake_outbox()
        done = forget_texts.reader_done(t, forgotten) if own else forget_texts.done(t, forgotten)
        # The confirmation becomes the account of what was done: its buttons go with it.
        await _show(query, done)
        await answer_press(query)


async def _show(query: CallbackQuery, text: str) -> None:
    """The confirmation becomes `text`. A double tap sends a second press before the first
    one's edit took the buttons away: that edit then changes nothing, which Telegram
    refuses ("message is not modified"), and the message says what was done already."""
    try:
        await query.edit_message_text(text)
    except BadRequest as error:
        if "message is not modified" not in error.message.lower():
            raise
