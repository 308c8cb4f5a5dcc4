"""A USER typed after /ban, /unban, /history or /note is found one way (bot.services.users):
by id or @username; an id nobody has seen is someone for a ban, not for a record."""

from __future__ import annotations

from bot.services import users
from storage import moderation_log, readers
from storage.db import Database
from storage.models import LoggedAction, Person
from tests.factories import MODERATOR, READER

FLOODER = 7007


async def test_a_user_by_id_or_username_and_an_unseen_id_only_where_it_may_be(
    db: Database,
) -> None:
    async with db.transaction() as conn:
        await readers.remember(conn, READER, 1.0)
        await moderation_log.append(
            conn, LoggedAction.BAN, 2.0, moderator=MODERATOR, author_id=FLOODER
        )
    for any_id in (True, False):
        assert await users.look_up(db, READER.user_id, any_id=any_id) == READER
        assert await users.look_up(db, "ADA_reads", any_id=any_id) == READER
        assert await users.look_up(db, FLOODER, any_id=any_id) == Person(FLOODER, "")
        assert await users.look_up(db, "nobody_here", any_id=any_id) is None
    assert await users.look_up(db, 31337, any_id=True) == Person(31337, "")
    assert await users.look_up(db, 31337, any_id=False) is None
