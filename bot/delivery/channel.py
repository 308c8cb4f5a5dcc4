"""Deliveries in the blog's channel: the article's post, its removal, and its comment
counter (without a discussion group)."""

from __future__ import annotations

import logging
import time

import aiosqlite
from telegram import Message
from telegram.error import BadRequest, NetworkError

from bot.delivery.base import NOTHING, Delivered, Delivery, int_of
from bot.i18n import Texts
from bot.rendering import admins as admin_texts
from bot.rendering import channel as channel_texts
from bot.services import admin_notices
from bot.services import articles as article_service
from bot.services.admin_notices import AdminNotice
from bot.settings import Settings
from storage import articles, outbox, submissions
from storage.models import FROM_FEED, Article, ArticleStatus, OutboxItem

logger = logging.getLogger(__name__)


async def channel_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    """An article's post in the channel; the admin who asked hears when it is there."""
    async with delivery.db.reading() as conn:
        article = await articles.get(conn, int_of(item, "article_id"))
    if article is None or article.status is not ArticleStatus.DRAFT:
        return NOTHING
    settings = delivery.settings
    admin_id = int_of(item, "admin_id")
    try:
        post = await _post(delivery, article)
    except NetworkError as error:
        if isinstance(error, BadRequest) or _never_reached_telegram(error):
            raise

        # Telegram may have made the post and the answer was lost. Sent again, it would be
        # there twice, in public: the article opens to comments as if posted (its link, if
        # the post is there, works), and the admin is asked to look; /post with the same
        # link posts it again if it is not there.
        async def unconfirmed(conn: aiosqlite.Connection) -> None:
            await articles.mark_published_unconfirmed(conn, article.id)

        return Delivered(
            unconfirmed,
            _to_poster(settings, admin_id, AdminNotice.ARTICLE_POST_UNCONFIRMED, article.id),
        )

    async def record(conn: aiosqlite.Connection) -> None:
        await article_service.record_post(conn, article.id, post.message_id, time.time())

    # From the feed: nobody asked, so nobody waits to hear it is there.
    told = [] if admin_id == FROM_FEED else [admin_id]
    return Delivered(
        record,
        [
            admin_notices.admin_notice_row(admin, AdminNotice.ARTICLE_POSTED, article_id=article.id)
            for admin in told
        ],
    )


# Telegram downloads a photo sent by URL before it answers: a slow blog host needs longer
# than python-telegram-bot's 5 s (a timeout here would leave the post unconfirmed).
PHOTO_READ_TIMEOUT = 30.0


async def _post(delivery: Delivery, article: Article) -> Message:
    """The article's post: a photo with the text as its caption when the article has an
    image (from its feed entry), else a text message."""
    settings = delivery.settings
    with_discussion = settings.discussion_chat_id is not None
    if article.image_url:
        caption, markup = channel_texts.channel_post(
            Texts(settings.channel_language),
            article,
            delivery.bot_username,
            with_discussion=with_discussion,
            limit=channel_texts.CAPTION_LIMIT,
        )
        try:
            return await delivery.bot.send_photo(
                settings.channel_id,
                article.image_url,
                caption=caption,
                reply_markup=markup,
                read_timeout=PHOTO_READ_TIMEOUT,
            )
        except BadRequest as error:
            # Nothing was posted (Telegram could not fetch or use the image, whatever its
            # words): the article goes as text rather than not at all.
            logger.warning("Article %s: its image was refused (%s)", article.id, error.message)
    text, markup = channel_texts.channel_post(
        Texts(settings.channel_language),
        article,
        delivery.bot_username,
        with_discussion=with_discussion,
    )
    return await delivery.bot.send_message(settings.channel_id, text, reply_markup=markup)


def _to_poster(
    settings: Settings, admin_id: int, notice: AdminNotice, article_id: int, **details: str
) -> list[outbox.NewRow]:
    """A word about an article's post to the admin who asked for it; from the feed, to
    every admin."""
    admins = settings.admin_ids if admin_id == FROM_FEED else [admin_id]
    return [
        admin_notices.admin_notice_row(admin, notice, article_id=article_id, **details)
        for admin in admins
    ]


def _never_reached_telegram(error: NetworkError) -> bool:
    """A connection that was never made (python-telegram-bot names httpx's error)."""
    return any(name in error.message for name in ("ConnectError", "ConnectTimeout", "PoolTimeout"))


async def channel_post_given_up(delivery: Delivery, item: OutboxItem, reason: str) -> Delivered:
    article_id = int_of(item, "article_id")

    async def record(conn: aiosqlite.Connection) -> None:
        await articles.mark_failed(conn, article_id)

    return Delivered(
        record,
        _to_poster(
            delivery.settings,
            int_of(item, "admin_id"),
            AdminNotice.ARTICLE_POST_FAILED,
            article_id,
            reason=reason,
        ),
    )


async def delete_channel_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    """/unpublish: the post goes; the admin hears whether it could."""
    removal = admin_texts.PostRemoval.DELETED
    try:
        await delivery.bot.delete_message(delivery.settings.channel_id, int_of(item, "message_id"))
    except BadRequest as error:
        if "message to delete not found" in error.message.lower():
            removal = admin_texts.PostRemoval.ALREADY_GONE
        else:
            removal = admin_texts.PostRemoval.FAILED
    return Delivered(
        None,
        [
            admin_notices.admin_notice_row(
                int_of(item, "admin_id"),
                AdminNotice.ARTICLE_UNPUBLISHED,
                article_id=int_of(item, "article_id"),
                reason=removal.name,
            )
        ],
    )


async def refresh_counter(delivery: Delivery, item: OutboxItem) -> Delivered:
    async with delivery.db.reading() as conn:
        article = await articles.get(conn, int_of(item, "article_id"))
        if article is None or article.channel_message_id is None:
            return NOTHING
        count = await submissions.approved_count(conn, article.id)
    # Two approvals in a row both render the latest count; the second has nothing to do.
    if not article.open_for_comments or count == article.counter_shown:
        return NOTHING
    try:
        await delivery.bot.edit_message_reply_markup(
            chat_id=delivery.settings.channel_id,
            message_id=article.channel_message_id,
            reply_markup=channel_texts.comments_button(
                Texts(delivery.settings.channel_language), article, delivery.bot_username, count
            ),
        )
    except BadRequest as error:
        if "message is not modified" not in error.message.lower():
            raise
    shown: Article = article

    async def record(conn: aiosqlite.Connection) -> None:
        await articles.set_counter_shown(conn, shown.id, count)

    return Delivered(record)
