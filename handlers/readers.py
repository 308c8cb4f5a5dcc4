"""Readers in their private chat with the bot: articles, comments, help."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes

from bot import callback_data, rendering
from bot.polling import handled_idempotently
from bot.runtime import Runtime, person_of
from bot.services import articles, comments, contact
from bot.services.comments import OpenResult, SubmitResult
from handlers.contact import ContactHandlers

CONTACT_PAYLOAD = "contact"

WELCOME_ARTICLES = 5


class ReaderHandlers:
    def __init__(self, runtime: Runtime, contact_handlers: ContactHandlers) -> None:
        self._runtime = runtime
        self._contact = contact_handlers

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        payload = context.args[0] if context.args else ""
        if payload == CONTACT_PAYLOAD:
            await self._contact.open_form(update)
            return
        article_id = rendering.parse_article_payload(payload)
        if article_id is not None:
            await self._open_article(update, article_id)
            return
        listings = await articles.recent_articles(
            self._runtime.db, WELCOME_ARTICLES, published_only=True
        )
        text, markup = rendering.welcome(listings)
        await message.reply_text(text, reply_markup=markup)

    async def open_article_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        article_id = callback_data.parse_open_article(query.data)
        if article_id is None:
            await query.answer(rendering.STALE_BUTTON, show_alert=True)
            return
        await query.answer()
        await self._open_article(update, article_id)

    async def _open_article(self, update: Update, article_id: int) -> None:
        assert update.effective_user is not None and update.effective_chat is not None
        view = await comments.open_article(
            self._runtime.db, person_of(update.effective_user), article_id, time.time()
        )
        if view.result is OpenResult.NOT_FOUND:
            text = rendering.ARTICLE_NOT_FOUND
        elif view.result is OpenResult.CLOSED:
            text = rendering.article_closed(view.article)
        elif view.result is OpenResult.BANNED:
            text = rendering.BANNED
        else:
            text = rendering.article_view(view, self._runtime.settings.comment_max_length)
        await update.effective_chat.send_message(text)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(rendering.HELP)

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        cancelled = await comments.cancel(self._runtime.db, update.effective_user.id)
        if cancelled is None:
            text = rendering.NOTHING_TO_CANCEL
        elif cancelled in contact.FORM_STEPS:
            text = rendering.FORM_CANCELLED
        else:
            text = rendering.CANCELLED
        await update.effective_message.reply_text(text)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        assert update.effective_user is not None
        reader = person_of(update.effective_user)
        # Replying to the editors' answer continues that conversation, whatever else is open.
        if message.reply_to_message is not None and await self._contact.answer_editors(
            message, reader
        ):
            return
        outcome = await self._runtime.comment_intake.submit(
            comments.CommentRequest(reader, message.text, time.time(), message.message_id)
        )
        if outcome.result in {
            SubmitResult.ACCEPTED,
            SubmitResult.PUBLISHED,
            SubmitResult.ALREADY_STORED,
        }:
            # Stored with its acknowledgement in the outbox, which says "received" once.
            handled_idempotently()
            self._runtime.wake_outbox()
            if outcome.acknowledgement is not None:
                self._runtime.deliver_soon(outcome.acknowledgement)
        elif outcome.result is SubmitResult.DUPLICATE:
            await message.reply_text(rendering.ALREADY_RECEIVED)
        elif outcome.result is SubmitResult.FLOOD:
            await message.reply_text(rendering.wait_before_sending(outcome.retry_at, time.time()))
        elif outcome.result is SubmitResult.TOO_LONG:
            await message.reply_text(
                rendering.comment_too_long(
                    self._runtime.settings.comment_max_length, len(message.text.strip())
                )
            )
        elif outcome.result is SubmitResult.EMPTY:
            await message.reply_text(rendering.EMPTY_COMMENT)
        elif outcome.result is SubmitResult.BANNED:
            await message.reply_text(rendering.BANNED)
        elif outcome.result is SubmitResult.ARTICLE_CLOSED:
            await message.reply_text(rendering.article_closed(outcome.article))
        elif await contact.current_step(self._runtime.db, reader.user_id) is not None:
            # Not commenting: the reader may be filling in the contact form.
            await self._contact.form_answer(message, reader, message.text)
        else:
            await message.reply_text(rendering.NOT_COMMENTING)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        mode = await comments.current_mode(self._runtime.db, update.effective_user.id)
        if mode == comments.COMMENTING:
            text = rendering.NON_TEXT_WHILE_COMMENTING
        elif mode in contact.FORM_STEPS:
            text = rendering.FORM_NEEDS_TEXT
        else:
            text = rendering.NON_TEXT
        await message.reply_text(text)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(rendering.UNKNOWN_COMMAND)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await update.edited_message.reply_text(rendering.EDITS_IGNORED)
