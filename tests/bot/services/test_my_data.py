"""/mydata's copy (bot.services.my_data, bot.delivery.my_data): one copy per interval, kept
across restarts; a history of 10,000 comments is one file built a part at a time, holding
only the reader's own rows, moderators unnamed, dates as ISO text."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

from bot.delivery.my_data import write_copy
from bot.i18n import Texts
from bot.rendering.my_data import JsonDocument, record_line
from bot.services import my_data
from bot.services.effects import Effect
from bot.settings import Settings
from storage.db import Database
from tests.factories import make_settings

READER = 2001
OTHER = 2002
NOW = 1_796_000_000.0  # 2026-11-30T00:53:20Z
COMMENTS = 10_000
# As long as a comment may be (COMMENT_MAX_LENGTH), with Spanish letters.
LONG_TEXT = ("Opinión número {n}: " + "ñ" * 1980)[:2000]


async def test_one_copy_per_interval_and_the_limit_survives_a_restart(
    database_path: Path,
) -> None:
    settings = make_settings(database_path, my_data_interval_minutes=10)
    db = await Database.open(database_path)
    try:
        assert (await my_data.request_copy(db, settings, READER, NOW)).accepted
        again = await my_data.request_copy(db, settings, READER, NOW + 30)
        assert (again.accepted, again.last_at, again.next_at) == (False, NOW, NOW + 600)
        # Another reader is not held back by the first.
        assert (await my_data.request_copy(db, settings, OTHER, NOW + 30)).accepted
    finally:
        await db.close()
    db = await Database.open(database_path)
    try:
        assert not (await my_data.request_copy(db, settings, READER, NOW + 599)).accepted
        assert (await my_data.request_copy(db, settings, READER, NOW + 600)).accepted
        async with db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT chat_key FROM outbox WHERE action = ? ORDER BY id", (Effect.SEND_MY_DATA,)
            )
    finally:
        await db.close()
    assert [row[0] for row in rows] == [str(READER), str(OTHER), str(READER)]


async def migrated(database_path: Path) -> None:
    database = await Database.open(database_path)
    await database.close()


def fill(database_path: Path, comments: int = COMMENTS) -> None:
    """Two readers' histories, written straight into the migrated file."""
    with sqlite3.connect(database_path) as conn:
        conn.execute(
            "INSERT INTO readers (user_id, first_name, last_name, username, updated_at,"
            " language, language_code) VALUES (?, 'Ana', 'Lectora', 'ana_lee', ?, 'es', 'es-MX'),"
            " (?, 'Otto', NULL, 'otto', ?, NULL, 'en')",
            (READER, NOW, OTHER, NOW),
        )
        conn.execute(
            "INSERT INTO articles (id, url, title, status, created_by, created_at)"
            " VALUES (1, 'https://blog.example/1', 'Presupuesto', 'published', 1, ?)",
            (NOW,),
        )
        conn.executemany(
            "INSERT INTO submissions (kind, user_id, article_id, text, status, created_at,"
            " decided_by, decided_by_name, decided_at, author_name, decision_reason)"
            " VALUES ('comment', ?, 1, ?, ?, ?, ?, ?, ?, 'Ana Lectora', ?)",
            [
                (
                    READER,
                    LONG_TEXT.format(n=n),
                    "rejected" if n == 0 else "approved",
                    NOW + n,
                    987654,
                    "Mo Derator",
                    NOW + n + 60,
                    "off_topic" if n == 0 else None,
                )
                for n in range(comments)
            ],
        )
        conn.execute(
            "INSERT INTO submissions (kind, user_id, article_id, text, status, created_at,"
            " author_name) VALUES ('comment', ?, 1, 'Otto was here', 'pending', ?, 'Otto')",
            (OTHER, NOW),
        )
        cursor = conn.execute(
            "INSERT INTO submissions (kind, user_id, text, status, created_at, author_name,"
            " contact_name, contact_email) VALUES ('contact', ?, 'Please fix', 'approved', ?,"
            " 'Ana', 'Ana L.', 'ana@example.com')",
            (READER, NOW),
        )
        contact_id = cursor.lastrowid
        conn.executemany(
            "INSERT INTO contact_replies (submission_id, direction, author_id, author_name, text,"
            " source_chat_id, source_message_id, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'delivered', ?)",
            [
                (contact_id, "to_reader", 987654, "Mo Derator", "Fixed, thanks", -100, 1, NOW + 1),
                (contact_id, "to_editors", READER, "Ana", "Great", READER, 2, NOW + 2),
            ],
        )
        conn.execute(
            "INSERT INTO bans (user_id, banned_by, banned_by_name, banned_at, until, reason)"
            " VALUES (?, 987654, 'Mo Derator', ?, ?, 'spam links')",
            (READER, NOW, NOW + 7 * 86400),
        )
        conn.executemany(
            "INSERT INTO moderation_log (at, action, moderator_id, moderator_name, author_id,"
            " reason, until) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (NOW, "ban", 987654, "Mo Derator", READER, "spam links", NOW + 7 * 86400),
                (NOW, "caught", None, None, READER, None, None),
                (NOW, "ban", 987654, "Mo Derator", OTHER, "Otto's own ban", None),
            ],
        )
        conn.execute("INSERT INTO reply_notices_off VALUES (?, ?)", (READER, NOW))


