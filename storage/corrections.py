"""Moderators' corrections of pending comments (✏️ Edit), and who is writing one now."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one
from storage.models import Person


async def request(
    conn: aiosqlite.Connection, submission_id: int, moderator_id: int, now: float
) -> None:
    """A moderator tapped ✏️ Edit: their next reply to the card is the corrected text (a
    second tap starts the wait afresh)."""
    await conn.execute(
        "INSERT INTO edit_requests (submission_id, moderator_id, requested_at) VALUES (?, ?, ?)"
        " ON CONFLICT (submission_id, moderator_id)"
        " DO UPDATE SET requested_at = excluded.requested_at",
        (submission_id, moderator_id, now),
    )


async def requested_at(
    conn: aiosqlite.Connection, submission_id: int, moderator_id: int | None
) -> float | None:
    """When `moderator_id` asked to edit the item; `None` as the id: the latest request of
    anyone (an anonymous admin writes as the group, whoever of them tapped)."""
    if moderator_id is None:
        row = await fetch_one(
            conn,
            "SELECT MAX(requested_at) FROM edit_requests WHERE submission_id = ?",
            (submission_id,),
        )
    else:
        row = await fetch_one(
            conn,
            "SELECT requested_at FROM edit_requests WHERE submission_id = ? AND moderator_id = ?",
            (submission_id, moderator_id),
        )
    return float(row[0]) if row and row[0] is not None else None


async def close_request(
    conn: aiosqlite.Connection, submission_id: int, moderator_id: int | None
) -> None:
    """`None` as the id: every request on the item."""
    if moderator_id is None:
        await conn.execute("DELETE FROM edit_requests WHERE submission_id = ?", (submission_id,))
    else:
        await conn.execute(
            "DELETE FROM edit_requests WHERE submission_id = ? AND moderator_id = ?",
            (submission_id, moderator_id),
        )


async def save(
    conn: aiosqlite.Connection, submission_id: int, text: str, moderator: Person, now: float
) -> bool:
    """Keep the corrected text beside the original (which stays as the reader wrote it),
    replacing an earlier correction; False once the item is no longer pending."""
    cursor = await conn.execute(
        "UPDATE submissions SET corrected_text = ?, corrected_by = ?, corrected_by_name = ?,"
        " corrected_at = ? WHERE id = ? AND status = 'pending'",
        (text, moderator.user_id, moderator.display_name, now, submission_id),
    )
    return cursor.rowcount == 1


async def take_back(conn: aiosqlite.Connection, submission_id: int) -> None:
    """The moderator gave back the reader's own words: no correction any more."""
    await conn.execute(
        "UPDATE submissions SET corrected_text = NULL, corrected_by = NULL,"
        " corrected_by_name = NULL, corrected_at = NULL WHERE id = ? AND status = 'pending'",
        (submission_id,),
    )
