"""Where the bot keeps something about a reader: the one inventory, read by /mydata (a
copy, bot.services.my_data) and meant for erasure too (issue 23).

Every table of the schema is named here once: in READER_TABLES (rows about a reader,
found by the columns holding their Telegram user id, which is also their private chat's
id), in UNLINKED (a reader's words may be there, with nothing tying them to the reader)
or in NOT_ABOUT_READERS. Every column of a reader table is either shown in the copy or
withheld, with the reason. tests/storage/test_personal_data.py fails when a migration adds
a table or a column that is not placed here, so the next one cannot be forgotten.

The queries below read through a plain sqlite3 connection of their own (read-only, one
snapshot): a copy of a long history is built on a worker thread, holding neither the bot's
connection nor its event loop (bot.services.my_data).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Row = dict[str, Any]

# Columns that hold a moderator's id or name: the copy says "a moderator" (or "the bot")
# instead. They are the moderators' personal data, not the reader's; GDPR Art. 15(4): the
# right to a copy "shall not adversely affect the rights and freedoms of others".
MODERATOR_COLUMNS = frozenset(
    {
        "decided_by",
        "decided_by_name",
        "corrected_by",
        "corrected_by_name",
        "restored_by",
        "banned_by",
        "banned_by_name",
        "moderator_id",
        "moderator_name",
    }
)
_MODERATORS = "who among the moderators: shown as 'a moderator' (MODERATOR_COLUMNS)"
_TELEGRAM_IDS = "Telegram's message and chat ids: the bot's bookkeeping, nothing about the reader"


@dataclass(frozen=True)
class ReaderTable:
    """A table with rows about a reader."""

    table: str
    # The columns holding the reader's Telegram user id: how their rows are found.
    reader_columns: tuple[str, ...]
    # The key of my-data.json that shows these rows.
    section: str
    # Columns copied as they are (dates as ISO 8601 text).
    shown: tuple[str, ...]
    # Columns left out of the copy, each with why.
    withheld: dict[str, str]


READER_TABLES: tuple[ReaderTable, ...] = (
    ReaderTable(
        "readers",
        ("user_id",),
        "profile",
        (
            "user_id",
            "first_name",
            "last_name",
            "username",
            "language",
            "language_code",
            "updated_at",
        ),
        {},
    ),
    ReaderTable(
        "submissions",
        ("user_id",),
        "comments",  # and contact_messages, by kind
        (
            "id",
            "kind",
            "article_id",
            "text",
            "status",
            "created_at",
            "decided_at",
            "author_banned",
            "contact_name",
            "contact_email",
            "auto_approved",
            "media_kind",
            "edited_at",
            "original_removed_at",
            "removal_refused",
            "thread_post_refused",
            "author_name",
            "marked_spam",
            "spam_score",
            "spam_reasons",
            "caught_at",
            "restored_at",
            "caught_flooding",
            "corrected_text",
            "corrected_at",
            "decision_reason",
            "outcome_told_at",
            "original_kept",
            "erased_at",
        ),
        {
            "user_id": "the reader's own id, shown once in profile",
            "decided_by": _MODERATORS,
            "decided_by_name": _MODERATORS,
            "corrected_by": _MODERATORS,
            "corrected_by_name": _MODERATORS,
            "restored_by": _MODERATORS,
            "thread_message_id": _TELEGRAM_IDS,
            "source_message_id": _TELEGRAM_IDS,
            "thread_source_chat_id": _TELEGRAM_IDS,
            "thread_source_message_id": _TELEGRAM_IDS,
            "thread_reply_to_message_id": _TELEGRAM_IDS,
            "moderation_copy_message_id": _TELEGRAM_IDS,
            "thread_media_message_id": _TELEGRAM_IDS,
            "thread_source_revision": "the order of a message's edits: edited_at says when",
            "thread_source_edit_date": "the order of a message's edits: edited_at says when",
            "retracted_by_edit": "how the bot took a post down (original_removed_at says it went)",
            "media_group_id": _TELEGRAM_IDS,
            "file_unique_id": "Telegram's id of a picture or file: no use outside Telegram",
            "wave_print": "a numeric fingerprint of the text, for comparing texts",
            "swept_by": "the id of another item of the same reader that a ban took down",
            "swept_with_ban": "set when a ban took it down (author_banned says so)",
            "author_forgotten": "set only once its author asked to be forgotten (/forget)",
        },
    ),
    ReaderTable(
        "contact_replies",
        # The reader's own answers carry their id; the editors' answers are found by the
        # reader's contact message (submission_id).
        ("author_id",),
        "contact_messages",
        (
            "id",
            "submission_id",
            "direction",
            "text",
            "status",
            "failure",
            "created_at",
            "delivered_at",
        ),
        {
            "author_id": "the reader's own id, or a moderator's: shown as who wrote (direction)",
            "author_name": "the reader's name as written, or a moderator's (not shown)",
            "source_chat_id": _TELEGRAM_IDS,
            "source_message_id": _TELEGRAM_IDS,
            "delivered_chat_id": _TELEGRAM_IDS,
            "delivered_message_id": _TELEGRAM_IDS,
            "group_copy_chat_id": _TELEGRAM_IDS,
            "group_copy_message_id": _TELEGRAM_IDS,
        },
    ),
    ReaderTable(
        "bans",
        ("user_id",),
        "bans",
        ("banned_at", "until", "reason", "lifted_at", "reason_submission_id"),
        {
            "user_id": "the reader's own id, shown once in profile",
            "banned_by": _MODERATORS,
            "banned_by_name": _MODERATORS,
        },
    ),
    ReaderTable(
        "moderation_log",
        ("author_id",),
        "moderation_record",
        ("id", "at", "action", "submission_id", "reason", "until", "detail"),
        {
            "author_id": "the reader's own id, shown once in profile",
            "moderator_id": _MODERATORS,
            "moderator_name": _MODERATORS,
        },
    ),
    ReaderTable(
        "reply_notices_off",
        ("user_id",),
        "notifications",
        ("turned_off_at",),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
    ReaderTable(
        "reply_notices",
        ("user_id",),
        "notifications",
        ("article_id", "noticed_at"),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
    ReaderTable(
        "thread_notices",
        ("user_id",),
        "notifications",
        ("noticed_at",),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
    ReaderTable(
        "reader_states",
        ("user_id",),
        "in_progress",
        ("mode", "article_id", "data", "updated_at"),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
    ReaderTable(
        "outbox",
        # A reader's private chat has their user id; the key is its text.
        ("chat_key",),
        "messages_to_you",
        # The payload may hold the reader's own words (a comment refused in a thread goes
        # back to them in it) and a public reply to them with its writer's name.
        (
            "id",
            "action",
            "payload",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "settled_at",
        ),
        {
            "chat_key": "the reader's private chat, which is their own id",
            "next_attempt_at": "when the bot would try again: bookkeeping",
        },
    ),
    ReaderTable(
        "held_updates",
        ("person",),
        "held_updates",
        ("update_id", "raw", "attempts", "retry_at"),
        {
            "person": "the reader's own id, shown once in profile",
            "press_answered": "whether a button press was answered already: bookkeeping",
        },
    ),
    ReaderTable(
        "cas_answers",
        ("user_id",),
        "spam_list_check",
        ("banned", "checked_at"),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
    ReaderTable(
        "data_exports",
        ("user_id",),
        "copies_requested",
        ("requested_at",),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
)

READER_TABLES += (
    ReaderTable(
        "forgotten_readers",
        ("user_id",),
        "forgotten",
        ("forgotten_at", "published"),
        {"user_id": "the reader's own id, shown once in profile"},
    ),
)

# A reader's words may be here, but nothing says whose they are: no copy can show them,
# and the copy's notes say so.
UNLINKED: dict[str, str] = {
    "spam_examples": (
        "texts the spam check learned from (moderators' decisions on comments, the starter "
        "set): kept without author, so they cannot be found by reader"
    ),
}

# Reader tables whose rows about one reader may quote another reader's words, with nothing
# linking them to that other reader: neither a copy nor an erasure finds them by that
# reader's id. They last OUTBOX_RETENTION_DAYS; the copy's notes say so.
QUOTED_ELSEWHERE: dict[str, str] = {
    "outbox": (
        "the notice that a comment was answered (comment_answered) quotes the reply and its "
        "writer's name, in a row addressed to the comment's author"
    ),
}

NOT_ABOUT_READERS: dict[str, str] = {
    "articles": "the blog's articles",
    "feeds": "the blog's feeds",
    "feed_entries": "the feeds' entries",
    "bot_state": "the bot's own small facts",
    "processed_updates": "ids of handled updates, without content",
    "early_discussion_copies": "copies of channel posts",
    "spam_model": "the spam check's numbers",
    "spam_list_messages": "the moderators' /spam lists",
    "moderation_cards": "the moderators' cards (which message shows which item)",
    "private_desks": "moderators' private review desks",
    "edit_requests": "which moderator is correcting which item",
    "desk_reason_offers": "the moderators' desks",
}

# Column names that hold a person's Telegram id: a table with one must be a reader table.
PERSON_COLUMNS = frozenset({"user_id", "author_id", "person"})


def table(name: str) -> ReaderTable:
    return next(t for t in READER_TABLES if t.table == name)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that sees one snapshot of the database until it is closed (WAL lets
    the bot write meanwhile)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    conn.execute("BEGIN")
    return conn


def _columns(name: str, *extra: str) -> str:
    return ", ".join((*table(name).shown, *extra))


def _rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> Iterator[Row]:
    # The cursor hands rows over a few at a time: 10,000 comments are never all in memory.
    for row in conn.execute(sql, args):
        yield dict(row)


def profile(conn: sqlite3.Connection, user_id: int) -> Row | None:
    row = conn.execute(
        f"SELECT {_columns('readers')} FROM readers WHERE user_id = ?", (user_id,)
    ).fetchone()
    return dict(row) if row else None


def submissions(conn: sqlite3.Connection, user_id: int, kind: str) -> Iterator[Row]:
    """Comments or contact messages, oldest first, with their article's title and whether
    a moderator (not the bot) decided, corrected or restored them."""
    columns = ", ".join(f"s.{c}" for c in table("submissions").shown)
    return _rows(
        conn,
        f"SELECT {columns}, a.title AS article_title,"
        " s.decided_by IS NOT NULL AS decided_by_moderator,"
        " s.corrected_by IS NOT NULL AS corrected_by_moderator,"
        " s.restored_by IS NOT NULL AS restored_by_moderator"
        " FROM submissions s LEFT JOIN articles a ON a.id = s.article_id"
        " WHERE s.user_id = ? AND s.kind = ? ORDER BY s.id",
        (user_id, kind),
    )


def contact_conversations(conn: sqlite3.Connection, user_id: int) -> Iterator[Row]:
    """Every answer under the reader's contact messages (theirs and the editors'), in the
    order of their messages, then as written."""
    columns = ", ".join(f"r.{c}" for c in table("contact_replies").shown)
    return _rows(
        conn,
        f"SELECT {columns} FROM contact_replies r JOIN submissions s ON s.id = r.submission_id"
        " WHERE s.user_id = ? AND s.kind = 'contact' ORDER BY r.submission_id, r.id",
        (user_id,),
    )


Rows = Callable[[sqlite3.Connection, int], Iterator[Row]]


def _simple(name: str, where: str, order: str, *extra: str) -> Rows:
    """The reader's rows of one table: its shown columns, and `extra` derived ones."""

    def rows(conn: sqlite3.Connection, user_id: int) -> Iterator[Row]:
        # The outbox names a chat by its id as text.
        key: int | str = str(user_id) if name == "outbox" else user_id
        sql = f"SELECT {_columns(name, *extra)} FROM {name} WHERE {where} ORDER BY {order}"
        return _rows(conn, sql, (key,))

    return rows


bans = _simple("bans", "user_id = ?", "banned_at")
moderation_record = _simple(
    "moderation_log", "author_id = ?", "id", "moderator_id IS NOT NULL AS by_moderator"
)
notifications_off = _simple("reply_notices_off", "user_id = ?", "turned_off_at")
reply_notices = _simple("reply_notices", "user_id = ?", "noticed_at")
thread_notices = _simple("thread_notices", "user_id = ?", "noticed_at")
reader_states = _simple("reader_states", "user_id = ?", "updated_at")
outbox = _simple("outbox", "chat_key = ?", "id")
held_updates = _simple("held_updates", "person = ?", "update_id")
spam_list_checks = _simple("cas_answers", "user_id = ?", "checked_at")
copies_requested = _simple("data_exports", "user_id = ?", "requested_at")
forgotten = _simple("forgotten_readers", "user_id = ?", "forgotten_at")
