"""Which language a reader (or an admin) reads: the one they chose with /language, else
Telegram's."""

from __future__ import annotations

from bot.i18n import SUPPORTED, Texts, language_of
from bot.settings import Settings
from storage import readers
from storage.db import Database
from storage.models import Person


async def texts_for(db: Database, settings: Settings, reader: Person) -> Texts:
    """The reader's texts; Telegram's language_code on this update counts if they never
    chose (it is the freshest word on their language)."""
    async with db.reading() as conn:
        chosen, known_code = await readers.language(conn, reader.user_id)
    return texts_of(chosen, reader.language_code or known_code, settings)


async def texts_for_id(
    db: Database, settings: Settings, user_id: int, *, otherwise: str | None = None
) -> Texts:
    """A reader's texts when only their id is at hand (a message the outbox delivers);
    `otherwise` when the bot knows nothing of their language (else DEFAULT_LANGUAGE)."""
    async with db.reading() as conn:
        chosen, known_code = await readers.language(conn, user_id)
    return texts_of(chosen, known_code, settings, otherwise=otherwise)


def texts_of(
    chosen: str | None,
    language_code: str | None,
    settings: Settings,
    *,
    otherwise: str | None = None,
) -> Texts:
    if chosen in SUPPORTED:
        return Texts(chosen)
    return Texts(language_of(language_code, otherwise or settings.default_language))


async def choose(db: Database, reader: Person, language: str, now: float) -> Texts:
    """/language: the reader's choice, kept (it outranks Telegram's language_code)."""
    chosen = language if language in SUPPORTED else "en"
    async with db.transaction() as conn:
        await readers.remember(conn, reader, now)
        await readers.choose_language(conn, reader.user_id, chosen)
    return Texts(chosen)


async def remember_person(db: Database, person: Person, now: float) -> None:
    """Someone the bot writes to later without an update of theirs at hand (an admin, whose
    notices the outbox sends): their Telegram language_code is kept for then."""
    async with db.transaction() as conn:
        await readers.remember(conn, person, now)
