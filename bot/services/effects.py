"""The Telegram side effects a state change asks for, written to the outbox.

Each effect names what should happen, not the text to send: the worker renders it from
the database when it delivers, so a card sent late already shows a decision made meanwhile.
"""

from __future__ import annotations

from enum import StrEnum

import aiosqlite

from bot.settings import Settings
from storage import outbox
from storage.models import Person, SubmissionKind


class Effect(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    TELL_READER = "tell_reader"
    CHANNEL_POST = "channel_post"
    DELETE_CHANNEL_POST = "delete_channel_post"
    SEND_CARD = "send_card"
    REFRESH_CARDS = "refresh_cards"
    NOTIFY_AUTHOR = "notify_author"
    # A rejection's reason given after the author's notice of it went.
    REASON_NOTICE = "reason_notice"
    THREAD_POST = "thread_post"
    REFRESH_COUNTER = "refresh_counter"
    SEND_CONTINUATION = "send_continuation"
    RETRACT_THREAD_POST = "retract_thread_post"
    # Its author was forgotten: the thread post taken down, or signed "a former reader".
    FORGOTTEN_THREAD_POST = "forgotten_thread_post"
    ADMIN_NOTICE = "admin_notice"
    SHOW_DESK = "show_desk"
    # /spam's list of catches: sent in answer to the command, or edited after a tap.
    SPAM_LIST = "spam_list"
    # At most one an hour: how many the spam check caught (bot.services.spam_digest).
    SPAM_DIGEST = "spam_digest"
    SHOW_PRIVATE_DESK = "show_private_desk"
    RETIRE_PRIVATE_DESK = "retire_private_desk"
    ANSWER_COPY = "answer_copy"
    DELIVER_REPLY = "deliver_reply"
    REPLY_NOTICE = "reply_notice"
    GROUP_REPLY = "group_reply"
    # Comments typed in the discussion group (THREAD_MODERATION=pre).
    DELETE_GROUP_MESSAGE = "delete_group_message"
    COPY_TO_MODERATION = "copy_to_moderation"
    THREAD_MEDIA = "thread_media"
    BAN_IN_GROUP = "ban_in_group"
    UNBAN_IN_GROUP = "unban_in_group"
    THREAD_AUTHOR_NOTICE = "thread_author_notice"
    THREAD_NOTICE = "thread_notice"
    # A published comment was answered: its author hears it privately (reply_notices).
    COMMENT_ANSWERED = "comment_answered"
    # /mydata: the reader's copy of their data, as one file (bot.services.my_data).
    SEND_MY_DATA = "send_my_data"


class ReaderNotice(StrEnum):
    """What a state change tells the reader, rendered when it is delivered."""

    ARTICLE_VIEW = "article_view"
    ASK_NAME = "ask_name"
    ASK_EMAIL = "ask_email"
    ASK_MESSAGE = "ask_message"
    CANCELLED = "cancelled"
    FORM_CANCELLED = "form_cancelled"


def received_rows(
    settings: Settings,
    author_id: int,
    submission_id: int,
    kind: SubmissionKind,
    *,
    article_title: str | None = None,
    published: bool = False,
    language: str | None = None,
) -> tuple[outbox.NewRow, outbox.NewRow]:
    """What a stored submission asks for: the reader hears it was received (or published),
    and the moderators get a card. Both are queued with the submission, so a crash loses
    neither; the reader's chat is a lane of its own and hears at once."""
    acknowledgement = outbox.NewRow(
        Effect.ACKNOWLEDGE,
        str(author_id),
        {
            "submission_id": submission_id,
            "kind": kind.value,
            "title": article_title,
            "published": published,
            # Known at intake (None: looked up when delivered).
            "language": language,
        },
    )
    card = outbox.NewRow(
        Effect.SEND_CARD, str(settings.moderation_chat_id), {"submission_id": submission_id}
    )
    return acknowledgement, card


async def tell_reader(
    conn: aiosqlite.Connection,
    reader_id: int,
    notice: ReaderNotice,
    now: float,
    **details: int | str | None,
) -> None:
    await outbox.enqueue(
        conn, Effect.TELL_READER, str(reader_id), {"notice": notice.value, **details}, now
    )


async def submission_received(
    conn: aiosqlite.Connection,
    settings: Settings,
    author_id: int,
    submission_id: int,
    kind: SubmissionKind,
    now: float,
) -> None:
    """Queue `received_rows` for one submission, in one statement."""
    await outbox.enqueue_all(conn, received_rows(settings, author_id, submission_id, kind), now)


def refresh_cards_row(settings: Settings, submission_id: int) -> outbox.NewRow:
    return outbox.NewRow(
        Effect.REFRESH_CARDS, str(settings.moderation_chat_id), {"submission_id": submission_id}
    )


async def refresh_cards(
    conn: aiosqlite.Connection, settings: Settings, submission_id: int, now: float
) -> None:
    await outbox.enqueue_all(conn, [refresh_cards_row(settings, submission_id)], now)


def notify_author_row(
    author_id: int, submission_id: int, due_at: float | None = None
) -> outbox.NewRow:
    return outbox.NewRow(
        Effect.NOTIFY_AUTHOR, str(author_id), {"submission_id": submission_id}, due_at
    )


async def notify_author(
    conn: aiosqlite.Connection,
    author_id: int,
    submission_id: int,
    now: float,
    *,
    due_at: float | None = None,
) -> None:
    """The author hears the decision, rendered when it goes (`due_at`: not before, so
    that a reason given meanwhile goes with it)."""
    await outbox.enqueue_all(conn, [notify_author_row(author_id, submission_id, due_at)], now)


async def tell_reason(
    conn: aiosqlite.Connection, author_id: int, submission_id: int, now: float
) -> None:
    await outbox.enqueue(
        conn, Effect.REASON_NOTICE, str(author_id), {"submission_id": submission_id}, now
    )


async def publish_comment(
    conn: aiosqlite.Connection,
    settings: Settings,
    article_id: int | None,
    submission_id: int,
    now: float,
) -> None:
    """Make an approved comment visible in the channel: in the thread, or on the counter."""
    await _channel_change(conn, settings, Effect.THREAD_POST, article_id, submission_id, now)


async def _channel_change(
    conn: aiosqlite.Connection,
    settings: Settings,
    thread_effect: Effect,
    article_id: int | None,
    submission_id: int,
    now: float,
) -> None:
    """A comment shown or taken back: its thread post with a discussion group, else the
    post's counter, which counts whatever is approved when it is delivered."""
    if settings.discussion_chat_id is not None:
        await outbox.enqueue(
            conn,
            thread_effect,
            str(settings.discussion_chat_id),
            {"submission_id": submission_id, "article_id": article_id},
            now,
        )
    elif article_id is not None:
        await outbox.enqueue(
            conn, Effect.REFRESH_COUNTER, str(settings.channel_id), {"article_id": article_id}, now
        )


async def release_thread_posts(conn: aiosqlite.Connection, article_id: int, now: float) -> None:
    """Thread posts that waited for the discussion copy of the post can go now."""
    await outbox.release_action_for_article(conn, Effect.THREAD_POST, article_id, now)


async def deliver_reply(
    conn: aiosqlite.Connection, chat_key: str, reply_id: int, now: float
) -> None:
    """One message of a contact conversation, to the reader or into the moderation chat."""
    await outbox.enqueue(conn, Effect.DELIVER_REPLY, chat_key, {"reply_id": reply_id}, now)


def reply_notice_row(settings: Settings, chat_id: int, reply_id: int) -> outbox.NewRow:
    """Tell the moderator who wrote an answer, where they wrote it (the moderation group
    or their private desk), that it could not reach the reader."""
    chat = chat_id if chat_id > 0 else settings.moderation_chat_id
    return outbox.NewRow(Effect.REPLY_NOTICE, str(chat), {"reply_id": reply_id})


def answer_copy_row(settings: Settings, reply_id: int) -> outbox.NewRow:
    """The copy, under the card in the group, of an answer written on a private desk."""
    return outbox.NewRow(
        Effect.ANSWER_COPY, str(settings.moderation_chat_id), {"reply_id": reply_id}
    )


def continuation_row(
    settings: Settings, submission_id: int, card_message_id: int, part: int
) -> outbox.NewRow:
    """One piece of a text too long for its card; queued once the card exists."""
    return outbox.NewRow(
        Effect.SEND_CONTINUATION,
        str(settings.moderation_chat_id),
        {"submission_id": submission_id, "card_message_id": card_message_id, "part": part},
    )


async def retract_comment(
    conn: aiosqlite.Connection,
    settings: Settings,
    article_id: int,
    submission_id: int,
    now: float,
) -> None:
    """Take a published comment back: out of the thread, or off the counter."""
    await _channel_change(
        conn, settings, Effect.RETRACT_THREAD_POST, article_id, submission_id, now
    )


async def reply_in_group(
    conn: aiosqlite.Connection, chat_id: int, reply_to: int, text: str, now: float
) -> None:
    """A handler's answer in a group (a command's result, a refusal): written as it is
    now, and sent when the group's minute has room."""
    await outbox.enqueue(
        conn, Effect.GROUP_REPLY, str(chat_id), {"reply_to": reply_to, "text": text}, now
    )


async def show_spam_list(
    conn: aiosqlite.Connection,
    settings: Settings,
    now: float,
    *,
    reply_to: int | None = None,
    edit: int | None = None,
) -> None:
    """/spam's list, rendered when delivered (the catches as they are then): a new
    message in reply to the command, or the list message `edit` brought up to date."""
    await outbox.enqueue(
        conn,
        Effect.SPAM_LIST,
        str(settings.moderation_chat_id),
        {"reply_to": reply_to, "edit": edit},
        now,
    )


async def post_to_channel(
    conn: aiosqlite.Connection, settings: Settings, article_id: int, admin_id: int, now: float
) -> None:
    """The article's channel post; the admin hears when it is there."""
    await outbox.enqueue(
        conn,
        Effect.CHANNEL_POST,
        str(settings.channel_id),
        {"article_id": article_id, "admin_id": admin_id},
        now,
    )


async def delete_channel_post(
    conn: aiosqlite.Connection,
    settings: Settings,
    article_id: int,
    channel_message_id: int,
    admin_id: int,
    now: float,
) -> None:
    await outbox.enqueue(
        conn,
        Effect.DELETE_CHANNEL_POST,
        str(settings.channel_id),
        {"article_id": article_id, "message_id": channel_message_id, "admin_id": admin_id},
        now,
    )


async def show_desk(
    conn: aiosqlite.Connection,
    settings: Settings,
    now: float,
    *,
    new_message: bool = False,
    count_only: bool = False,
) -> None:
    """Bring the review desk up to date (or post it afresh, for /queue). `count_only`: the
    item it shows stays; only how many wait changed, which may wait for a place."""
    payload: dict[str, outbox.PayloadValue] = {"new": new_message, "count_only": count_only}
    await outbox.enqueue(conn, Effect.SHOW_DESK, str(settings.moderation_chat_id), payload, now)


async def show_private_desk(
    conn: aiosqlite.Connection, moderator_id: int, now: float, *, new_message: bool = False
) -> None:
    """Bring a moderator's private desk up to date (or post it afresh, for /desk)."""
    await outbox.enqueue(
        conn, Effect.SHOW_PRIVATE_DESK, str(moderator_id), {"new": new_message}, now
    )


def retire_private_desk_row(moderator_id: int, message_id: int) -> outbox.NewRow:
    """An older desk message, replaced by a fresh one, loses its buttons."""
    return outbox.NewRow(Effect.RETIRE_PRIVATE_DESK, str(moderator_id), {"message_id": message_id})


async def ask_name(conn: aiosqlite.Connection, reader: Person, now: float) -> None:
    await tell_reader(conn, reader.user_id, ReaderNotice.ASK_NAME, now, name=reader.display_name)
