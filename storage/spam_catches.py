"""What the spam check caught by itself (storage.submissions.mark_caught), for /spam and
its undo."""

from __future__ import annotations

import json

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import Person, Submission
from storage.submissions import SELECT, submission_from_row

# The reason of a catch made by flood control (bot.services.floods): [FLOODING, messages,
# seconds] where the spam check's reasons are [kind, count, minutes].
FLOODING = "flooding"


async def latest(conn: aiosqlite.Connection, limit: int) -> list[Submission]:
    """The newest catches still set aside, newest first (index submissions_caught)."""
    rows = await fetch_all(
        conn,
        # A forgotten reader's catches, their words erased, are nobody's to put back.
        f"{SELECT} WHERE s.caught_at IS NOT NULL AND s.author_forgotten = 0"
        " ORDER BY s.caught_at DESC LIMIT ?",
        (limit,),
    )
    return [submission_from_row(row) for row in rows]


async def catch_flood(
    conn: aiosqlite.Connection,
    author: Person,
    text: str,
    article_id: int | None,
    *,
    messages: int,
    seconds: int,
    now: float,
) -> int:
    """A persistent flooder, kept as a catch (its author banned by it): `text` is what
    tipped them over ("" if it had no words). No message of theirs waits behind it."""
    cursor = await conn.execute(
        "INSERT INTO submissions (kind, user_id, article_id, text, created_at, author_name,"
        " status, marked_spam, caught_at, author_banned, spam_reasons, caught_flooding)"
        " VALUES ('comment', ?, ?, ?, ?, ?, 'rejected', 1, ?, 1, ?, 1)",
        (
            author.user_id,
            article_id,
            text,
            now,
            author.display_name,
            now,
            json.dumps([[FLOODING, messages, seconds]]),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def restore(
    conn: aiosqlite.Connection, submission_id: int, moderator_id: int, now: float
) -> bool:
    """Put a catch back as pending, as if just written; False if it is no catch (now). A
    flood's catch stays rejected: nothing of a flood was stored to come back."""
    cursor = await conn.execute(
        "UPDATE submissions SET marked_spam = 0, caught_at = NULL,"
        " status = CASE WHEN caught_flooding = 1 THEN 'rejected' ELSE 'pending' END,"
        " author_banned = 0, restored_at = ?, restored_by = ?"
        # A forgotten reader's catch never comes back (bot.services.forget).
        " WHERE id = ? AND caught_at IS NOT NULL AND status = 'rejected'"
        " AND author_forgotten = 0",
        (now, moderator_id, submission_id),
    )
    return cursor.rowcount == 1


async def lift_ban_made_by(
    conn: aiosqlite.Connection, user_id: int, submission_id: int, banned_by: int, now: float
) -> bool:
    """Lift the author's ban if this catch made it (not a moderator's, nor another's)."""
    cursor = await conn.execute(
        "UPDATE bans SET lifted_at = ? WHERE user_id = ? AND reason_submission_id = ?"
        " AND banned_by = ? AND lifted_at IS NULL",
        (now, user_id, submission_id, banned_by),
    )
    return cursor.rowcount == 1


async def sweep(conn: aiosqlite.Connection, submission_id: int, catch_id: int, now: float) -> bool:
    """Reject a pending item of an author the catch banned, as taken with it (no moderator
    decided: decided_by stays empty); False if it was no longer pending."""
    cursor = await conn.execute(
        "UPDATE submissions SET status = 'rejected', author_banned = 1, decided_at = ?,"
        " swept_by = ?, swept_with_ban = 1 WHERE id = ? AND status = 'pending'",
        (now, catch_id, submission_id),
    )
    return cursor.rowcount == 1


async def restore_swept(conn: aiosqlite.Connection, catch_id: int) -> list[int]:
    """Put back as pending what the catch swept and nobody decided since. A comment taken
    down (or on its way down) is then held, as in pre-moderation, and posted by the bot on
    approval; one Telegram would not take down is still up, and is kept where it stands."""
    rows = await fetch_all(
        conn,
        "UPDATE submissions SET status = 'pending', author_banned = 0, decided_at = NULL,"
        " swept_by = NULL, swept_with_ban = 0,"
        " original_kept = (removal_refused IS NOT NULL AND original_removed_at IS NULL)"
        " WHERE swept_by = ? AND status = 'rejected' AND author_forgotten = 0 RETURNING id",
        (catch_id,),
    )
    return sorted(int(row[0]) for row in rows)


async def counts_since(conn: aiosqlite.Connection, since: float) -> tuple[int, int]:
    """(catches made, catches undone) since then. An undone catch was a catch all the
    same: made when it arrived (created_at), its caught_at cleared by the undo."""
    row = await fetch_one(
        conn,
        "SELECT (SELECT COUNT(*) FROM submissions WHERE caught_at >= ?)"
        " + (SELECT COUNT(*) FROM submissions WHERE restored_at IS NOT NULL"
        " AND created_at >= ?),"
        " (SELECT COUNT(*) FROM submissions WHERE restored_at >= ?)",
        (since, since, since),
    )
    assert row is not None
    return int(row[0]), int(row[1])


async def caught_after(conn: aiosqlite.Connection, after: float) -> int:
    """Catches still set aside that were made after then (index submissions_caught)."""
    row = await fetch_one(conn, "SELECT COUNT(*) FROM submissions WHERE caught_at > ?", (after,))
    assert row is not None
    return int(row[0])


async def remember_list(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, now: float
) -> None:
    """A /spam list was sent: its ↩️ Not spam buttons are taken from it."""
    await conn.execute(
        "INSERT OR IGNORE INTO spam_list_messages (chat_id, message_id, sent_at) VALUES (?, ?, ?)",
        (chat_id, message_id, now),
    )


async def is_list(conn: aiosqlite.Connection, chat_id: int, message_id: int) -> bool:
    row = await fetch_one(
        conn,
        "SELECT 1 FROM spam_list_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return row is not None


async def prune_lists(conn: aiosqlite.Connection, before: float) -> int:
    """Forget /spam list messages sent before `before` (through the index on sent_at)."""
    cursor = await conn.execute("DELETE FROM spam_list_messages WHERE sent_at < ?", (before,))
    return cursor.rowcount
