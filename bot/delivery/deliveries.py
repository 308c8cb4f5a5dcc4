"""One function per effect: render from the database as it is now, make the Telegram call,
and say what to record once it went (`Delivered`). The worker writes that record, the
follow-up rows and the row's settlement in one transaction; these functions only read.

Here: readers and contact conversations; the moderation chat's cards and desk in
`cards.py`, the channel's in `channel.py`, the admins' in `admins.py`, the discussion
group's (comments typed under posts, thread posts) in `discussion.py` and
`thread_posts.py`. All are registered below, in DELIVERIES.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import aiosqlite
from telegram import ReplyParameters
from telegram.error import BadRequest, Forbidden

from bot.delivery.admins import admin_notice, admin_notice_given_up, group_reply
from bot.delivery.author_notices import notify_author, reason_notice
from bot.delivery.base import (
    NOTHING,
    Deliver,
    Delivered,
    Delivery,
    int_of,
    text_of,
)
from bot.delivery.cards import refresh_cards, send_card, send_continuation, show_desk
from bot.delivery.channel import (
    channel_post,
    channel_post_given_up,
    delete_channel_post,
    refresh_counter,
)
from bot.delivery.discussion import (
    ban_in_group,
    copy_to_moderation,
    copy_to_moderation_given_up,
    delete_group_message,
    thread_author_notice,
    thread_notice,
)
from bot.delivery.my_data import send_my_data
from bot.delivery.private_desk import (
    answer_copy,
    private_desk_given_up,
    retire_private_desk,
    show_private_desk,
)
from bot.delivery.replies import comment_answered
from bot.delivery.spam_list import spam_digest, spam_list
from bot.delivery.thread_posts import (
    forgotten_thread_post,
    retract_thread_post,
    thread_media,
    thread_post,
    thread_post_given_up,
)
from bot.i18n import Texts
from bot.rendering import contact as contact_texts
from bot.rendering import readers as reader_texts
from bot.services import comments, effects, languages
from bot.services.effects import Effect, ReaderNotice
from storage import articles, contact_replies, moderation_cards, submissions
from storage.models import (
    OutboxItem,
    ReplyDirection,
    ReplyStatus,
    SubmissionKind,
)

# --- readers ---------------------------------------------------------------------------


async def acknowledge(delivery: Delivery, item: OutboxItem) -> Delivered:
    # What the text needs travels in the row, the reader's language included (rows queued
    # without it are looked up by key).
    language = text_of(item, "language")
    t = (
        Texts(language)
        if language
        else await languages.texts_for_id(delivery.db, delivery.settings, int(item.chat_key))
    )
    await delivery.bot.send_message(
        int(item.chat_key),
        reader_texts.acknowledgement(
            t,
            SubmissionKind(str(item.payload["kind"])),
            text_of(item, "title"),
            published=bool(item.payload.get("published")),
        ),
    )
    return NOTHING


async def tell_reader(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A message a state change owes the reader: the article they opened, the next
    question of the contact form, a confirmation."""
    notice = ReaderNotice(str(item.payload["notice"]))
    markup = None
    t = await languages.texts_for_id(delivery.db, delivery.settings, int(item.chat_key))
    if notice is ReaderNotice.ARTICLE_VIEW:
        async with delivery.db.reading() as conn:
            article_id = int_of(item, "article_id")
            article = await articles.get(conn, article_id)
            latest = await submissions.latest_approved(
                conn, article_id, comments.ARTICLE_VIEW_COMMENTS
            )
            count = await submissions.approved_count(conn, article_id)
        if article is None:
            text = reader_texts.article_not_found(t)
        elif not article.open_for_comments:
            text = reader_texts.article_closed(t, article)
        else:
            text = reader_texts.article_view(
                t,
                comments.ArticleView(comments.OpenResult.READY, article, latest, count),
                delivery.settings.comment_max_length,
                replying=bool(item.payload.get("replying")),
            )
    elif notice is ReaderNotice.ASK_NAME:
        text, markup = contact_texts.ask_name(t, text_of(item, "name") or "")
    elif notice is ReaderNotice.ASK_EMAIL:
        text = contact_texts.ask_email(t, text_of(item, "name") or "")
    elif notice is ReaderNotice.ASK_MESSAGE:
        text = contact_texts.ask_message(t, int_of(item, "limit"))
    elif notice is ReaderNotice.CANCELLED:
        text = reader_texts.cancelled(t)
    else:
        text = contact_texts.form_cancelled(t)
    await delivery.bot.send_message(int(item.chat_key), text, reply_markup=markup)
    return NOTHING


# --- contact conversations ----------------------------------------------------------


