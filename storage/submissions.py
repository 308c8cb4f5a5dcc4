"""Submissions (comments, contact messages); the moderation cards that show them are in
storage.moderation_cards."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage.db import fetch_all, fetch_one, insert_rows
from storage.models import (
    Person,
    PublishedComment,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

SELECT = (
    "SELECT s.id, s.kind, s.user_id, s.article_id, s.text, s.status, s.created_at,"
    " s.decided_by, s.decided_by_name, s.decided_at, s.author_banned,"
    " s.contact_name, s.contact_email, s.auto_approved, s.thread_message_id,"
    " s.thread_source_chat_id, s.thread_source_message_id, s.media_kind,"
    " s.moderation_copy_message_id, s.original_kept, s.thread_reply_to_message_id,"
    " s.thread_source_revision, s.thread_source_edit_date, s.edited_at,"
    " s.original_removed_at, s.removal_refused, s.thread_post_refused, s.retracted_by_edit,"
    " s.marked_spam, s.spam_score, s.spam_reasons, s.caught_at, s.swept_by, s.swept_with_ban,"
    " s.caught_flooding, s.corrected_text, s.corrected_by_name, s.corrected_at,"
    " s.decision_reason, s.erased_at, s.author_forgotten,"
    " s.author_name, r.username"
    " FROM submissions s JOIN readers r ON r.user_id = s.user_id"
)


def submission_from_row(row: aiosqlite.Row) -> Submission:
    return Submission(
        id=row["id"],
        kind=SubmissionKind(row["kind"]),
        # The name as the author wrote under it; the username is today's, for moderators to
        # find the account by.
        author=Person(row["user_id"], row["author_name"], None, row["username"]),
        article_id=row["article_id"],
        text=row["text"],
        status=SubmissionStatus(row["status"]),
        created_at=row["created_at"],
        decided_by=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        decided_at=row["decided_at"],
        author_banned=bool(row["author_banned"]),
        marked_spam=bool(row["marked_spam"]),
        spam_score=row["spam_score"],
        spam_reasons=_reasons_from_json(row["spam_reasons"]),
        caught_at=row["caught_at"],
        swept_by=row["swept_by"],
        swept_with_ban=bool(row["swept_with_ban"]),
        caught_flooding=bool(row["caught_flooding"]),
        corrected_text=row["corrected_text"],
        corrected_by_name=row["corrected_by_name"],
        corrected_at=row["corrected_at"],
        decision_reason=row["decision_reason"],
        erased_at=row["erased_at"],
        author_forgotten=bool(row["author_forgotten"]),
        contact_name=row["contact_name"],
        contact_email=row["contact_email"],
        auto_approved=bool(row["auto_approved"]),
        thread_message_id=row["thread_message_id"],
        thread_source_chat_id=row["thread_source_chat_id"],
        thread_source_message_id=row["thread_source_message_id"],
        media_kind=row["media_kind"],
        moderation_copy_message_id=row["moderation_copy_message_id"],
        original_kept=bool(row["original_kept"]),
        thread_reply_to_message_id=row["thread_reply_to_message_id"],
        thread_source_revision=row["thread_source_revision"],
        thread_source_edit_date=row["thread_source_edit_date"],
        edited_at=row["edited_at"],
        original_removed_at=row["original_removed_at"],
        removal_refused=row["removal_refused"],
        thread_post_refused=row["thread_post_refused"],
        retracted_by_edit=bool(row["retracted_by_edit"]),
    )


@dataclass(frozen=True)
class NewComment:
    user_id: int
    # The author's name as they write: what their card shows and the comment is signed with.
    author_name: str
    article_id: int
    text: str
    created_at: float
    # The reader's Telegram message: one submission per message, however often it comes.
    source_message_id: int | None
    # bot.services.spam_waves.wave_print of the text (None: to be taken when compared).
    wave_print: bytes | None = None
    # ↩️ Reply: the message of the post's thread it answers, where it is published.
    reply_to_message_id: int | None = None


async def insert(
    conn: aiosqlite.Connection,
    kind: SubmissionKind,
    user_id: int,
    article_id: int | None,
    text: str,
    now: float,
    *,
    author_name: str,
    contact_name: str | None = None,
    contact_email: str | None = None,
    source_message_id: int | None = None,
    wave_print: bytes | None = None,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO submissions (kind, user_id, article_id, text, created_at, author_name,"
        " contact_name, contact_email, source_message_id, wave_print)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            user_id,
            article_id,
            text,
            now,
            author_name,
            contact_name,
            contact_email,
            source_message_id,
            wave_print,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def insert_comments(conn: aiosqlite.Connection, comments: Sequence[NewComment]) -> list[int]:
    """Store pending comments in one statement; returns their ids in the order given."""
    return await insert_rows(
        conn,
        "submissions (kind, user_id, author_name, article_id, text, created_at,"
        " source_message_id, wave_print, thread_reply_to_message_id)",
        "('comment', ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.user_id,
                c.author_name,
                c.article_id,
                c.text,
                c.created_at,
                c.source_message_id,
                c.wave_print,
                c.reply_to_message_id,
            )
            for c in comments
        ],
    )


async def from_message(
    conn: aiosqlite.Connection, user_id: int, source_message_id: int
) -> int | None:
    """The submission a reader's message already became, if it was handled before."""
    row = await fetch_one(
        conn,
        "SELECT id FROM submissions WHERE user_id = ? AND source_message_id = ?",
        (user_id, source_message_id),
    )
    return int(row[0]) if row else None


