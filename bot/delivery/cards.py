"""Deliveries to the moderation chat: an item's card (and the messages that carry the rest
of a text too long for it), the card brought up to date after a change, and the review
desk. Registered in deliveries.DELIVERIES."""

from __future__ import annotations

import time

import aiosqlite
from telegram import ReplyParameters
from telegram.error import BadRequest

from bot.delivery.base import (
    NOTHING,
    Delivered,
    Delivery,
    desk_item,
    int_of,
    submission_and_title,
)
from bot.i18n import Texts
from bot.rendering import common as common_texts
from bot.rendering import moderation as moderation_texts
from bot.services import abuse, bans, desk, effects, reasons, spam_waves
from storage import contact_replies, history, moderation_cards
from storage import reasons as stored_reasons
from storage.models import OutboxItem, Submission


async def _card(
    delivery: Delivery, item: OutboxItem
) -> tuple[Submission, common_texts.Card] | None:
    loaded = await submission_and_title(delivery, item)
    if loaded is None:
        return None
    submission, title = loaded
    async with delivery.db.reading() as conn:
        answers = await contact_replies.answers_of(conn, submission.id)
        past = await history.for_cards(conn, submission.author.user_id, submission.id)
        wave = await spam_waves.wave_size(conn, submission)
        ban = await bans.made_from(conn, submission, time.time())
    flags = abuse.flags_for(submission, past, delivery.settings, wave=wave)
    return submission, moderation_texts.card(
        Texts(delivery.settings.moderation_language),
        submission,
        title,
        answers,
        flags,
        ban,
        reasons=delivery.settings.reject_reasons,
    )


async def send_card(delivery: Delivery, item: OutboxItem) -> Delivered:
    rendered = await _card(delivery, item)
    if rendered is None:
        return NOTHING
    submission, card = rendered
    async with delivery.db.reading() as conn:
        if await moderation_cards.cards_of(conn, submission.id):
            return NOTHING
    message = await delivery.bot.send_message(
        delivery.settings.moderation_chat_id, card.text, reply_markup=card.markup
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await moderation_cards.add_card(
            conn, submission.id, message.chat_id, message.message_id, rendered=card.digest
        )

    return Delivered(
        record,
        [
            effects.continuation_row(delivery.settings, submission.id, message.message_id, part)
            for part in range(len(card.continuation))
        ],
    )


async def send_continuation(delivery: Delivery, item: OutboxItem) -> Delivered:
    """The rest of a text too long for its card, as a reply to the card."""
    rendered = await _card(delivery, item)
    if rendered is None:
        return NOTHING
    submission, card = rendered
    part = int_of(item, "part")
    if part >= len(card.continuation):
        return NOTHING
    message = await delivery.bot.send_message(
        delivery.settings.moderation_chat_id,
        card.continuation[part],
        reply_parameters=ReplyParameters(
            int_of(item, "card_message_id"), allow_sending_without_reply=True
        ),
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await moderation_cards.add_card(
            conn, submission.id, message.chat_id, message.message_id, continuation=True
        )

    return Delivered(record)


async def refresh_cards(delivery: Delivery, item: OutboxItem) -> Delivered:
    rendered = await _card(delivery, item)
    if rendered is None:
        return NOTHING
    submission, card = rendered
    async with delivery.db.reading() as conn:
        shown = await moderation_cards.card_states(conn, submission.id)
    gone: list[tuple[int, int]] = []
    edited: list[tuple[int, int]] = []
    for existing in shown:
        if existing.rendered == card.digest:
            continue
        try:
            await delivery.bot.edit_message_text(
                card.text,
                chat_id=existing.chat_id,
                message_id=existing.message_id,
                reply_markup=card.markup,
            )
        except BadRequest as error:
            lowered = error.message.lower()
            if "message to edit not found" in lowered:
                # A moderator deleted the card; the decision stands without it.
                gone.append((existing.chat_id, existing.message_id))
                continue
            # Not modified: the card already shows this (the digest was lost in a crash).
            if "message is not modified" not in lowered:
                raise
        edited.append((existing.chat_id, existing.message_id))

    async def record(conn: aiosqlite.Connection) -> None:
        for chat_id, message_id in gone:
            await moderation_cards.forget_card(conn, chat_id, message_id)
        for chat_id, message_id in edited:
            await moderation_cards.set_card_rendered(conn, chat_id, message_id, card.digest)

    return Delivered(record)


async def show_desk(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Post the review desk, or edit it to the item it should show now."""
    settings = delivery.settings
    async with delivery.db.reading() as conn:
        state = await desk.load(conn)
        item_id = await desk.current_item(conn, state)
        shown = await desk_item(conn, settings, item_id)
        rejected = await reasons.offered_on_desk(conn, stored_reasons.GROUP_DESK)
    text, markup = moderation_texts.desk(
        Texts(settings.moderation_language),
        shown.submission,
        shown.article_title,
        shown.waiting,
        shown.flags,
        offered=(rejected, settings.reject_reasons) if rejected else None,
    )
    digest = common_texts.Card(text, markup).digest
    message_id = state.message_id
    new_message = bool(item.payload.get("new"))
    if message_id is not None and not new_message:
        if digest == state.digest:
            return NOTHING
        try:
            await delivery.bot.edit_message_text(
                text,
                chat_id=settings.moderation_chat_id,
                message_id=message_id,
                reply_markup=markup,
            )
        except BadRequest as error:
            lowered = error.message.lower()
            if "message to edit not found" in lowered:
                message_id = None
            elif "message is not modified" not in lowered:
                raise
    if message_id is None or new_message:
        sent = await delivery.bot.send_message(
            settings.moderation_chat_id, text, reply_markup=markup
        )
        message_id = sent.message_id
    shown_message = message_id

    async def record(conn: aiosqlite.Connection) -> None:
        # Only what this delivery showed: the item the desk points at is the moderators'
        # (a Skip made meanwhile must stand), unless it still is the one rendered here.
        await desk.record_shown(conn, shown_message, state.item_id, item_id, digest, time.time())

    return Delivered(record)