async def deliver_reply(delivery: Delivery, item: OutboxItem) -> Delivered:
    """One message of a contact conversation, to the reader or under the card."""
    reply_id = int_of(item, "reply_id")
    async with delivery.db.reading() as conn:
        reply = await contact_replies.get(conn, reply_id)
        submission = await submissions.get(conn, reply.submission_id) if reply else None
        cards = await moderation_cards.cards_of(conn, submission.id) if submission else []
    if reply is None or submission is None or reply.status is not ReplyStatus.PENDING:
        return NOTHING
    settings = delivery.settings
    if reply.direction is ReplyDirection.TO_EDITORS:
        message = await delivery.bot.send_message(
            settings.moderation_chat_id,
            contact_texts.reader_answer(Texts(settings.moderation_language), submission, reply),
            reply_parameters=ReplyParameters(cards[-1][1], allow_sending_without_reply=True)
            if cards
            else None,
        )

        async def delivered_to_editors(conn: aiosqlite.Connection) -> None:
            await contact_replies.mark_delivered(
                conn, reply.id, message.chat_id, message.message_id, time.time()
            )

        return Delivered(delivered_to_editors)
    t = await languages.texts_for_id(delivery.db, delivery.settings, submission.author.user_id)
    try:
        sent = await delivery.bot.send_message(
            submission.author.user_id, contact_texts.editors_answer(t, reply.text)
        )
    except (Forbidden, BadRequest) as error:
        failure = error.message

        async def undeliverable(conn: aiosqlite.Connection) -> None:
            await contact_replies.mark_undeliverable(conn, reply.id, failure)

        # The moderator must hear that the reader never got the answer.
        return Delivered(
            undeliverable, [effects.reply_notice_row(settings, reply.source_chat_id, reply.id)]
        )

    async def delivered_to_reader(conn: aiosqlite.Connection) -> None:
        await contact_replies.mark_delivered(
            conn, reply.id, sent.chat_id, sent.message_id, time.time()
        )

    follow_ups = [effects.refresh_cards_row(settings, submission.id)]
    if reply.source_chat_id > 0:
        # Written on a private desk: the group sees it under the card, where it threads.
        follow_ups.append(effects.answer_copy_row(settings, reply.id))
    return Delivered(delivered_to_reader, follow_ups)


async def reply_notice(delivery: Delivery, item: OutboxItem) -> Delivered:
    async with delivery.db.reading() as conn:
        reply = await contact_replies.get(conn, int_of(item, "reply_id"))
    if reply is None:
        return NOTHING
    # Where the answer was written: the moderation group, or a moderator's private desk.
    chat_id = int(item.chat_key)
    t = (
        Texts(delivery.settings.moderation_language)
        if chat_id == delivery.settings.moderation_chat_id
        else await languages.texts_for_id(delivery.db, delivery.settings, chat_id)
    )
    await delivery.bot.send_message(
        chat_id,
        contact_texts.answer_not_delivered(t, reply.failure or ""),
        reply_parameters=ReplyParameters(reply.source_message_id, allow_sending_without_reply=True),
    )
    return NOTHING


DELIVERIES: dict[str, Deliver] = {
    Effect.ACKNOWLEDGE: acknowledge,
    Effect.TELL_READER: tell_reader,
    Effect.NOTIFY_AUTHOR: notify_author,
    Effect.REASON_NOTICE: reason_notice,
    Effect.SEND_CARD: send_card,
    Effect.SEND_CONTINUATION: send_continuation,
    Effect.REFRESH_CARDS: refresh_cards,
    Effect.SHOW_DESK: show_desk,
    Effect.SHOW_PRIVATE_DESK: show_private_desk,
    Effect.RETIRE_PRIVATE_DESK: retire_private_desk,
    Effect.ANSWER_COPY: answer_copy,
    Effect.DELIVER_REPLY: deliver_reply,
    Effect.REPLY_NOTICE: reply_notice,
    Effect.CHANNEL_POST: channel_post,
    Effect.DELETE_CHANNEL_POST: delete_channel_post,
    Effect.THREAD_POST: thread_post,
    Effect.RETRACT_THREAD_POST: retract_thread_post,
    Effect.FORGOTTEN_THREAD_POST: forgotten_thread_post,
    Effect.REFRESH_COUNTER: refresh_counter,
    Effect.ADMIN_NOTICE: admin_notice,
    Effect.GROUP_REPLY: group_reply,
    Effect.SPAM_LIST: spam_list,
    Effect.SPAM_DIGEST: spam_digest,
    Effect.THREAD_AUTHOR_NOTICE: thread_author_notice,
    Effect.THREAD_NOTICE: thread_notice,
    Effect.COMMENT_ANSWERED: comment_answered,
    Effect.SEND_MY_DATA: send_my_data,
    Effect.DELETE_GROUP_MESSAGE: delete_group_message,
    Effect.COPY_TO_MODERATION: copy_to_moderation,
    Effect.THREAD_MEDIA: thread_media,
    Effect.BAN_IN_GROUP: ban_in_group,
    Effect.UNBAN_IN_GROUP: ban_in_group,
}

# What giving a row up means for the domain, where it means more than a log line.
GIVEN_UP: dict[str, Callable[[Delivery, OutboxItem, str], Awaitable[Delivered]]] = {
    Effect.CHANNEL_POST: channel_post_given_up,
    Effect.COPY_TO_MODERATION: copy_to_moderation_given_up,
    Effect.THREAD_POST: thread_post_given_up,
    Effect.ADMIN_NOTICE: admin_notice_given_up,
    Effect.SHOW_PRIVATE_DESK: private_desk_given_up,
}