def _reasons_from_json(stored: str | None) -> tuple[tuple[str, int, int], ...]:
    if not stored:
        return ()
    return tuple(
        (str(kind), int(count), int(minutes)) for kind, count, minutes in json.loads(stored)
    )


@dataclass(frozen=True)
class SpamVerdict:
    """What the spam check said of a submission, as stored (reasons: kind, count, minutes)."""

    submission_id: int
    score: float
    reasons: Sequence[tuple[str, int, int]]


async def flag_spam(conn: aiosqlite.Connection, verdicts: Sequence[SpamVerdict]) -> None:
    """Keep the check's score and reasons with the submissions: the card's flag."""
    await conn.executemany(
        "UPDATE submissions SET spam_score = ?, spam_reasons = ? WHERE id = ?",
        [
            (v.score, json.dumps([list(reason) for reason in v.reasons]), v.submission_id)
            for v in verdicts
        ],
    )


async def mark_caught(
    conn: aiosqlite.Connection, submission_id: int, now: float, *, author_banned: bool
) -> None:
    """Caught by the spam check by itself: rejected as spam by nobody, never a card.
    decided_at stays empty: /stats counts moderators' decisions by it, and this was none."""
    await conn.execute(
        "UPDATE submissions SET status = 'rejected', marked_spam = 1, caught_at = ?,"
        " author_banned = ? WHERE id = ? AND status = 'pending'",
        (now, int(author_banned), submission_id),
    )


async def get(conn: aiosqlite.Connection, submission_id: int) -> Submission | None:
    row = await fetch_one(conn, f"{SELECT} WHERE s.id = ?", (submission_id,))
    return submission_from_row(row) if row else None


async def decide(
    conn: aiosqlite.Connection,
    submission_id: int,
    status: SubmissionStatus,
    moderator_id: int,
    moderator_name: str,
    now: float,
    *,
    author_banned: bool,
    marked_spam: bool = False,
    swept_with_ban: bool = False,
) -> bool:
    """Move a pending submission to its outcome; False when it was no longer pending.
    `swept_with_ban`: taken with its author's ban, not decided on its own card.

    The `status = 'pending'` guard makes the first of two simultaneous decisions win.
    """
    cursor = await conn.execute(
        "UPDATE submissions SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?,"
        " author_banned = ?, marked_spam = ?, swept_with_ban = ?"
        " WHERE id = ? AND status = 'pending'",
        (
            status.value,
            moderator_id,
            moderator_name,
            now,
            int(author_banned),
            int(marked_spam),
            int(swept_with_ban),
            submission_id,
        ),
    )
    return cursor.rowcount == 1


async def mark_author_banned(conn: aiosqlite.Connection, submission_id: int) -> bool:
    """A decided contact message's author banned from its card later; False if it was
    pending, or its author banned with it already."""
    cursor = await conn.execute(
        "UPDATE submissions SET author_banned = 1"
        " WHERE id = ? AND status != 'pending' AND author_banned = 0",
        (submission_id,),
    )
    return cursor.rowcount == 1


