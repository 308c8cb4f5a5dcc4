"""Admins in their private chat: posting articles to the channel and taking them down."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import Texts
from bot.parsing import parse_id
from bot.rendering import admins as admin_texts
from bot.rendering import feeds as feed_texts
from bot.runtime import Runtime, person_of
from bot.services import articles, feeds, languages
from bot.services.articles import PostCommandError

ARTICLES_LISTED = 15


class AdminHandlers:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def _texts(self, update: Update) -> Texts:
        """The admin's language, kept for the notices the outbox sends them later."""
        assert update.effective_user is not None
        admin = person_of(update.effective_user)
        await languages.remember_person(self._runtime.db, admin, time.time())
        return await languages.texts_for(self._runtime.db, self._runtime.settings, admin)

    async def post(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        assert update.effective_user is not None
        t = await self._texts(update)
        # Everything after the command word, keeping the line breaks that separate the fields.
        parts = message.text.split(None, 1)
        arguments = parts[1] if len(parts) > 1 else ""
        try:
            request = articles.parse_post_command(arguments)
        except PostCommandError as error:
            await message.reply_text(admin_texts.post_refused(t, error.problem))
            return
        outcome = await articles.request_post(
            self._runtime.db,
            self._runtime.settings,
            request,
            update.effective_user.id,
            time.time(),
        )
        if outcome.already:
            await message.reply_text(admin_texts.article_being_posted(t, outcome.article))
            return
        # The post and then "Posted article #N" come from the outbox.
        self._runtime.wake_outbox()

    async def list_articles(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        t = await self._texts(update)
        listings = await articles.recent_articles(
            self._runtime.db, ARTICLES_LISTED, published_only=False
        )
        await update.effective_message.reply_text(admin_texts.article_list(t, listings))

    async def unpublish(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert update.effective_user is not None
        t = await self._texts(update)
        article_id = parse_id(context.args[0]) if context.args else None
        if article_id is None:
            await message.reply_text(admin_texts.unpublish_usage(t))
            return
        article = await articles.close_article(
            self._runtime.db,
            self._runtime.settings,
            article_id,
            update.effective_user.id,
            time.time(),
        )
        if article is None:
            await message.reply_text(admin_texts.not_published(t, article_id))
        elif article.channel_message_id is None:
            await message.reply_text(
                admin_texts.unpublished(t, article, admin_texts.PostRemoval.DELETED)
            )
        else:
            # The post's deletion, and then how it went, come from the outbox.
            self._runtime.wake_outbox()

    async def list_feeds(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/feeds: each feed, its last fetch and result, the entries posted, the last error."""
        assert update.effective_message is not None
        t = await self._texts(update)
        states = await feeds.all_feeds(self._runtime.db, self._runtime.settings)
        await update.effective_message.reply_text(feed_texts.feed_list(t, states, time.time()))

    async def refuse(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_user is not None
        t = await languages.texts_for(
            self._runtime.db, self._runtime.settings, person_of(update.effective_user)
        )
        await update.effective_message.reply_text(admin_texts.admins_only(t))
