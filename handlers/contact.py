"""The contact form and the conversation between readers and editors."""

from __future__ import annotations

import time

from telegram import Chat, Message, Update
from telegram.ext import ContextTypes

from bot.i18n import Texts
from bot.rendering import contact as contact_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import readers as reader_texts
from bot.runtime import Runtime, person_of
from bot.services import contact, contact_conversation, conversation, languages
from bot.services.contact import Step
from bot.services.contact_conversation import ReplyResult
from bot.services.conversation import Routed
from bot.text import tg_length
from handlers.access import require_moderator, speaker, speaks_as_moderator
from handlers.presses import answer_press
from handlers.reasons import ReasonHandlers
from storage.models import Person, ReaderState

INBOX_ENTRIES = 20


class ContactHandlers:
    def __init__(self, runtime: Runtime, reasons: ReasonHandlers) -> None:
        self._runtime = runtime
        # A reply to a rejected comment's card is a reason, not an answer.
        self._reasons = reasons

    # --- readers ------------------------------------------------------------------------

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.open_form(update)

    async def start_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await self.open_form(update)
        # Answered once the form is open (see ReaderHandlers.open_article_button).
        await answer_press(update.callback_query)

    async def open_form(self, update: Update) -> None:
        assert update.effective_user is not None and update.effective_chat is not None
        reader = person_of(update.effective_user)
        outcome = await contact.start_form(
            self._runtime.db, self._runtime.settings, reader, time.time()
        )
        t = await languages.texts_for(self._runtime.db, self._runtime.settings, reader)
        if outcome.step is Step.BANNED:
            await update.effective_chat.send_message(reader_texts.banned(t, outcome.banned_until))
        elif outcome.step is Step.FLOOD:
            await update.effective_chat.send_message(
                reader_texts.wait_before_sending(t, outcome.retry_at, time.time())
            )
        else:
            # The first question is queued with the form's state.
            self._runtime.wake_outbox()

    async def use_telegram_name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        reader = person_of(query.from_user)
        routed = await conversation.route_text(
            self._runtime.db, self._runtime.settings, reader.user_id, time.time()
        )
        if routed.state is not None and routed.state.mode == contact.ASKING_NAME:
            assert isinstance(query.message, Message)
            await self._answer_form(query.message.chat, reader, routed.state, reader.display_name)
        # Answered once the name is taken (see ReaderHandlers.open_article_button).
        await answer_press(query)

    async def form_answer(self, message: Message, reader: Person, routed: Routed) -> None:
        """A text while the reader fills in the form (conversation.Route.CONTACT_FORM)."""
        assert message.text is not None and routed.state is not None
        await self._answer_form(
            message.chat, reader, routed.state, message.text, message_id=message.message_id
        )

    async def _answer_form(
        self,
        chat: Chat,
        reader: Person,
        state: ReaderState,
        text: str,
        *,
        message_id: int | None = None,
    ) -> None:
        outcome = await contact.answer(
            self._runtime.db,
            self._runtime.settings,
            reader,
            text,
            time.time(),
            message_id=message_id,
            state=state,
            spam=self._runtime.spam_screen,
        )
        if outcome.step in {Step.SUBMITTED, Step.ALREADY_STORED, Step.ASK_EMAIL, Step.ASK_MESSAGE}:
            # What comes next (the next question, or "received") is queued with the change.
            self._runtime.wake_outbox()
        elif outcome.step is Step.EMAIL_INVALID:
            await chat.send_message(
                contact_texts.email_invalid(await self._texts_of(reader), outcome.detail)
            )
        elif outcome.step is Step.NAME_TOO_LONG:
            await chat.send_message(
                contact_texts.name_too_long(await self._texts_of(reader), contact.NAME_MAX_LENGTH)
            )
        elif outcome.step is Step.MESSAGE_TOO_LONG:
            await chat.send_message(
                contact_texts.message_too_long(
                    await self._texts_of(reader), contact.MESSAGE_MAX_LENGTH, int(outcome.detail)
                )
            )
        elif outcome.step is Step.BANNED:
            await chat.send_message(
                reader_texts.banned(await self._texts_of(reader), outcome.banned_until)
            )
        elif outcome.step is Step.EMPTY:
            await chat.send_message(contact_texts.form_empty(await self._texts_of(reader)))
        elif outcome.step is Step.DUPLICATE:
            await chat.send_message(reader_texts.already_received(await self._texts_of(reader)))
        elif outcome.step is Step.FLOOD:
            await chat.send_message(
                reader_texts.wait_before_sending(
                    await self._texts_of(reader), outcome.retry_at, time.time()
                )
            )
        else:
            await chat.send_message(reader_texts.not_commenting(await self._texts_of(reader)))

    async def _texts_of(self, reader: Person) -> Texts:
        return await languages.texts_for(self._runtime.db, self._runtime.settings, reader)

    async def answer_editors(self, message: Message, reader: Person) -> bool:
        """A reader's reply to the editors' answer; False if it replies to something else."""
        assert message.reply_to_message is not None and message.text is not None
        outcome = await contact_conversation.reply_to_editors(
            self._runtime.db,
            self._runtime.settings,
            reader,
            message.reply_to_message.message_id,
            message.message_id,
            message.text,
            time.time(),
        )
        if outcome.result is ReplyResult.NOT_A_CONTACT_THREAD:
            return False
        if outcome.result is ReplyResult.QUEUED:
            self._runtime.wake_outbox()
            await message.reply_text(
                contact_texts.reader_answer_queued(await self._texts_of(reader))
            )
        elif outcome.result is ReplyResult.READER_BANNED:
            await message.reply_text(
                reader_texts.banned(await self._texts_of(reader), outcome.banned_until)
            )
        elif outcome.result is ReplyResult.WAIT_FOR_EDITORS:
            await message.reply_text(
                contact_texts.wait_for_the_editors(await self._texts_of(reader))
            )
        elif outcome.result is ReplyResult.TOO_LONG:
            await message.reply_text(
                contact_texts.reply_too_long(
                    await self._texts_of(reader),
                    contact_conversation.REPLY_MAX_LENGTH,
                    tg_length(message.text.strip()),
                )
            )
        elif outcome.result is ReplyResult.EMPTY:
            await message.reply_text(contact_texts.form_empty(await self._texts_of(reader)))
        return True

    # --- moderators -----------------------------------------------------------------------

    async def moderator_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply in the moderation chat to a contact card goes to the reader; one to a
        rejected comment's card gives the reason."""
        message = update.effective_message
        assert message is not None and message.reply_to_message is not None
        t = self._runtime.moderation_texts
        allowed = await speaks_as_moderator(self._runtime, message, context)
        if allowed is None:
            await self._runtime.reply(message, answer_texts.moderator_check_failed(t))
            return
        if not allowed:
            return
        # A sticker or photo is refused only in a contact thread: elsewhere in the chat it
        # is the moderators' own conversation.
        outcome = await contact_conversation.reply_to_reader(
            self._runtime.db,
            speaker(message, self._runtime.settings.moderation_chat_id),
            message.chat.id,
            message.reply_to_message.message_id,
            message.message_id,
            message.text or "",
            time.time(),
        )
        if outcome.result is ReplyResult.QUEUED:
            self._runtime.wake_outbox()
        elif outcome.result is ReplyResult.NOT_A_CONTACT_THREAD:
            await self._reasons.own_reason(
                message, speaker(message, self._runtime.settings.moderation_chat_id)
            )
        elif outcome.result is ReplyResult.READER_BANNED:
            await self._runtime.reply(message, contact_texts.answer_to_banned(t))
        elif outcome.result is ReplyResult.TOO_LONG:
            await self._runtime.reply(
                message, contact_texts.answer_too_long(t, contact_conversation.REPLY_MAX_LENGTH)
            )
        elif outcome.result is ReplyResult.EMPTY:
            await self._runtime.reply(message, contact_texts.answer_needs_text(t))

    async def inbox(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        if not await require_moderator(self._runtime, update, context):
            return
        entries = await contact_conversation.unanswered_inbox(self._runtime.db, INBOX_ENTRIES)
        await self._runtime.reply(
            message, answer_texts.inbox(self._runtime.moderation_texts, entries, message.chat.id)
        )
