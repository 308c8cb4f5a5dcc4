"""Deliveries in the channel's discussion group: comments typed under posts held for
moderation (their copies, deletions and notices, bans there), and approved comments
published in a post's thread."""

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
    submission_and_title,
    text_of,
)
from bot.delivery.outcome import NotReadyError
from bot.i18n import Texts
from bot.rendering import channel as channel_texts
from bot.rendering import readers as reader_texts
from bot.services import effects, languages
from bot.services.effects import AdminNotice, Effect
from storage import (
    articles,
    outbox,
    readers,
    submissions,
)
from storage.models import (
    OutboxItem,
    Submission,
    SubmissionStatus,
)

# A thread post waits this long, doubling, for Telegram's copy of the channel post.
DISCUSSION_COPY_WAIT = 5.0
# An author without a private chat with the bot is told in the thread at most this often,
# and the notice is deleted this long after it went.
THREAD_NOTICE_INTERVAL = 600.0
THREAD_NOTICE_LIFETIME = 60.0
# Media that cannot carry a caption: published after a signed text, as a reply to it.
CAPTIONLESS_MEDIA = frozenset(
    {"sticker", "video_note", "poll", "venue", "location", "contact", "dice", "story"}
)


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
            "held": notice == effects.ThreadNotice.HELD.value,
        },
    )

    async def note(conn: aiosqlite.Connection) -> None:
        await readers.note_thread_notice(conn, author_id, now)

    return Delivered(note, [in_thread])


async def thread_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A short word in the thread, deleted again after a minute."""
    group = int(item.chat_key)
    message = await delivery.bot.send_message(
        group,
        channel_texts.thread_notice(
            Texts(delivery.settings.channel_language),
            text_of(item, "name") or "",
            int_of(item, "author_id"),
            bool(item.payload.get("held")),
        ),
        # Under the post the comment was typed under, if any.
        reply_parameters=ReplyParameters(thread, allow_sending_without_reply=True)
        if isinstance(thread := item.payload.get("thread"), int)
        else None,
    )
    removal = effects.delete_group_message_row(
        group, message.message_id, due_at=time.time() + THREAD_NOTICE_LIFETIME
    )
    return Delivered(follow_ups=[removal])


def _report_missing_right(delivery: Delivery, chat_id: int, right: str) -> Record:
    async def record(conn: aiosqlite.Connection) -> None:
        await effects.report_missing_right(conn, delivery.settings, chat_id, right, time.time())

    return record


async def ban_in_group(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Ban a banned author from the discussion group, or lift that (UNBAN_IN_GROUP)."""
    group = int(item.chat_key)
    author = int_of(item, "user_id")
    bot = delivery.bot
    lift = item.action == Effect.UNBAN_IN_GROUP
    try:
        # An author who wrote as a channel (a negative id): the channel is banned from
        # writing there on its own behalf.
        if author < 0:
            await (bot.unban_chat_sender_chat if lift else bot.ban_chat_sender_chat)(group, author)
        elif lift:
            # only_if_banned: an unban must not remove a member who was never banned.
            await bot.unban_chat_member(group, author, only_if_banned=True)
        else:
            await bot.ban_chat_member(group, author)
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
        cards = await submissions.cards_of(conn, submission_id)
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
            effects.delete_group_message_row(group, original, submission_id=submission_id)
        )

    async def record(conn: aiosqlite.Connection) -> None:
        await submissions.set_moderation_copy(conn, submission_id, copy_id)

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
            effects.delete_group_message_row(
                int_of(item, "group"),
                int_of(item, "message_id"),
                submission_id=int_of(item, "submission_id"),
            )
        ],
    )


