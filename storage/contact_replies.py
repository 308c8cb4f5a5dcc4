"""The conversation under a contact message, in both directions."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import ContactReply, ReplyDirection, ReplyStatus

_COLUMNS = (
    "id, submission_id, direction, author_id, author_name, text, source_chat_id,"
    " source_message_id, status, delivered_at, failure"
)


def _reply(row: aiosqlite.Row) -> ContactReply:
    return ContactReply(
        id=row["id"],
        submission_id=row["submission_id"],
        direction=ReplyDirection(row["direction"]),
        author_id=row["author_id"],
        author_name=row["author_name"],
        text=row["text"],
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        status=ReplyStatus(row["status"]),
        delivered_at=row["delivered_at"],
        failure=row["failure"],
    )


async def insert(
    conn: aiosqlite.Connection,
    submission_id: int,
    direction: ReplyDirection,
    author_id: int,
    author_name: str,
    text: str,
    source_chat_id: int,
    source_message_id: int,
    now: float,
) -> int | None:
    """Record a message of the conversation; None if that message was recorded already."""
    cursor = await conn.execute(
        "INSERT OR IGNORE INTO contact_replies (submission_id, direction, author_id, author_name,"
        " text, source_chat_id, source_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission_id,
            direction.value,
            author_id,
            author_name,
            text,
            source_chat_id,
            source_message_id,
            now,
        ),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def get(conn: aiosqlite.Connection, reply_id: int) -> ContactReply | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM contact_replies WHERE id = ?", (reply_id,))
    return _reply(row) if row else None


async def mark_delivered(
    conn: aiosqlite.Connection, reply_id: int, chat_id: int, message_id: int, now: float
) -> None:
    await conn.execute(
        "UPDATE contact_replies SET status = 'delivered', delivered_chat_id = ?,"
        " delivered_message_id = ?, delivered_at = ? WHERE id = ?",
        (chat_id, message_id, now, reply_id),
    )


async def mark_undeliverable(conn: aiosqlite.Connection, reply_id: int, failure: str) -> None:
    await conn.execute(
        "UPDATE contact_replies SET status = 'undeliverable', failure = ? WHERE id = ?",
        (failure, reply_id),
    )


async def submission_of_delivered(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, direction: ReplyDirection
) -> int | None:
    """Which contact message a message the bot delivered belongs to."""
    row = await fetch_one(
        conn,
        "SELECT submission_id FROM contact_replies WHERE delivered_chat_id = ?"
        " AND delivered_message_id = ? AND direction = ?",
        (chat_id, message_id, direction.value),
    )
    return int(row[0]) if row else None


async def answers_of(conn: aiosqlite.Connection, submission_id: int) -> list[ContactReply]:
    """The editors' answers that reached the reader, oldest first (for the card)."""
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM contact_replies WHERE submission_id = ?"
        " AND direction = 'to_reader' AND status = 'delivered' ORDER BY id",
        (submission_id,),
    )
    return [_reply(row) for row in rows]


async def mark_group_copy(
    conn: aiosqlite.Connection, reply_id: int, chat_id: int, message_id: int
) -> None:
    """An answer written on a private desk now has its copy under the card in the group."""
    await conn.execute(
        "UPDATE contact_replies SET group_copy_chat_id = ?, group_copy_message_id = ? WHERE id = ?",
        (chat_id, message_id, reply_id),
    )


async def submission_of_group_copy(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> int | None:
    row = await fetch_one(
        conn,
        "SELECT submission_id FROM contact_replies WHERE group_copy_chat_id = ?"
        " AND group_copy_message_id = ?",
        (chat_id, message_id),
    )
    return int(row[0]) if row else None


async def reader_answers_since_editors(conn: aiosqlite.Connection, submission_id: int) -> int:
    """The reader's answers recorded since the editors last wrote to them."""
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM contact_replies WHERE submission_id = ? AND direction = 'to_editors'"
        " AND id > COALESCE((SELECT MAX(id) FROM contact_replies WHERE submission_id = ?"
        " AND direction = 'to_reader'), 0)",
        (submission_id, submission_id),
    )
    return int(row[0]) if row else 0
