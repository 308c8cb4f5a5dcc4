"""The notice to a reader whose published comment was answered (bot.services.reply_notices)."""

from __future__ import annotations

import logging
import time

from telegram.error import Forbidden

from bot.delivery.base import NOTHING, Delivered, Delivery, int_of, text_of
from bot.rendering import common as common_texts
from bot.rendering import replies as reply_texts
from bot.services import languages
from storage import articles, readers, reply_notices
from storage.models import OutboxItem

logger = logging.getLogger(__name__)


async def comment_answered(delivery: Delivery, item: OutboxItem) -> Delivered:
    author_id = int(item.chat_key)
    article_id = item.payload.get("article_id")
    async with delivery.db.reading() as conn:
        article = await articles.get(conn, article_id) if isinstance(article_id, int) else None
        # Banned, or turned notices off, since it was queued: it is not sent.
        stopped = await readers.is_banned(
            conn, author_id, time.time()
        ) or await reply_notices.turned_off(conn, author_id)
    if stopped:
        return NOTHING
    message_id = int_of(item, "message_id")
    link = reply_texts.comment_link(
        delivery.settings.channel_id,
        article.channel_message_id if article is not None else None,
        int_of(item, "group"),
        message_id,
    )
    # Answering through the bot: the article opens, and the comment goes under the reply.
    reply_link = (
        common_texts.deep_link(
            delivery.bot_username, common_texts.reply_payload(article.id, message_id)
        )
        if article is not None and article.open_for_comments
        else None
    )
    t = await languages.texts_for_id(delivery.db, delivery.settings, author_id)
    try:
        await delivery.bot.send_message(
            author_id,
            reply_texts.comment_answered(
                t,
                text_of(item, "name") or "",
                text_of(item, "text") or "",
                article.title if article is not None else None,
                link,
                reply_link,
            ),
        )
    except Forbidden as error:
        # They never opened a private chat with the bot (Telegram: "bot can't initiate
        # conversation with a user"), or blocked it: the notice was only ever a courtesy.
        logger.info("Reply notice to %s not sent: %s", author_id, error.message)
    return NOTHING