async def thread_media(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A sticker or round video, which carries no caption, under its signed text."""
    discussion = delivery.settings.discussion_chat_id
    copy_id = item.payload.get("copy")
    if discussion is None or not isinstance(copy_id, int):
        return NOTHING
    await delivery.bot.copy_message(
        discussion,
        delivery.settings.moderation_chat_id,
        copy_id,
        reply_parameters=ReplyParameters(
            int_of(item, "reply_to"), allow_sending_without_reply=True
        ),
    )
    return NOTHING


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
        for shown_up in await submissions.mark_original_removed(conn, group, message_id, now):
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
        await submissions.refuse_removal(
            conn, submission_id, "too_old" if has_right else "no_right"
        )

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission_id)])


async def thread_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    loaded = await submission_and_title(delivery, item)
    discussion = delivery.settings.discussion_chat_id
    if loaded is None or discussion is None:
        return NOTHING
    submission, _ = loaded
    article_id = item.payload.get("article_id")
    async with delivery.db.reading() as conn:
        article = await articles.get(conn, article_id) if isinstance(article_id, int) else None
    # Taken back (unpublished) before it went out: nothing to post.
    if submission.status is not SubmissionStatus.APPROVED:
        return NOTHING
    if article is None:
        # Typed in the group about no post of ours: it goes back where it was typed, as a
        # reply to what it answered there (if that is still there). Else the article was
        # deleted: nothing to post under.
        if submission.thread_source_message_id is None:
            return NOTHING
        default_target = submission.thread_reply_to_message_id
    elif not article.open_for_comments:
        return NOTHING
    elif article.discussion_message_id is None:
        raise NotReadyError(
            "the discussion copy of the post has not arrived yet", DISCUSSION_COPY_WAIT
        )
    else:
        default_target = article.discussion_message_id
    async with delivery.db.reading() as conn:
        # A comment typed in reply to a published comment answers that comment's copy.
        answered = await submissions.thread_reply_target(conn, submission.id)
    if submission.original_kept and submission.thread_source_message_id is not None:
        # The bot could not take the original down: it is in the thread already, and
        # posting it again would show it twice.
        kept = submission.thread_source_message_id

        async def record_kept(conn: aiosqlite.Connection) -> None:
            await submissions.set_thread_message(conn, submission.id, kept)

        return Delivered(
            record_kept, [effects.notify_author_row(submission.author.user_id, submission.id)]
        )
    copy_id = submission.moderation_copy_message_id
    if submission.media_kind is not None and copy_id is None and not submission.text:
        # Its media could not be copied (copy_to_moderation_given_up told the admins): a
        # bare signature would say nothing.
        return NOTHING
    try:
        posted_id, follow_ups = await _post_in_thread(
            delivery, submission, answered or default_target
        )
    except BadRequest as error:
        # What it answered was deleted meanwhile: it answers the post instead (a message
        # replying to nothing would land outside the thread), or, about no post of ours,
        # nothing.
        if "message to be replied not found" not in error.message.lower():
            raise
        fallback = default_target if answered is not None and article is not None else None
        posted_id, follow_ups = await _post_in_thread(delivery, submission, fallback)
    if not submission.auto_approved:
        # The author hears "published" only now that the post exists (a trusted author
        # heard it with the acknowledgement).
        follow_ups.append(effects.notify_author_row(submission.author.user_id, submission.id))

    async def record(conn: aiosqlite.Connection) -> None:
        await submissions.set_thread_message(conn, submission.id, posted_id)

    return Delivered(record, follow_ups)


async def _post_in_thread(
    delivery: Delivery, submission: Submission, reply_to: int | None
) -> tuple[int, list[outbox.NewRow]]:
    """Post an approved comment in its thread; returns the post's id and what follows it."""
    discussion = delivery.settings.discussion_chat_id
    assert discussion is not None
    reply = ReplyParameters(reply_to) if reply_to is not None else None
    copy_id = submission.moderation_copy_message_id
    if copy_id is not None and submission.media_kind not in CAPTIONLESS_MEDIA:
        # Copied back from the moderation chat's copy, signed in its caption.
        copied = await delivery.bot.copy_message(
            discussion,
            delivery.settings.moderation_chat_id,
            copy_id,
            caption=channel_texts.thread_caption(submission),
            reply_parameters=reply,
        )
        return copied.message_id, []
    posted = await delivery.bot.send_message(
        discussion, channel_texts.thread_comment(submission), reply_parameters=reply
    )
    if copy_id is None:
        return posted.message_id, []
    # What carries no caption (a sticker, a round video, a poll...) follows its signed text.
    media = outbox.NewRow(
        Effect.THREAD_MEDIA,
        str(discussion),
        {"submission_id": submission.id, "copy": copy_id, "reply_to": posted.message_id},
    )
    return posted.message_id, [media]


async def thread_post_given_up(delivery: Delivery, item: OutboxItem, reason: str) -> Delivered:
    """Telegram refused the thread post for good (the group unlinked, the bot removed): the
    admins hear it, the card says so, and the author is not told the comment was
    published."""
    submission_id = int_of(item, "submission_id")
    tell = admins_told(
        delivery.settings, AdminNotice.THREAD_POST_FAILED, f"{submission_id}:{reason}"
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await tell(conn)
        await submissions.refuse_thread_post(conn, submission_id, reason)

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission_id)])


async def retract_thread_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    loaded = await submission_and_title(delivery, item)
    discussion = delivery.settings.discussion_chat_id
    if loaded is None or discussion is None:
        return NOTHING
    submission, _ = loaded
    if submission.thread_message_id is None:
        return NOTHING
    try:
        await delivery.bot.delete_message(discussion, submission.thread_message_id)
    except BadRequest as error:
        lowered = error.message.lower()
        # Someone removed it by hand already: the comment is gone either way.
        if "message to delete not found" in lowered:
            return NOTHING
        if "message can't be deleted" not in lowered:
            raise
        # Over 48 hours old: it cannot go, but its words can.
        return await _retract_by_edit(delivery, discussion, submission)
    return NOTHING


async def _retract_by_edit(
    delivery: Delivery, discussion: int, submission: Submission
) -> Delivered:
    assert submission.thread_message_id is not None
    removed = channel_texts.thread_post_removed(Texts(delivery.settings.channel_language))
    try:
        await delivery.bot.edit_message_text(
            removed, chat_id=discussion, message_id=submission.thread_message_id
        )
    except BadRequest as error:
        # Only a trusted author's comment is unpublished, and those come through the bot as
        # text: a thread post with a caption is never edited here.
        lowered = error.message.lower()
        if "message to edit not found" in lowered:
            return NOTHING
        # Not modified: edited already, before a crash lost the record.
        if "message is not modified" not in lowered:
            raise

    async def record(conn: aiosqlite.Connection) -> None:
        await submissions.mark_retracted_by_edit(conn, submission.id)

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission.id)])
