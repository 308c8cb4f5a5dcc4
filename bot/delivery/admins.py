"""Deliveries to the admins (notices, privately) and handlers' replies in groups."""

from __future__ import annotations

import aiosqlite
from telegram import ReplyParameters

from bot.delivery.base import NOTHING, Delivered, Delivery, int_of, text_of
from bot.rendering import admins as admin_texts
from bot.rendering import feeds as feed_texts
from bot.services import admin_notices, chat_setup, languages
from bot.services.admin_notices import AdminNotice
from bot.settings import ThreadModeration
from storage import articles, outbox
from storage.models import OutboxItem


async def group_reply(delivery: Delivery, item: OutboxItem) -> Delivered:
    await delivery.bot.send_message(
        int(item.chat_key),
        text_of(item, "text") or "",
        reply_parameters=ReplyParameters(
            int_of(item, "reply_to"), allow_sending_without_reply=True
        ),
    )
    return NOTHING


_FEED_NOTICES = {
    AdminNotice.FEED_FIRST_SEEN,
    AdminNotice.FEED_FAILING,
    AdminNotice.FEED_RECOVERED,
}


async def admin_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    notice = AdminNotice(str(item.payload["notice"]))
    reason = text_of(item, "reason") or ""
    # Each admin has a row of their own, in the language the bot knows for them.
    t = await languages.texts_for_id(delivery.db, delivery.settings, int(item.chat_key))
    if notice is AdminNotice.MODERATION_CHAT_DOWN:
        async with delivery.db.reading() as conn:
            pending = await outbox.count_pending(conn)
        text = admin_texts.moderation_chat_down(t, reason, pending)
    elif notice is AdminNotice.MODERATION_CHAT_BACK:
        text = admin_texts.moderation_chat_back(t)
    elif notice is AdminNotice.DELIVERY_FAILED:
        text = admin_texts.delivery_failed(t, text_of(item, "action") or "", reason)
    elif notice is AdminNotice.MEDIA_COPY_FAILED:
        submission_id, _, why = reason.partition(":")
        text = admin_texts.media_copy_failed(t, submission_id, why)
    elif notice is AdminNotice.THREAD_POST_FAILED:
        submission_id, _, why = reason.partition(":")
        text = admin_texts.thread_post_failed(t, submission_id, why)
    elif notice is AdminNotice.MISSING_RIGHT:
        right, _, chat = reason.partition(":")
        settings = delivery.settings
        text = admin_texts.missing_right(
            t,
            right,
            chat,
            chat_setup.role_of(settings, chat) or "",
            thread_moderated=settings.thread_moderation is not ThreadModeration.OFF,
        )
    elif notice is AdminNotice.CHAT_MOVED:
        role, _, ids = reason.partition(":")
        old, _, new = ids.partition(":")
        text = admin_texts.chat_moved(t, role, old, new)
    elif notice in _FEED_NOTICES:
        text = feed_texts.feed_notice(
            t, notice.value, text_of(item, "url") or "", text_of(item, "detail") or ""
        )
    elif notice is AdminNotice.CHAT_DISCOVERED:
        kind, _, rest = reason.partition(":")
        chat, _, title = rest.partition(":")
        text = admin_texts.chat_discovered(t, kind, chat, title)
    else:
        async with delivery.db.reading() as conn:
            article = await articles.get(conn, int_of(item, "article_id"))
        if article is None:
            return NOTHING
        if notice is AdminNotice.ARTICLE_POSTED:
            text = admin_texts.article_posted(t, article)
        elif notice is AdminNotice.ARTICLE_POST_FAILED:
            text = admin_texts.article_post_failed(t, article, reason)
        elif notice is AdminNotice.ARTICLE_POST_UNCONFIRMED:
            text = admin_texts.article_post_unconfirmed(t, article)
        else:
            text = admin_texts.unpublished(t, article, admin_texts.PostRemoval[reason])
    await delivery.bot.send_message(int(item.chat_key), text)
    return NOTHING


async def admin_notice_given_up(delivery: Delivery, item: OutboxItem, reason: str) -> Delivered:
    """An admin who never opened the bot cannot be written to: a missing right they were
    to hear of is told again at the next start (by then they may have), rather than never."""
    if item.payload.get("notice") != AdminNotice.MISSING_RIGHT.value:
        return NOTHING
    right, _, chat = (text_of(item, "reason") or "").partition(":")

    async def record(conn: aiosqlite.Connection) -> None:
        await admin_notices.forget_missing_right(conn, chat, right)

    return Delivered(record)
