"""Admins in their private chat: posting articles to the channel and taking them down."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import rendering
from bot.parsing import parse_id
from bot.runtime import Runtime
from bot.services import articles
from bot.services.articles import PostCommandError

logger = logging.getLogger(__name__)

ARTICLES_LISTED = 15


class AdminHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def post(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        assert update.effective_user is not None
        # Everything after the command word, keeping the line breaks that separate the fields.
        parts = message.text.split(None, 1)
        arguments = parts[1] if len(parts) > 1 else ""
        try:
            request = articles.parse_post_command(arguments)
        except PostCommandError as error:
            await message.reply_text(rendering.post_refused(str(error)))
            return
        settings = self._runtime.settings
        article = await articles.create_draft(
            self._runtime.db, request, update.effective_user.id, time.time()
        )
        text, markup = rendering.channel_post(
            article,
            self._runtime.bot_username,
            with_discussion=settings.discussion_chat_id is not None,
        )
        try:
            post = await context.bot.send_message(settings.channel_id, text, reply_markup=markup)
        except TelegramError as error:
            logger.warning("Posting article %s to the channel failed: %s", article.id, error)
            await articles.discard_draft(self._runtime.db, article.id)
            await message.reply_text(rendering.article_post_failed(error.message))
            return
        await articles.confirm_published(self._runtime.db, article.id, post.message_id)
        await message.reply_text(rendering.article_posted(article))

    async def list_articles(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        listings = await articles.recent_articles(
            self._runtime.db, ARTICLES_LISTED, published_only=False
        )
        await update.effective_message.reply_text(rendering.article_list(listings))

    async def unpublish(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        article_id = parse_id(context.args[0]) if context.args else None
        if article_id is None:
            await message.reply_text(rendering.UNPUBLISH_USAGE)
            return
        article = await articles.close_article(self._runtime.db, article_id, time.time())
        if article is None:
            await message.reply_text(rendering.not_published(article_id))
            return
        post = rendering.PostRemoval.DELETED
        if article.channel_message_id is not None:
            try:
                await context.bot.delete_message(
                    self._runtime.settings.channel_id, article.channel_message_id
                )
            except TelegramError as error:
                if "message to delete not found" in error.message.lower():
                    post = rendering.PostRemoval.ALREADY_GONE
                else:
                    logger.warning("Deleting the post of article %s failed: %s", article.id, error)
                    post = rendering.PostRemoval.FAILED
        await message.reply_text(rendering.unpublished(article, post))

    async def refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(rendering.ADMINS_ONLY)
