"""The hourly spam digest: queued only after catches, at most once an hour, and the hour
is kept across a restart."""

from __future__ import annotations

from pathlib import Path

from bot.services import comments, spam_digest
from bot.services.effects import Effect
from bot.settings import Settings
from storage import submissions
from storage.db import Database
from tests.bot.services.test_comments import published_article, rows
from tests.factories import READER

HOUR = 3600.0
NOW = 1_000_000.0


async def catch(db: Database, settings: Settings, at: float) -> None:
    """A comment the spam check caught at `at`."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, at)
    await comments.submit_comment(db, settings, READER, f"Cheap pills {at}", at)
    [(submission_id,)] = await rows(db, "SELECT MAX(id) FROM submissions")
    async with db.transaction() as conn:
        await submissions.mark_caught(conn, int(str(submission_id)), at, author_banned=False)


async def digests(db: Database) -> list[tuple[object, ...]]:
    return await rows(
        db, "SELECT chat_key, payload FROM outbox WHERE action = ?", (Effect.SPAM_DIGEST.value,)
    )


async def test_no_digest_without_catches(db: Database, settings: Settings) -> None:
    assert await spam_digest.queue_digest(db, settings, NOW) == 0
    assert await digests(db) == []


async def test_one_digest_for_many_catches_then_none_within_the_hour_then_the_next(
    db: Database, settings: Settings
) -> None:
    for minute in range(3):
        await catch(db, settings, NOW + 60 * minute)
    assert await spam_digest.queue_digest(db, settings, NOW + 200) == 3
    assert await digests(db) == [(str(settings.moderation_chat_id), '{"count": 3}')]
    await catch(db, settings, NOW + 300)
    # Within the hour: no second digest, however many are caught.
    assert await spam_digest.queue_digest(db, settings, NOW + 200 + HOUR - 1) == 0
    # An hour after the last one: the catches since it.
    assert await spam_digest.queue_digest(db, settings, NOW + 200 + HOUR) == 1
    assert len(await digests(db)) == 2
    # An hour later again, with nothing new caught: none.
    assert await spam_digest.queue_digest(db, settings, NOW + 200 + 2 * HOUR) == 0
    assert len(await digests(db)) == 2


async def test_catches_older_than_the_hour_are_not_counted(
    db: Database, settings: Settings
) -> None:
    await catch(db, settings, NOW - 2 * HOUR)
    await catch(db, settings, NOW - 60)
    assert await spam_digest.queue_digest(db, settings, NOW) == 1


async def test_the_hour_holds_across_a_reopen_of_the_database(
    database_path: Path, settings: Settings
) -> None:
    db = await Database.open(database_path)
    try:
        await catch(db, settings, NOW)
        assert await spam_digest.queue_digest(db, settings, NOW + 60) == 1
    finally:
        await db.close()
    reopened = await Database.open(database_path)
    try:
        await catch(reopened, settings, NOW + 120)
        assert await spam_digest.queue_digest(reopened, settings, NOW + 180) == 0
        assert len(await digests(reopened)) == 1
        assert await spam_digest.queue_digest(reopened, settings, NOW + 60 + HOUR) == 1
    finally:
        await reopened.close()
