"""Delivery of /spam's list (bot.services.spam_undo): rendered from the catches as they
are when it goes, so a list edited late already leaves out what was restored meanwhile.
And of the hourly digest of catches (bot.services.spam_digest)."""

from __future__ import annotations

import time

import aiosqlite
from telegram import ReplyParameters
from telegram.error import BadRequest

from bot.delivery.base import NOTHING, Delivered, Delivery, int_of
from bot.i18n import Texts
from bot.rendering import spam_list as spam_list_texts
from bot.services import spam_undo
from storage import spam_catches
from storage.models import OutboxItem


async def spam_list(delivery: Delivery, item: OutboxItem) -> Delivered:
    catches = await spam_undo.latest_catches(delivery.db)
    text, markup = spam_list_texts.spam_list(Texts(delivery.settings.moderation_language), catches)
    chat_id = int(item.chat_key)
    edit = int_of(item, "edit")
    if edit:
        try:
            await delivery.bot.edit_message_text(
                text, chat_id=chat_id, message_id=edit, reply_markup=markup
            )
        except BadRequest as error:
            lowered = error.message.lower()
            # Deleted by a moderator, or showing this already: nothing to bring up to date.
            if "message to edit not found" not in lowered and "not modified" not in lowered:
                raise
        return NOTHING
    sent = await delivery.bot.send_message(
        chat_id,
        text,
        reply_markup=markup,
        reply_parameters=ReplyParameters(
            int_of(item, "reply_to"), allow_sending_without_reply=True
        ),
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await spam_catches.remember_list(conn, chat_id, sent.message_id, time.time())

    return Delivered(record)


async def spam_digest(delivery: Delivery, item: OutboxItem) -> Delivered:
    t = Texts(delivery.settings.moderation_language)
    count = int_of(item, "count") or 0
    await delivery.bot.send_message(int(item.chat_key), spam_list_texts.digest(t, count))
    return NOTHING
