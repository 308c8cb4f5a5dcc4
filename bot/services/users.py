"""A reader named in a moderators' command (/ban, /unban, /history, /note): by numeric id,
or by an @username the bot has seen (Telegram tells bots no one's id by name)."""

from __future__ import annotations

import aiosqlite

from bot.parsing import parse_user
from storage import moderation_log, readers
from storage.db import Database
from storage.models import Person


async def find(conn: aiosqlite.Connection, user: int | str, *, any_id: bool) -> Person | None:
    """The reader `user` (an id, or a username without its @) as last seen. An id the bot
    never saw is someone still if `any_id` (a ban may come first), or if the record speaks
    of it (a flooder banned before they sent anything has no profile); named by the id."""
    if isinstance(user, str):
        return await readers.find_by_username(conn, user)
    known = await readers.find(conn, user)
    if known is not None:
        return known
    if any_id:
        return Person(user, "")
    _, lines = await moderation_log.newest_of_author(conn, user, 0)
    return Person(user, "") if lines else None


async def resolve(db: Database, typed: str, *, any_id: bool) -> Person | None:
    """`find` for a USER as typed; None for a malformed one too."""
    user = parse_user(typed)
    if user is None:
        return None
    async with db.reading() as conn:
        return await find(conn, user, any_id=any_id)
