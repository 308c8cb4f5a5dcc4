"""What /forget scrubs besides the reader's own rows: other people's held updates that
quote them, and queued messages that carry their name or words."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from storage import erasure, held_updates, outbox
from storage.db import Database, fetch_all
from storage.held_updates import HeldUpdate

ZEPH, BOB = 4242, 77


def message_of(user_id: int, name: str, text: str) -> dict[str, object]:
    return {
        "message_id": 10,
        "from": {"id": user_id, "is_bot": False, "first_name": name},
        "chat": {"id": -100, "type": "supergroup"},
        "date": 1,
        "text": text,
    }


async def test_held_updates_lose_the_reader_and_keep_everyone_elses_words(db: Database) -> None:
    """Zeph's own held update goes; Bob's reply to Zeph keeps Bob's words and loses what
    is Zeph's: the message it answers, and the quote taken from it."""
    bobs_reply = message_of(BOB, "Bob", "Bob answers")
    bobs_reply["reply_to_message"] = message_of(ZEPH, "Zephyrine", "Zeph's words")
    bobs_reply["quote"] = {"text": "Zeph's", "position": 0}
    async with db.transaction() as conn:
        await held_updates.hold(
            conn,
            [
                HeldUpdate(
                    1,
                    ZEPH,
                    {"update_id": 1, "message": message_of(ZEPH, "Zephyrine", "x")},
                    1,
                    0.0,
                    False,
                ),
                HeldUpdate(2, BOB, {"update_id": 2, "message": bobs_reply}, 1, 0.0, False),
            ],
        )
        assert await erasure.scrub_held_updates(conn, ZEPH) == 2
        rows = await fetch_all(conn, "SELECT update_id, raw FROM held_updates")
    [(update_id, raw)] = [(row[0], json.loads(row[1])) for row in rows]
    assert update_id == 2
    kept = raw["message"]
    assert kept["text"] == "Bob answers" and kept["from"]["first_name"] == "Bob"
    assert kept["reply_to_message"]["text"] == ""
    assert kept["reply_to_message"]["from"] == {"id": ZEPH, "is_bot": False, "first_name": ""}
    assert kept["quote"]["text"] == ""
    assert "Zeph" not in json.dumps(raw)


async def test_queued_messages_addressed_to_the_reader_go_and_others_lose_their_words(
    db: Database,
) -> None:
    """A row to Zeph's chat goes; a reply notice to Bob naming Zeph and quoting the start
    of Zeph's words keeps its row without them; a row whose text merely shares a short
    start with Zeph's is left alone."""
    words = "Zeph wrote these words under the post, at length"
    async with db.transaction() as conn:
        await outbox.enqueue_all(
            conn,
            [
                outbox.NewRow("notify_author", str(ZEPH), {"submission_id": 1}),
                outbox.NewRow(
                    "comment_answered", str(BOB), {"name": "Zephyrine Q", "text": words[:20]}
                ),
                outbox.NewRow("group_reply", "-100", {"text": "Zeph"}),
            ],
            0.0,
        )
        assert await erasure.scrub_outbox(conn, ZEPH, [words, "Zephyrine Q"]) == 2
        rows = await fetch_all(conn, "SELECT chat_key, payload FROM outbox ORDER BY id")
    assert [(row[0], json.loads(row[1])) for row in rows] == [
        (str(BOB), {"name": "", "text": ""}),
        ("-100", {"text": "Zeph"}),
    ]


async def test_emptying_the_log_does_not_wait_for_a_reader_and_then_writes_go_on(
    db: Database, database_path: Path
) -> None:
    """A backup reading while an erasure ends keeps the log from being emptied: the
    checkpoint gives up at once rather than hold the bot's writes back for the busy
    timeout, and the next write waits as usual."""
    async with db.transaction() as conn:
        await outbox.enqueue(conn, "notify_author", "1", {"submission_id": 1}, 0.0)
    reader = sqlite3.connect(database_path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM outbox").fetchone()
        async with db.transaction() as conn:
            await outbox.enqueue(conn, "notify_author", "1", {"submission_id": 2}, 0.0)
        started = time.monotonic()
        await db.clear_erased_pages()
        assert time.monotonic() - started < 1.0
    finally:
        reader.close()
    async with db.transaction() as conn:
        await outbox.enqueue(conn, "notify_author", "1", {"submission_id": 3}, 0.0)
    await db.clear_erased_pages()
    wal = database_path.with_name(database_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_the_profile_goes_with_the_readers_choices_and_requests(db: Database) -> None:
    """Every per-reader table of choices and requests is emptied of the reader, and only of
    them: /mydata's request times included."""
    tables = ("reply_notices_off", "data_exports")
    async with db.transaction() as conn:
        for user_id in (ZEPH, BOB):
            await conn.execute(
                "INSERT INTO reply_notices_off (user_id, turned_off_at) VALUES (?, 1)", (user_id,)
            )
            await conn.execute(
                "INSERT INTO data_exports (user_id, requested_at) VALUES (?, 1)", (user_id,)
            )
        await erasure.forget_profile(conn, ZEPH)
    async with db.reading() as conn:
        for table in tables:
            left = await fetch_all(conn, f"SELECT user_id FROM {table} ORDER BY user_id")
            assert [row[0] for row in left] == [BOB], table
