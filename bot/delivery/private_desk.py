"""Deliveries for moderators' private desks: the desk message, and the copy in the group
of an answer written on one."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime

import aiosqlite
from telegram import Message, ReplyParameters
from telegram.error import BadRequest

from bot.delivery.base import NOTHING, Delivered, Delivery, desk_item, int_of
from bot.i18n import Texts
from bot.rendering import common as common_texts
from bot.rendering import private_desk as desk_texts
from bot.services import effects, languages, reasons
from storage import contact_replies, moderation_cards, outbox, private_desks, submissions
from storage.models import OutboxItem
from storage.private_desks import DeskState


async def show_private_desk(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Post the desk (for /desk), or edit it to what it holds now; and record which item
    the message shows since when, by Telegram's clock, for the replies to it."""
    moderator_id = int(item.chat_key)
    async with delivery.db.reading() as conn:
        desk = await private_desks.get(conn, moderator_id)
        if desk is None:
            return NOTHING
        # An open desk keeps an item decided elsewhere (and says so) until its moderator
        # moves on; a paused one names the item it let go.
        shown = await desk_item(
            conn, delivery.settings, desk.item_id, decided_too=desk.state is DeskState.OPEN
        )
        rejected = await reasons.offered_on_desk(conn, str(moderator_id))
    t = await languages.texts_for_id(delivery.db, delivery.settings, moderator_id)
    text, markup = desk_texts.private_desk(
        t,
        desk,
        shown.submission,
        shown.article_title,
        shown.waiting,
        delivery.settings.desk_claim_seconds,
        shown.flags,
        offered=(rejected, delivery.settings.reject_reasons) if rejected else None,
    )
    digest = common_texts.Card(text, markup).digest
    shown_item = (
        shown.submission.id
        if desk.state is DeskState.OPEN and shown.submission is not None
        else None
    )
    bot = delivery.bot
    message_id = desk.message_id
    retired: list[outbox.NewRow] = []
    if item.payload.get("new") or message_id is None:
        sent = await bot.send_message(moderator_id, text, reply_markup=markup)
        if message_id is not None:
            # A row of its own, after this one is recorded: the new message must be the
            # desk even if the older one cannot be edited just now.
            retired.append(effects.retire_private_desk_row(moderator_id, message_id))
        message_id, shown_at, by_edit = sent.message_id, sent.date, False
    elif digest != desk.digest:
        try:
            edited = await bot.edit_message_text(
                text, chat_id=moderator_id, message_id=message_id, reply_markup=markup
            )
            shown_at, by_edit = _telegram_time(edited), True
        except BadRequest as error:
            lowered = error.message.lower()
            if "message to edit not found" in lowered or "can't be edited" in lowered:
                # Deleted by the moderator, or too old to edit: the desk goes anew.
                sent = await bot.send_message(moderator_id, text, reply_markup=markup)
                message_id, shown_at, by_edit = sent.message_id, sent.date, False
            elif "message is not modified" in lowered:
                # Shown already: an answer lost on the way. Since now, to be safe.
                shown_at, by_edit = datetime.now(UTC), True
            else:
                raise
    else:
        return NOTHING
    shown_on, since = message_id, shown_at.timestamp()

    async def record(conn: aiosqlite.Connection) -> None:
        await private_desks.record_shown(
            conn, moderator_id, shown_on, digest, shown_item, since, by_edit=by_edit
        )

    return Delivered(record, retired)


def _telegram_time(edited: Message | bool) -> datetime:
    """When Telegram made the edit, by its own clock (the one replies are dated by)."""
    if isinstance(edited, Message):
        return edited.edit_date or edited.date
    return datetime.now(UTC)


async def retire_private_desk(delivery: Delivery, item: OutboxItem) -> Delivered:
    """An older desk message, after /desk posted a fresh one, loses its buttons."""
    moderator_id = int(item.chat_key)
    t = await languages.texts_for_id(delivery.db, delivery.settings, moderator_id)
    # Deleted by the moderator, already retired or too old: either way no button is left
    # that a tap could use (a tap on it is refused as stale).
    with contextlib.suppress(BadRequest):
        await delivery.bot.edit_message_text(
            desk_texts.moved(t), chat_id=moderator_id, message_id=int_of(item, "message_id")
        )
    return NOTHING


async def private_desk_given_up(delivery: Delivery, item: OutboxItem, reason: str) -> Delivered:
    """The desk cannot reach its moderator (they blocked the bot, say): it closes, so that
    the item it held goes back to the others at once, not when its claim runs out."""
    moderator_id = int(item.chat_key)

    async def record(conn: aiosqlite.Connection) -> None:
        await private_desks.close(conn, moderator_id, time.time())

    return Delivered(record)


async def answer_copy(delivery: Delivery, item: OutboxItem) -> Delivered:
    """An answer written on a private desk reached the reader: its copy goes under the card
    in the group, where the conversation threads."""
    reply_id = int_of(item, "reply_id")
    async with delivery.db.reading() as conn:
        reply = await contact_replies.get(conn, reply_id)
        submission = await submissions.get(conn, reply.submission_id) if reply else None
        cards = await moderation_cards.cards_of(conn, submission.id) if submission else []
    if reply is None or submission is None:
        return NOTHING
    settings = delivery.settings
    sent = await delivery.bot.send_message(
        settings.moderation_chat_id,
        desk_texts.answer_copy(
            Texts(settings.moderation_language), submission, reply.author_name, reply.text
        ),
        reply_parameters=ReplyParameters(cards[-1][1], allow_sending_without_reply=True)
        if cards
        else None,
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await contact_replies.mark_group_copy(conn, reply_id, sent.chat_id, sent.message_id)

    return Delivered(record)
