"""The spam filter over the database: starter set, learning that survives a restart, and
a damaged model rebuilt from the stored examples."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.spam.checker import Verdict
from bot.spam.filter import MODERATOR, STARTER, SpamFilter, starter_set, text_key
from bot.spam.text import MAX_CHARS
from storage import erasure
from storage import spam as spam_store
from storage.db import Database

NEW_KIND = [
    "Handmade leather wallets at factory price, free shipping worldwide, order on our site",
    "Genuine leather wallets, factory prices, worldwide free shipping, order today online",
    "Factory price handmade leather wallets with free worldwide shipping, order now",
]
NEW_ONE = "Leather wallets handmade at factory price, free shipping to any country, order here"


async def test_the_starter_set_is_learned_once_on_the_first_start(database_path: Path) -> None:
    """A new install stores the starter set as examples, and a restart adds none."""
    spam, ham = starter_set()
    for _ in range(2):
        database = await Database.open(database_path)
        await SpamFilter.open(database)
        async with database.reading() as conn:
            counts = await spam_store.count_examples(conn)
        await database.close()
        assert counts == {"spam": len(spam), "ham": len(ham)}


async def test_what_is_learned_survives_a_restart(database_path: Path) -> None:
    """Three marks, a restart, and the new kind of spam is still caught."""
    database = await Database.open(database_path)
    spam_filter = await SpamFilter.open(database)
    assert spam_filter.check(NEW_ONE).verdict != Verdict.SPAM
    for text in NEW_KIND:
        assert await spam_filter.learn(text, spam=True)
    assert not await spam_filter.learn(NEW_KIND[0].upper(), spam=True)
    await database.close()

    database = await Database.open(database_path)
    restarted = await SpamFilter.open(database)
    result = restarted.check(NEW_ONE)
    copy = restarted.check(NEW_KIND[0].replace("site", "website 🔥"))
    await database.close()
    assert result.verdict == Verdict.SPAM
    assert any(reason.endswith("marked spam") for reason in copy.reasons_text)


@pytest.mark.parametrize("damage", [b"", b"garbage", "flip"])
async def test_a_damaged_model_is_rebuilt_from_the_examples(
    database_path: Path, damage: bytes | str, caplog: pytest.LogCaptureFixture
) -> None:
    """A model row that cannot be read is rebuilt, with a log line, and checks as before."""
    database = await Database.open(database_path)
    spam_filter = await SpamFilter.open(database)
    for text in NEW_KIND:
        await spam_filter.learn(text, spam=True)
    await spam_filter.save()
    before = spam_filter.check(NEW_ONE)
    async with database.transaction() as conn:
        snapshot = await spam_store.load_snapshot(conn)
        assert snapshot is not None
        state = snapshot.state
        if damage == "flip":
            broken = state[:-10] + bytes([state[-10] ^ 0xFF]) + state[-9:]
        else:
            assert isinstance(damage, bytes)
            broken = damage
        await conn.execute("UPDATE spam_model SET state = ?", (broken,))
    await database.close()

    database = await Database.open(database_path)
    with caplog.at_level(logging.WARNING, logger="bot.spam.filter"):
        rebuilt = await SpamFilter.open(database)
    after = rebuilt.check(NEW_ONE)
    async with database.reading() as conn:
        repaired = await spam_store.load_snapshot(conn)
    await database.close()
    assert any("damaged" in record.getMessage() for record in caplog.records)
    assert after == before
    assert repaired is not None and repaired.state != broken


async def test_examples_learned_by_another_process_are_picked_up(database_path: Path) -> None:
    """`refresh` learns what the command line stored while the bot ran."""
    database = await Database.open(database_path)
    running = await SpamFilter.open(database)
    other = await SpamFilter.open(database)
    await other.learn_many(NEW_KIND, spam=True, source="command line")
    assert running.check(NEW_ONE).verdict != Verdict.SPAM
    assert await running.refresh() == 3
    assert running.check(NEW_ONE).verdict == Verdict.SPAM
    await database.close()


async def test_learning_inside_the_callers_transaction_is_stored_with_it(db: Database) -> None:
    """`learn_in` stores the examples in the transaction it is given; `refresh()` after
    the commit learns them."""
    spam_filter = await SpamFilter.open(db)
    async with db.transaction() as conn:
        added = await spam_filter.learn_in(conn, NEW_KIND, spam=True, source="moderator")
    assert await spam_filter.refresh() == 3
    async with db.reading() as conn:
        counts = await spam_store.count_examples(conn)
    assert added == 3
    assert counts["spam"] == len(starter_set()[0]) + 3
    assert spam_filter.check(NEW_ONE).verdict == Verdict.SPAM


async def test_a_decision_rolled_back_teaches_nothing(database_path: Path) -> None:
    """A mark whose transaction rolls back (the decision failed) is not learned, and the
    next mark, stored in its place, is: the model in memory is the one a restart builds."""
    database = await Database.open(database_path)
    spam_filter = await SpamFilter.open(database)

    async def failed_decision() -> None:
        async with database.transaction() as conn:
            await spam_filter.learn_in(conn, [NEW_KIND[0]], spam=True, source=MODERATOR)
            raise RuntimeError("the decision failed after the example was stored")

    with pytest.raises(RuntimeError):
        await failed_decision()
    assert await spam_filter.learn(NEW_KIND[1], spam=True)
    restarted = await SpamFilter.open(database)
    try:
        for text in (*NEW_KIND, NEW_ONE):
            assert spam_filter.check(text).score == pytest.approx(restarted.check(text).score)
    finally:
        await database.close()


async def test_marks_made_after_a_reader_is_forgotten_are_learned(database_path: Path) -> None:
    """/forget deletes the examples learned from a reader's words. Marks made after it
    are learned all the same, now and after a restart: they are not stored under the
    forgotten examples' numbers, which the model counts as learned already."""
    database = await Database.open(database_path)
    spam_filter = await SpamFilter.open(database)
    approved = [f"The bridge closure adds an hour to my commute, day {n}" for n in range(3)]
    assert await spam_filter.learn_many(approved, spam=False, source=MODERATOR) == 3
    async with database.transaction() as conn:
        assert await erasure.forget_examples(conn, {text_key(t) for t in approved}, STARTER) == 3
    assert await spam_filter.learn_many(NEW_KIND, spam=True, source=MODERATOR) == 3
    now = spam_filter.check(NEW_ONE).verdict
    await spam_filter.save()
    restarted = await SpamFilter.open(database)
    after_restart = restarted.check(NEW_ONE).verdict
    await database.close()
    assert (now, after_restart) == (Verdict.SPAM, Verdict.SPAM)


async def test_a_huge_text_is_kept_as_far_as_the_check_reads(db: Database) -> None:
    """A 5 MB line given to `spam learn` is stored cut to what a check reads (MAX_CHARS),
    once: the same start learned again is no new example."""
    spam_filter = await SpamFilter.open(db)
    huge = "cheap watches replica buy now " * 200_000
    assert await spam_filter.learn_many([huge], spam=True, source="command line") == 1
    assert await spam_filter.learn_many([huge + "more"], spam=True, source="command line") == 0
    async with db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT length(text) FROM spam_examples WHERE source = 'command line'"
        )
    assert [row[0] for row in rows] == [MAX_CHARS]
