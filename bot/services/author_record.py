"""An author's record for moderators: `/history USER` reads it, `/note USER TEXT` adds a
moderators-only note to it (a `note` line, the note's text in its reason), shown on that
author's next cards. USER is a numeric id or an @username the bot has seen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import aiosqlite

from bot.parsing import parse_id
from bot.text import tg_length
from storage import history, moderation_log, readers
from storage.db import Database
from storage.models import AuthorHistory, LogEntry, LoggedAction, Person

# A note is for a card's line and a moderator's quick read, not an essay.
NOTE_MAX_LENGTH = 500
# More lines than one message can show (each takes well over 40 characters of 4096).
HISTORY_LINES_READ = 100
# Telegram's usernames: letters, digits and underscores, at most 32.
_USERNAME = re.compile(r"@([A-Za-z0-9_]{1,32})")


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


def parse_user(typed: str) -> int | str | None:
    """A user as typed after a command: a positive id, or an @username (without its @)."""
    text = typed.strip()
    if (match := _USERNAME.fullmatch(text)) is not None:
        return match[1]
    return parse_id(text) if not text.startswith("#") else None


async def _find(conn: aiosqlite.Connection, user: int | str) -> Person | None:
    """A reader the bot has seen, or an id the record speaks of (a flooder banned before
    they sent anything has no profile: named by their id)."""
    if isinstance(user, str):
        return await readers.find_by_username(conn, user)
    known = await readers.find(conn, user)
    if known is not None:
        return known
    _, lines = await moderation_log.newest_of_author(conn, user, 0)
    return Person(user, "") if lines else None


async def history_of(db: Database, typed: str) -> AuthorRecord:
    user = parse_user(typed)
    if user is None:
        return AuthorRecord(Lookup.MALFORMED)
    async with db.reading() as conn:
        author = await _find(conn, user)
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
        author = await _find(conn, user)
        if author is None:
            return AuthorRecord(Lookup.UNKNOWN)
        await moderation_log.append(
            conn, LoggedAction.NOTE, now, moderator=moderator, author_id=author.user_id, reason=note
        )
    return AuthorRecord(Lookup.FOUND, author)
