"""An author's record for moderators: `/history USER` reads it, `/note USER TEXT` adds a
moderators-only note to it (a `note` line, the note's text in its reason), shown on that
author's next cards. USER is a numeric id or an @username the bot has seen
(bot.services.users)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.parsing import parse_user
from bot.services import users
from bot.text import tg_length
from storage import history, moderation_log
from storage.db import Database
from storage.models import AuthorHistory, LogEntry, LoggedAction, Person

# A note is for a card's line and a moderator's quick read, not an essay.
NOTE_MAX_LENGTH = 500
# More lines than one message can show (each takes well over 40 characters of 4096).
HISTORY_LINES_READ = 100


class Lookup(StrEnum):
    FOUND = "found"
    # Neither a numeric id nor an @username (or none given).
    MALFORMED = "malformed"
    # Well formed, but nobody the bot has seen.
    UNKNOWN = "unknown"
    # /note without a text, or one too long.
    NO_TEXT = "no_text"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class AuthorRecord:
    result: Lookup
    author: Person | None = None
    past: AuthorHistory | None = None
    # Newest first: as many as one message may show, of `total`.
    lines: list[LogEntry] = field(default_factory=list)
    total: int = 0


async def history_of(db: Database, typed: str) -> AuthorRecord:
    user = parse_user(typed)
    if user is None:
        return AuthorRecord(Lookup.MALFORMED)
    async with db.reading() as conn:
        author = await users.find(conn, user, any_id=False)
        if author is None:
            return AuthorRecord(Lookup.UNKNOWN)
        past = await history.of_author(conn, author.user_id)
        lines, total = await moderation_log.newest_of_author(
            conn, author.user_id, HISTORY_LINES_READ
        )
    return AuthorRecord(Lookup.FOUND, author, past, lines, total)


async def add_note(
    db: Database, moderator: Person, typed_user: str, text: str, now: float
) -> AuthorRecord:
    """The note is stored as written (trimmed); cards shorten it, /history shows it whole."""
    user = parse_user(typed_user)
    if user is None:
        return AuthorRecord(Lookup.MALFORMED)
    note = text.strip()
    if not note:
        return AuthorRecord(Lookup.NO_TEXT)
    if tg_length(note) > NOTE_MAX_LENGTH:
        return AuthorRecord(Lookup.TOO_LONG)
    async with db.transaction() as conn:
        author = await users.find(conn, user, any_id=False)
        if author is None:
            return AuthorRecord(Lookup.UNKNOWN)
        await moderation_log.append(
            conn, LoggedAction.NOTE, now, moderator=moderator, author_id=author.user_id, reason=note
        )
    return AuthorRecord(Lookup.FOUND, author)
