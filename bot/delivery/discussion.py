"""Deliveries in the channel's discussion group for comments typed under posts: their
copies for the moderators, their deletions, the notices to their authors, and bans there.
Approved comments published in a post's thread are in `thread_posts.py`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import aiosqlite
from telegram import Bot, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden

from bot.delivery.base import (
    NOTHING,
    Delivered,
    Delivery,
    Record,
    admins_told,
    int_of,
    text_of,
)
from bot.rendering import channel as channel_texts
from bot.rendering import readers as reader_texts
from bot.services import admin_notices, effects, group_effects, languages
from bot.services.admin_notices import AdminNotice
from bot.services.effects import Effect
from storage import (
    moderation_cards,
    outbox,
    readers,
    submissions,
    thread_sources,
)
from storage.models import (
    OutboxItem,
)

# An author without a private chat with the bot is told in the thread at most this often,
# and the notice is deleted this long after it went.
THREAD_NOTICE_INTERVAL = 600.0
THREAD_NOTICE_LIFETIME = 60.0


async def thread_author_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Tell the author privately; one who never opened a private chat with the bot (or
    blocked it), or a channel, is told in the thread instead, at most once every ten
    minutes."""
    author_id = int(item.chat_key)
    notice = text_of(item, "notice") or ""
    now = time.time()
    if author_id > 0:
        t = await languages.texts_for_id(delivery.db, delivery.settings, author_id)
        try:
            await delivery.bot.send_message(
                author_id,
                reader_texts.thread_comment_notice(
                    t,
                    notice,
                    text_of(item, "title"),
                    float(item.payload.get("retry_at") or 0),
                    now,
                    text_of(item, "text"),
                ),
            )
            return NOTHING
        except Forbidden:
            pass
    async with delivery.db.reading() as conn:
        last = await readers.last_thread_notice(conn, author_id)
    if last is not None and last > now - THREAD_NOTICE_INTERVAL:
        return NOTHING
    group = int_of(item, "group")
    in_thread = outbox.NewRow(
        Effect.THREAD_NOTICE,
        str(group),
        {
            "author_id": author_id,
            "name": text_of(item, "name") or "",
            "thread": item.payload.get("thread"),
            "held": notice == group_effects.ThreadNotice.HELD.value,
            "submission_id": item.payload.get("submission_id"),
        },
    )

    async def note(conn: aiosqlite.Connection) -> None:
        await readers.note_thread_notice(conn, author_id, now)

    return Delivered(note, [in_thread])


async def thread_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A short word in the thread, deleted again after a minute. "Your comment waits for a
    moderator" is not said of a comment decided meanwhile: in a busy thread the notice
    waits for a place in the group's minute (bot.delivery.group_minute)."""
    group = int(item.chat_key)
    author_id = int_of(item, "author_id")
    held = bool(item.payload.get("held"))
    if held and isinstance(held_id := item.payload.get("submission_id"), int):
        async with delivery.db.reading() as conn:
            comment = await submissions.get(conn, held_id)
        if comment is not None and not comment.is_pending:
            return NOTHING
    # Addressed to one person: in their language, if the bot knows it (Telegram gives it
    # with what they typed); else the channel's.
    t = await languages.texts_for_id(
        delivery.db, delivery.settings, author_id, otherwise=delivery.settings.channel_language
    )
    message = await delivery.bot.send_message(
        group,
        channel_texts.thread_notice(t, text_of(item, "name") or "", author_id, held),
        # Under the post the comment was typed under, if any.
        reply_parameters=ReplyParameters(thread, allow_sending_without_reply=True)
        if isinstance(thread := item.payload.get("thread"), int)
        else None,
    )
    removal = group_effects.delete_group_message_row(
        group, message.message_id, due_at=time.time() + THREAD_NOTICE_LIFETIME
    )
    return Delivered(follow_ups=[removal])


def _report_missing_right(delivery: Delivery, chat_id: int, right: str) -> Record:
    async def record(conn: aiosqlite.Connection) -> None:
        await admin_notices.report_missing_right(
            conn, delivery.settings, chat_id, right, time.time()
        )

    return record


# banChatMember: "If user is banned for more than 366 days or less than 30 seconds from the
# current time they are considered to be banned forever" (Bot API 10.0, banChatMember
# until_date: /work/shared/telegram/bot-api-10.0.json).
UNTIL_DATE_SHORTEST = 30


