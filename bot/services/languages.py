"""Which language a reader reads: the one they chose with /language, else Telegram's."""

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
    if chosen in SUPPORTED:
        return Texts(chosen)
    return Texts(language_of(reader.language_code or known_code, settings.default_language))


async def choose(db: Database, reader: Person, language: str, now: float) -> Texts:
    """/language: the reader's choice, kept (it outranks Telegram's language_code)."""
    chosen = language if language in SUPPORTED else "en"
    async with db.transaction() as conn:
        await readers.remember(conn, reader, now)
        await readers.choose_language(conn, reader.user_id, chosen)
    return Texts(chosen)
