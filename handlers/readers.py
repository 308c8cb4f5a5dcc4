"""Readers in their private chat with the bot: articles, comments, help."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes

from bot import callback_data, rendering
from bot.runtime import Runtime, person_of
from bot.services import articles, comments
from bot.services.comments import OpenResult, SubmitResult

WELCOME_ARTICLES = 5


class ReaderHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        payload = context.args[0] if context.args else ""
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
        await query.answer()
        article_id = callback_data.parse_open_article(query.data)
        if article_id is None:
            return
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
        await update.effective_message.reply_text(
            rendering.CANCELLED if cancelled else rendering.NOTHING_TO_CANCEL
        )

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        assert update.effective_user is not None
        outcome = await comments.submit_comment(
            self._runtime.db,
            self._runtime.settings,
            person_of(update.effective_user),
            message.text,
            time.time(),
        )
        if outcome.result is SubmitResult.ACCEPTED:
            # Committed above, so the card is already safe in the outbox before this reply.
            self._runtime.wake_outbox()
            assert outcome.article is not None
            await message.reply_text(rendering.comment_received(outcome.article))
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
        else:
            await message.reply_text(rendering.NOT_COMMENTING)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        mode = await comments.current_mode(self._runtime.db, update.effective_user.id)
        await message.reply_text(
            rendering.NON_TEXT_WHILE_COMMENTING
            if mode == comments.COMMENTING
            else rendering.NON_TEXT
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(rendering.UNKNOWN_COMMAND)
