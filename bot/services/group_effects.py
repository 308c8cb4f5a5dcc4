"""The side effects in the channel's discussion group, written to the outbox: a reader's
comment typed there taken down or copied beside its card, its author told what became of
it, a banned author banned there too."""

from __future__ import annotations

from enum import StrEnum

import aiosqlite

from bot.services.effects import Effect
from bot.settings import Settings
from storage import outbox
from storage.models import Submission


class ThreadNotice(StrEnum):
    """What the author of a comment typed in a thread hears about it."""

    HELD = "held"
    FLOOD = "flood"
    DUPLICATE = "duplicate"
    TOO_LONG = "too_long"
    CLOSED = "closed"


def delete_group_message_row(
    chat_id: int,
    message_id: int,
    *,
    due_at: float | None = None,
    submission_id: int | None = None,
    tell_author: bool = False,
) -> outbox.NewRow:
    """Delete a message in a group: a reader's comment (of `submission_id`, held for
    moderation or removed by a moderator, whose author then hears it if `tell_author`) or
    the bot's own short-lived notice."""
    payload: dict[str, outbox.PayloadValue] = {
        "message_id": message_id,
        "submission_id": submission_id,
    }
    if tell_author:
        payload["tell_author"] = True
    return outbox.NewRow(Effect.DELETE_GROUP_MESSAGE, str(chat_id), payload, due_at)


async def remove_from_group(
    conn: aiosqlite.Connection, submission: Submission, now: float, *, tell_author: bool
) -> None:
    """Take a rejected comment's own message down from the discussion group, if it is up;
    its author hears it (`tell_author`) once it is done, not before."""
    chat_id, message_id = submission.thread_source_chat_id, submission.thread_source_message_id
    if not submission.is_public_in_group or chat_id is None or message_id is None:
        return
    row = delete_group_message_row(
        chat_id, message_id, submission_id=submission.id, tell_author=tell_author
    )
    await outbox.enqueue_all(conn, [row], now)


def copy_to_moderation_row(
    settings: Settings,
    submission_id: int,
    source_chat_id: int,
    source_message_id: int,
    *,
    file: tuple[str, str] | None = None,
) -> outbox.NewRow:
    """Show a media comment beside its card: sent again by its (kind, file_id) when it is
    a file, else copied, and then the original is deleted (once the copy exists, or once
    the copy is given up)."""
    payload: dict[str, outbox.PayloadValue] = {
        "submission_id": submission_id,
        "group": source_chat_id,
        "message_id": source_message_id,
    }
    if file is not None:
        payload["kind"], payload["file_id"] = file
    return outbox.NewRow(Effect.COPY_TO_MODERATION, str(settings.moderation_chat_id), payload)


async def ban_in_discussion_group(
    conn: aiosqlite.Connection,
    settings: Settings,
    user_id: int,
    now: float,
    *,
    lift: bool = False,
    until: float | None = None,
) -> None:
    """A banned author is banned from the discussion group too, so they cannot keep
    posting under the posts; lifting the ban lifts that one as well. A ban with an end
    (`until`) carries it: Telegram lifts it there by itself then."""
    if settings.discussion_chat_id is None:
        return
    payload: dict[str, outbox.PayloadValue] = {"user_id": user_id}
    if until is not None and not lift:
        # Telegram's until_date is whole seconds.
        payload["until"] = int(until)
    await outbox.enqueue(
        conn,
        Effect.UNBAN_IN_GROUP if lift else Effect.BAN_IN_GROUP,
        str(settings.discussion_chat_id),
        payload,
        now,
    )


def thread_author_notice_row(
    author_id: int,
    notice: ThreadNotice,
    thread_chat_id: int,
    thread_id: int | None,
    **details: str | int | None,
) -> outbox.NewRow:
    """Tell the author of a thread comment what became of it: privately if they have a
    private chat with the bot, else by a short notice in the thread."""
    return outbox.NewRow(
        Effect.THREAD_AUTHOR_NOTICE,
        str(author_id),
        {"notice": notice.value, "group": thread_chat_id, "thread": thread_id, **details},
    )