async def ban_in_group(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Ban a banned author from the discussion group, or lift that (UNBAN_IN_GROUP)."""
    group = int(item.chat_key)
    author = int_of(item, "user_id")
    bot = delivery.bot
    lift = item.action == Effect.UNBAN_IN_GROUP
    until = int_of(item, "until") or None
    try:
        # An author who wrote as a channel (a negative id): the channel is banned from
        # writing there on its own behalf.
        if author < 0:
            await (bot.unban_chat_sender_chat if lift else bot.ban_chat_sender_chat)(group, author)
        elif lift or (until is not None and until - time.time() < UNTIL_DATE_SHORTEST):
            # only_if_banned: an unban must not remove a member who was never banned. A ban
            # whose end is this near is over by now (a row delivered late): Telegram would
            # take it for good.
            await bot.unban_chat_member(group, author, only_if_banned=True)
        else:
            # Telegram lifts it by itself at until_date (None: for good).
            await bot.ban_chat_member(group, author, until_date=until)
    except BadRequest as error:
        if "not enough rights" in error.message.lower():
            return Delivered(_report_missing_right(delivery, group, "can_restrict_members"))
        raise
    return NOTHING


async def copy_to_moderation(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Show a media comment in the moderation chat, under its card: a file by its file_id
    (its original is being deleted meanwhile), anything else by a copy, after which the
    original can go from the group."""
    group, original = int_of(item, "group"), int_of(item, "message_id")
    submission_id = int_of(item, "submission_id")
    async with delivery.db.reading() as conn:
        cards = await moderation_cards.cards_of(conn, submission_id)
    moderation_chat = delivery.settings.moderation_chat_id
    under_card = ReplyParameters(cards[0][1], allow_sending_without_reply=True) if cards else None
    kind, file_id = text_of(item, "kind"), text_of(item, "file_id")
    follow_ups = []
    if kind is not None and file_id is not None:
        sent = await send_file(delivery.bot, moderation_chat, kind, file_id, under_card)
        copy_id = sent.message_id
    else:
        try:
            copied = await delivery.bot.copy_message(
                moderation_chat, group, original, reply_parameters=under_card
            )
        except BadRequest as error:
            # Deleted by its author already: nothing to copy, nothing left to delete.
            if "message to copy not found" in error.message.lower():
                return NOTHING
            raise
        copy_id = copied.message_id
        follow_ups.append(
            group_effects.delete_group_message_row(group, original, submission_id=submission_id)
        )

    async def record(conn: aiosqlite.Connection) -> None:
        await thread_sources.set_moderation_copy(conn, submission_id, copy_id)

    return Delivered(record, follow_ups)


async def send_file(
    bot: Bot, chat_id: int, kind: str, file_id: str, reply: ReplyParameters | None
) -> Message:
    """Send a file again by its file_id, with the method of its kind."""
    senders: dict[str, Callable[..., Awaitable[Message]]] = {
        "photo": bot.send_photo,
        "video": bot.send_video,
        "animation": bot.send_animation,
        "document": bot.send_document,
        "audio": bot.send_audio,
        "voice": bot.send_voice,
        "video_note": bot.send_video_note,
        "sticker": bot.send_sticker,
    }
    return await senders[kind](chat_id, file_id, reply_parameters=reply)


async def copy_to_moderation_given_up(
    delivery: Delivery, item: OutboxItem, reason: str
) -> Delivered:
    """Without its copy the card shows the caption only, and the admins hear why; the
    original goes all the same (it was never moderated). A file's original went already."""

    record = admins_told(
        delivery.settings,
        AdminNotice.MEDIA_COPY_FAILED,
        f"{int_of(item, 'submission_id')}:{reason}",
    )
    if item.payload.get("file_id") is not None:
        return Delivered(record)
    return Delivered(
        record,
        [
            group_effects.delete_group_message_row(
                int_of(item, "group"),
                int_of(item, "message_id"),
                submission_id=int_of(item, "submission_id"),
            )
        ],
    )


async def delete_group_message(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Take a message down from a group: a reader's comment (of a submission, held or
    removed by a moderator) or the bot's own short-lived notice."""
    group = int(item.chat_key)
    submission_id = item.payload.get("submission_id")
    try:
        await delivery.bot.delete_message(group, int_of(item, "message_id"))
    except BadRequest as error:
        lowered = error.message.lower()
        # Deleted already (by its author or an admin): what was asked is done.
        if "message to delete not found" in lowered:
            return _removed(delivery, item)
        if "message can't be deleted" not in lowered:
            raise
        if not isinstance(submission_id, int):
            # The bot's own notice, which it may always delete within 48 hours: older, it
            # stays (the bot was down for days).
            return NOTHING
        return await _removal_refused(delivery, group, submission_id)
    return _removed(delivery, item)


def _removed(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A reader's message is gone from the group: the cards that said it was up say it
    no longer is, and an author whose comment a moderator removed hears it now."""
    submission_id = item.payload.get("submission_id")
    if not isinstance(submission_id, int):
        return NOTHING
    group, message_id, now = int(item.chat_key), int_of(item, "message_id"), time.time()
    settings = delivery.settings

    async def record(conn: aiosqlite.Connection) -> None:
        for shown_up in await thread_sources.mark_original_removed(conn, group, message_id, now):
            await effects.refresh_cards(conn, settings, shown_up, now)
        if item.payload.get("tell_author"):
            submission = await submissions.get(conn, submission_id)
            if submission is not None:
                await effects.notify_author(conn, submission.author.user_id, submission_id, now)

    return Delivered(record)


async def _removal_refused(delivery: Delivery, group: int, submission_id: int) -> Delivered:
    """The reader's message stays up: the card says why, and a missing right is reported
    to the admins (once)."""
    # Telegram says "message can't be deleted" both without the right and for a message
    # over 48 hours old: the bot's own rights tell which.
    member = await delivery.bot.get_chat_member(group, delivery.bot.id)
    has_right = bool(getattr(member, "can_delete_messages", False))
    report = None if has_right else _report_missing_right(delivery, group, "can_delete_messages")

    async def record(conn: aiosqlite.Connection) -> None:
        if report is not None:
            await report(conn)
        await thread_sources.refuse_removal(
            conn, submission_id, "too_old" if has_right else "no_right"
        )

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission_id)])
