"""Reasons for rejections: the one a submission was given, whether its author was told
the decision already, and the item each desk offers reasons for."""

from __future__ import annotations

import aiosqlite

from storage.db import fetch_one

# desk_reason_offers.desk for the group's review desk; a private desk is its moderator's id.
GROUP_DESK = "group"


async def give(conn: aiosqlite.Connection, submission_id: int, reason: str) -> bool:
    """The rejected submission's reason, once; False if it has one, or is not rejected."""
    cursor = await conn.execute(
        "UPDATE submissions SET decision_reason = ?"
        " WHERE id = ? AND status = 'rejected' AND decision_reason IS NULL",
        (reason, submission_id),
    )
    return cursor.rowcount == 1


async def outcome_told(conn: aiosqlite.Connection, submission_id: int, now: float) -> None:
    """The author's notice of the decision went out (rendered from the row as it was)."""
    await conn.execute(
        "UPDATE submissions SET outcome_told_at = ? WHERE id = ?", (now, submission_id)
    )


async def outcome_told_at(conn: aiosqlite.Connection, submission_id: int) -> float | None:
    row = await fetch_one(
        conn, "SELECT outcome_told_at FROM submissions WHERE id = ?", (submission_id,)
    )
    return None if row is None else row[0]


async def offer_on_desk(conn: aiosqlite.Connection, desk: str, submission_id: int | None) -> None:
    """The desk offers reasons for `submission_id` from now (None: for nothing)."""
    if submission_id is None:
        await conn.execute("DELETE FROM desk_reason_offers WHERE desk = ?", (desk,))
        return
    await conn.execute(
        "INSERT INTO desk_reason_offers (desk, submission_id) VALUES (?, ?)"
        " ON CONFLICT (desk) DO UPDATE SET submission_id = excluded.submission_id",
        (desk, submission_id),
    )


async def offered_on_desk(conn: aiosqlite.Connection, desk: str) -> int | None:
    row = await fetch_one(
        conn, "SELECT submission_id FROM desk_reason_offers WHERE desk = ?", (desk,)
    )
    return None if row is None else int(row[0])
