"""/mydata's copy: my-data.json, built from the database as it is when it goes, and sent
to the reader as a document.

It is built on a worker thread, through a read-only connection of its own that sees one
snapshot (storage.personal_data): a history of thousands of comments holds neither the
bot's connection nor its event loop, and is written to a temporary file a part at a time.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.delivery.base import NOTHING, Delivered, Delivery
from bot.i18n import Texts
from bot.rendering import my_data as my_data_texts
from bot.rendering.my_data import JsonDocument, shaped
from bot.services import languages
from storage import personal_data
from storage.models import OutboxItem

# sendDocument: "Bots can currently send files of any type of up to 50 MB in size"
# (core.telegram.org/bots/api#senddocument); above it Telegram answers 413.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# python-telegram-bot's media_write_timeout, and the slowest upload allowed for.
MEDIA_WRITE_TIMEOUT = 20.0
UPLOAD_BYTES_PER_SECOND = 250_000


@dataclass(frozen=True)
class BuiltCopy:
    path: Path
    file_name: str
    compressed: bool


def write_copy(
    database_path: Path,
    user_id: int,
    t: Texts,
    now: float,
    folder: Path,
    *,
    limit: int | None = None,
) -> BuiltCopy | None:
    """my-data.json in `folder`; gzipped if it is over `limit` (MAX_DOCUMENT_BYTES; JSON
    text packs about ten to one); None if even that is over."""
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    path = folder / my_data_texts.FILE_NAME
    conn = personal_data.connect_read_only(database_path)
    try:
        with path.open("w", encoding="utf-8") as out:
            write_document(conn, user_id, t, now, out)
    finally:
        conn.close()
    if path.stat().st_size <= limit:
        return BuiltCopy(path, my_data_texts.FILE_NAME, compressed=False)
    packed = folder / my_data_texts.COMPRESSED_FILE_NAME
    with path.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    if packed.stat().st_size <= limit:
        return BuiltCopy(packed, my_data_texts.COMPRESSED_FILE_NAME, compressed=True)
    return None


def write_document(
    conn: sqlite3.Connection, user_id: int, t: Texts, now: float, out: TextIO
) -> None:
    """Every part of storage.personal_data's inventory, in the order `about` explains."""
    document = JsonDocument(out)
    document.field("about", my_data_texts.about(t, now))
    profile = personal_data.profile(conn, user_id)
    document.field("profile", shaped(profile) if profile else {"user_id": user_id})
    document.items(
        "comments",
        (
            my_data_texts.submission(t, row)
            for row in personal_data.submissions(conn, user_id, "comment")
        ),
    )
    document.items("contact_messages", _contact_messages(conn, user_id, t))
    document.items("bans", (shaped(row) for row in personal_data.bans(conn, user_id)))
    document.items(
        "moderation_record",
        (
            my_data_texts.record_line(t, row)
            for row in personal_data.moderation_record(conn, user_id)
        ),
    )
    document.field(
        "notifications",
        my_data_texts.notifications(
            list(personal_data.notifications_off(conn, user_id)),
            list(personal_data.reply_notices(conn, user_id)),
            list(personal_data.thread_notices(conn, user_id)),
        ),
    )
    simple_parts = (
        ("in_progress", personal_data.reader_states),
        ("messages_to_you", personal_data.outbox),
        ("held_updates", personal_data.held_updates),
        ("spam_list_check", personal_data.spam_list_checks),
        ("copies_requested", personal_data.copies_requested),
        ("forgotten", personal_data.forgotten),
    )
    for key, rows in simple_parts:
        document.items(key, (shaped(row) for row in rows(conn, user_id)))
    document.close()


def _contact_messages(conn: sqlite3.Connection, user_id: int, t: Texts) -> Iterator[Any]:
    """Each contact message with its conversation: both come in message order, so one pass
    over each pairs them."""
    answers = personal_data.contact_conversations(conn, user_id)
    waiting = next(answers, None)
    for row in personal_data.submissions(conn, user_id, "contact"):
        conversation = []
        while waiting is not None and waiting["submission_id"] <= row["id"]:
            if waiting["submission_id"] == row["id"]:
                conversation.append(waiting)
            waiting = next(answers, None)
        yield my_data_texts.submission(t, row, conversation)


async def send_my_data(delivery: Delivery, item: OutboxItem) -> Delivered:
    user_id = int(item.chat_key)
    t = await languages.texts_for_id(delivery.db, delivery.settings, user_id)
    with tempfile.TemporaryDirectory(prefix="my-data-") as folder:
        built = await asyncio.to_thread(
            write_copy, delivery.settings.database_path, user_id, t, time.time(), Path(folder)
        )
        if built is None:
            await delivery.bot.send_message(user_id, my_data_texts.too_large(t))
            return NOTHING
        caption = (
            my_data_texts.compressed_caption(t) if built.compressed else my_data_texts.caption(t)
        )
        size = built.path.stat().st_size
        with built.path.open("rb") as document:
            await delivery.bot.send_document(
                user_id,
                document,
                filename=built.file_name,
                caption=caption,
                # A large file takes longer than the usual 20 s to go: allowed at 2 Mbit/s
                # upstream, else each timeout would build and send it again.
                write_timeout=max(MEDIA_WRITE_TIMEOUT, size / UPLOAD_BYTES_PER_SECOND),
            )
    return NOTHING
