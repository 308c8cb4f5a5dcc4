"""/forget at the service: a forgotten spammer's catches leave /spam's list and never come
back (their words are erased), and their ban stays (the moderators' decision)."""

from __future__ import annotations

from pathlib import Path

from bot.services import spam_undo
from bot.services.forget import Published, forget_reader
from bot.services.spam_undo import UndoResult
from bot.spam.checker import Thresholds
from bot.spam.filter import SpamFilter
from storage import readers
from storage.db import Database
from tests.bot.services.test_spam_undo import AUTHOR, caught_under_a_post, pre_moderated
from tests.factories import MODERATOR


async def test_a_forgotten_spammers_catch_leaves_the_list_and_cannot_be_put_back(
    db: Database, database_path: Path
) -> None:
    settings = pre_moderated(database_path)
    spam_filter = await SpamFilter.open(db, Thresholds())
    caught = await caught_under_a_post(db, settings, spam_filter, 2.0)
    assert [c.id for c in await spam_undo.latest_catches(db)] == [caught]

    forgotten = await forget_reader(
        db, settings, AUTHOR.user_id, Published.TAKE_DOWN, "a former reader", 3.0
    )

    assert forgotten.erased == 1
    assert await spam_undo.latest_catches(db) == []
    undone = await spam_undo.restore(db, settings, caught, MODERATOR, 4.0)
    assert undone.result is not UndoResult.RESTORED
    async with db.reading() as conn:
        assert await readers.is_banned(conn, AUTHOR.user_id, 5.0)