async def auto_approve(conn: aiosqlite.Connection, submission_id: int, now: float) -> None:
    await conn.execute(
        "UPDATE submissions SET status = 'approved', auto_approved = 1, decided_at = ?,"
        " decided_by_name = 'trusted author rule' WHERE id = ?",
        (now, submission_id),
    )


async def retract_auto_approval(
    conn: aiosqlite.Connection,
    submission_id: int,
    moderator_id: int,
    moderator_name: str,
    now: float,
) -> bool:
    """Reject a comment the trusted-author rule published; False if already taken back."""
    cursor = await conn.execute(
        "UPDATE submissions SET status = 'rejected', decided_by = ?, decided_by_name = ?,"
        " decided_at = ? WHERE id = ? AND status = 'approved' AND auto_approved = 1",
        (moderator_id, moderator_name, now, submission_id),
    )
    return cursor.rowcount == 1


async def set_thread_message(
    conn: aiosqlite.Connection, submission_id: int, message_id: int
) -> None:
    await conn.execute(
        "UPDATE submissions SET thread_message_id = ? WHERE id = ?", (message_id, submission_id)
    )


async def count_by_status(conn: aiosqlite.Connection, status: SubmissionStatus) -> int:
    row = await fetch_one(
        conn, "SELECT COUNT(*) FROM submissions WHERE status = ?", (status.value,)
    )
    return int(row[0]) if row else 0


async def approved_count(conn: aiosqlite.Connection, article_id: int) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM submissions WHERE article_id = ? AND status = 'approved'",
        (article_id,),
    )
    return int(row[0]) if row else 0


async def latest_approved(
    conn: aiosqlite.Connection, article_id: int, limit: int
) -> list[PublishedComment]:
    """The newest approved comments, returned oldest first so they read as a thread; a
    comment the moderators corrected (✏️ Edit) as they published it."""
    rows = await fetch_all(
        conn,
        "SELECT s.author_name, s.user_id, COALESCE(s.corrected_text, s.text) AS text,"
        " s.corrected_text IS NOT NULL AS edited, s.created_at FROM submissions s"
        " WHERE s.article_id = ? AND s.status = 'approved' ORDER BY s.id DESC LIMIT ?",
        (article_id, limit),
    )
    return [
        PublishedComment(
            Person(row["user_id"], row["author_name"]).display_name,
            row["text"],
            row["created_at"],
            edited=bool(row["edited"]),
        )
        for row in reversed(list(rows))
    ]


async def approved_unanswered_contacts(conn: aiosqlite.Connection, limit: int) -> list[Submission]:
    """Approved contact messages that no editor's answer has reached yet, oldest first."""
    rows = await fetch_all(
        conn,
        f"{SELECT} WHERE s.kind = 'contact' AND s.status = 'approved'"
        " AND NOT EXISTS (SELECT 1 FROM contact_replies c WHERE c.submission_id = s.id"
        "   AND c.direction = 'to_reader' AND c.status = 'delivered')"
        " ORDER BY s.id LIMIT ?",
        (limit,),
    )
    return [submission_from_row(row) for row in rows]


async def next_pending_after(conn: aiosqlite.Connection, after_id: int) -> int | None:
    """The oldest pending item after `after_id`, wrapping round to the oldest of all; an
    item a moderator holds on their private desk is theirs, not the group desk's."""
    query = (
        "SELECT id FROM submissions WHERE status = 'pending' AND id > ?"
        " AND id NOT IN (SELECT item_id FROM private_desks WHERE state = 'open'"
        " AND item_id IS NOT NULL) ORDER BY id LIMIT 1"
    )
    row = await fetch_one(conn, query, (after_id,)) or await fetch_one(conn, query, (0,))
    return int(row[0]) if row else None


async def latest_pending_prints(
    conn: aiosqlite.Connection, limit: int, *, besides: int
) -> list[tuple[int, str, bytes | None]]:
    """The newest pending items' (id, text, wave fingerprint), `besides` left out: where a
    wave's copies wait. The fingerprint is None for an item stored before they were kept."""
    rows = await fetch_all(
        conn,
        "SELECT id, text, wave_print FROM submissions WHERE status = 'pending' AND id != ?"
        " ORDER BY id DESC LIMIT ?",
        (besides, limit),
    )
    return [(int(row[0]), str(row[1]), row[2]) for row in rows]