async def test_ten_thousand_comments_are_one_file_of_the_readers_own_data(
    database_path: Path,
) -> None:
    await migrated(database_path)
    fill(database_path)
    folder = database_path.parent / "copy"
    folder.mkdir()
    tracemalloc.start()
    try:
        built = write_copy(database_path, READER, Texts("es"), NOW + 99_999, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert built is not None and not built.compressed
    size = built.path.stat().st_size
    assert size > 20_000_000
    # Built a part at a time: never anything like the whole file in memory.
    assert peak < size / 10, (peak, size)
    copy = json.loads(built.path.read_text(encoding="utf-8"))

    assert "Todo lo que este bot guarda sobre ti" in copy["about"]["what_this_is"]
    assert set(copy["about"]["parts"]) <= set(copy)
    assert copy["profile"]["username"] == "ana_lee"
    comments = copy["comments"]
    assert len(comments) == COMMENTS
    first = comments[0]
    assert first["text"] == LONG_TEXT.format(n=0)
    assert (first["status"], first["decision_reason"]) == ("rejected", "fuera de tema")
    assert first["article_title"] == "Presupuesto"
    assert (first["created_at"], comments[1]["created_at"]) == (
        "2026-11-30T00:53:20Z",
        "2026-11-30T00:53:21Z",
    )
    assert first["decided_by"] == "a moderator"
    [message] = copy["contact_messages"]
    assert (message["contact_name"], message["contact_email"]) == ("Ana L.", "ana@example.com")
    assert [(a["from"], a["text"]) for a in message["conversation"]] == [
        ("the editors", "Fixed, thanks"),
        ("you", "Great"),
    ]
    [ban] = copy["bans"]
    assert (ban["reason"], ban["until"]) == ("spam links", "2026-12-07T00:53:20Z")
    assert [(line["action"], line["by"]) for line in copy["moderation_record"]] == [
        ("ban", "a moderator"),
        ("caught", "the bot"),
    ]
    assert copy["notifications"]["replies_notified"] is False
    text = built.path.read_text(encoding="utf-8")
    for absent in ("Mo Derator", "987654", "Otto"):
        assert absent not in text, absent


async def test_a_copy_over_the_limit_is_compressed_or_refused(database_path: Path) -> None:
    await migrated(database_path)
    fill(database_path, comments=200)
    folder = database_path.parent / "copy"
    folder.mkdir()
    packed = write_copy(database_path, READER, Texts("en"), NOW, folder, limit=200_000)
    assert packed is not None and packed.compressed
    assert packed.file_name == "my-data.json.gz"
    with gzip.open(packed.path, "rt", encoding="utf-8") as unpacked:
        assert len(json.load(unpacked)["comments"]) == 200
    assert write_copy(database_path, READER, Texts("en"), NOW, folder, limit=1000) is None


def test_the_document_reads_as_json_dumps_writes_it() -> None:
    """Written a part at a time, the same text as json.dumps(indent=2): empty lists too."""
    parts: dict[str, Any] = {
        "about": {"x": ["ñ", 1]},
        "empty": [],
        "items": [{"a": 1, "b": [1, 2]}, "two"],
        "none": None,
    }
    out = io.StringIO()
    document = JsonDocument(out)
    document.field("about", parts["about"])
    assert document.items("empty", iter([])) == 0
    assert document.items("items", iter(parts["items"])) == 2
    document.field("none", None)
    document.close()
    assert out.getvalue() == json.dumps(parts, indent=2, ensure_ascii=False) + "\n"


def test_settings_defaults(database_path: Path) -> None:
    settings: Settings = make_settings(database_path)
    assert (
        settings.contact_retention_days,
        settings.rejected_retention_days,
        settings.my_data_interval_minutes,
    ) == (365, 90, 10)


def test_times_are_iso_text_in_utc_even_inside_a_records_detail() -> None:
    line = record_line(
        Texts("en"),
        {
            "id": 1,
            "at": NOW,
            "action": "unban",
            "submission_id": None,
            "reason": "off_topic",
            "until": None,
            "detail": json.dumps({"ran_out_at": NOW + 1}),
            "by_moderator": 0,
        },
    )
    assert line == {
        "id": 1,
        "at": "2026-11-30T00:53:20Z",
        "action": "unban",
        "submission_id": None,
        "reason": "off-topic",
        "until": None,
        "detail": {"ran_out_at": "2026-11-30T00:53:21Z"},
        "by": "the bot",
    }
