"""Comments typed in the channel's discussion group: where each came from (its message
there), the edits of it, and what became of that message (taken down, kept, refused)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_one, insert_rows
from storage.models import Submission
from storage.submissions import SELECT, submission_from_row


@dataclass(frozen=True)
class ThreadSource:
    """Where a comment typed in the discussion group came from."""

    chat_id: int
    message_id: int
    # The message it answered there: the post's automatic forward, or another comment.
    reply_to_message_id: int | None
    # photo, video, document, audio, voice, animation, sticker or video_note; None: text.
    media_kind: str | None = None
    # Telegram's edit_date for an edited message; 0 as first sent.
    edit_date: int = 0
    # A photo's, video's, sticker's... file_id (None for text, polls, locations...).
    file_id: str | None = None
    # Which submission of this message it becomes: 0 as first sent, then one per edit of
    # a decided one.
    revision: int = 0
    # The album it is a picture of (Telegram's media_group_id), if any.
    media_group_id: str | None = None
    # The same for the same file, whoever sends it (None for text, polls, locations...).
    file_unique_id: str | None = None


async def insert_thread_comment(
    conn: aiosqlite.Connection,
    user_id: int,
    article_id: int | None,
    text: str,
    created_at: float,
    source: ThreadSource,
    *,
    author_name: str,
    kept: bool,
    removal_refused: str | None = None,
    wave_print: bytes | None = None,
) -> int:
    """`kept`: the author's message stays in the group while it waits (post-moderation,
    or the bot cannot delete it: `removal_refused` says why)."""
    [submission_id] = await insert_rows(
        conn,
        "submissions (kind, user_id, author_name, article_id, text, created_at,"
        " thread_source_chat_id, thread_source_message_id, thread_reply_to_message_id,"
        " media_kind, thread_source_revision, thread_source_edit_date, original_kept,"
        " removal_refused, media_group_id, file_unique_id, wave_print)",
        "('comment', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                user_id,
                author_name,
                article_id,
                text,
                created_at,
                source.chat_id,
                source.message_id,
                source.reply_to_message_id,
                source.media_kind,
                source.revision,
                source.edit_date,
                int(kept),
                removal_refused,
                source.media_group_id,
                source.file_unique_id,
                wave_print,
            )
        ],
    )
    return submission_id


async def from_thread_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> Submission | None:
    """The latest submission a message in the discussion group became (an edit of a kept
    message becomes another)."""
    row = await fetch_one(
        conn,
        SELECT + " WHERE s.thread_source_chat_id = ? AND s.thread_source_message_id = ?"
        " ORDER BY s.id DESC LIMIT 1",
        (chat_id, message_id),
    )
    return submission_from_row(row) if row else None


@dataclass(frozen=True)
class MediaHistory:
    # Pictures of this album taken from the author already.
    album_taken: int = 0
    # The author sent this very file lately.
    same_file: bool = False


async def media_history(
    conn: aiosqlite.Connection, user_id: int, source: ThreadSource, since: float
) -> MediaHistory:
    """What the author sent before of this album, and of this file since `since`."""
    if source.media_group_id is None and source.file_unique_id is None:
        return MediaHistory()
    row = await fetch_one(
        conn,
        "SELECT COALESCE(SUM(media_group_id = ?), 0),"
        " COALESCE(MAX(file_unique_id = ? AND created_at > ?), 0)"
        " FROM submissions WHERE user_id = ?",
        (source.media_group_id, source.file_unique_id, since, user_id),
    )
    assert row is not None
    return MediaHistory(int(row[0]), bool(row[1]))


async def pending_comments_by(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    """An author's comments waiting for a decision, wherever they were written (a contact
    message is a conversation, not a comment)."""
    rows = await fetch_all(
        conn,
        "SELECT id FROM submissions WHERE user_id = ? AND status = 'pending'"
        " AND kind = 'comment' ORDER BY id",
        (user_id,),
    )
    return [int(row[0]) for row in rows]


async def take_pending_edit(
    conn: aiosqlite.Connection,
    submission_id: int,
    text: str,
    edit_date: int,
    now: float,
    *,
    wave_print: bytes | None = None,
) -> bool:
    """The author edited a comment still waiting: the card shows the new words (and the
    wave fingerprint is theirs)."""
    cursor = await conn.execute(
        "UPDATE submissions SET text = ?, thread_source_edit_date = ?, edited_at = ?,"
        " wave_print = ? WHERE id = ? AND status = 'pending'",
        (text, edit_date, now, wave_print, submission_id),
    )
    return cursor.rowcount == 1


async def thread_reply_target(conn: aiosqlite.Connection, submission_id: int) -> int | None:
    """The message in the thread that this comment answers, if it answers one: for one
    typed there, the published copy of what it answered; for one sent through the bot in
    reply to a message of the thread (↩️ Reply), that message."""
    row = await fetch_one(
        conn,
        "SELECT COALESCE(CASE WHEN s.thread_source_message_id IS NULL"
        " THEN s.thread_reply_to_message_id END, answered.thread_message_id)"
        " FROM submissions s LEFT JOIN submissions answered"
        " ON answered.thread_message_id = s.thread_reply_to_message_id WHERE s.id = ?",
        (submission_id,),
    )
    return int(row[0]) if row and row[0] is not None else None


async def set_moderation_copy(
    conn: aiosqlite.Connection, submission_id: int, message_id: int
) -> None:
    await conn.execute(
        "UPDATE submissions SET moderation_copy_message_id = ? WHERE id = ?",
        (message_id, submission_id),
    )


async def set_thread_media(conn: aiosqlite.Connection, submission_id: int, message_id: int) -> None:
    """The message that carries a comment's media in the thread, after its signed text."""
    await conn.execute(
        "UPDATE submissions SET thread_media_message_id = ? WHERE id = ?",
        (message_id, submission_id),
    )


async def thread_media_of(conn: aiosqlite.Connection, submission_id: int) -> int | None:
    row = await fetch_one(
        conn, "SELECT thread_media_message_id FROM submissions WHERE id = ?", (submission_id,)
    )
    return None if row is None or row[0] is None else int(row[0])


async def mark_original_removed(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, now: float
) -> list[int]:
    """The author's message is gone from the group: every submission it became says so.
    Returns those that had been left up (their cards said so)."""
    rows = await fetch_all(
        conn,
        "UPDATE submissions SET original_removed_at = ? WHERE thread_source_chat_id = ?"
        " AND thread_source_message_id = ? AND original_removed_at IS NULL"
        " RETURNING id, original_kept",
        (now, chat_id, message_id),
    )
    return sorted(int(row[0]) for row in rows if row[1])


async def refuse_removal(conn: aiosqlite.Connection, submission_id: int, reason: str) -> None:
    """Telegram would not let the bot take the author's message down: it stays public."""
    await conn.execute(
        "UPDATE submissions SET original_kept = 1, removal_refused = ? WHERE id = ?",
        (reason, submission_id),
    )


async def refuse_thread_post(conn: aiosqlite.Connection, submission_id: int, reason: str) -> None:
    await conn.execute(
        "UPDATE submissions SET thread_post_refused = ? WHERE id = ?", (reason, submission_id)
    )


async def mark_retracted_by_edit(conn: aiosqlite.Connection, submission_id: int) -> None:
    await conn.execute(
        "UPDATE submissions SET retracted_by_edit = 1 WHERE id = ?", (submission_id,)
    )
