"""A reader named in a moderators' command (/ban, /unban, /history, /note): by numeric id,
or by an @username the bot has seen (Telegram tells bots no one's id by name). What was
typed is read by bot.parsing.parse_user; a USER it cannot read is answered with the
command's usage, one it reads but nobody here is "I don't know"."""

from __future__ import annotations

import aiosqlite

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


async def look_up(db: Database, user: int | str, *, any_id: bool) -> Person | None:
    """`find`, in a reading of its own."""
    async with db.reading() as conn:
        return await find(conn, user, any_id=any_id)
