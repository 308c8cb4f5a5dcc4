"""Languages: each reader's own (Telegram's language_code, or their /language choice), the
moderators' (MODERATION_LANGUAGE) and the channel's (CHANNEL_LANGUAGE).

Texts are gettext messages in English, translated by catalogs under locales/ (managed
with Babel: scripts/i18n extracts, updates and compiles them; the compiled .mo files are
committed, and a test fails when they are out of date with the .po files).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

SUPPORTED = ("en", "es")
NAMES = {"en": "English", "es": "Español"}
DOMAIN = "bot"
LOCALES = Path(__file__).resolve().parent.parent / "locales"


def language_of(language_code: str | None, default: str) -> str:
    """Telegram's language_code: es, es-MX, es-419 and the like give Spanish (a language we
    have, by its base); anything else (or nothing) gives `default`."""
    base = (language_code or "").replace("_", "-").split("-")[0].lower()
    return base if base in SUPPORTED else default


def N_(message: str) -> str:  # noqa: N802 (the name Babel extracts by default)
    """Marks a text declared in a table (a verdict's labels) for the catalogs; it is
    translated where it is shown, with `t.gettext(label)`."""
    return message


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    # English is the source language: its texts need no catalog.
    return gettext.translation(DOMAIN, LOCALES, languages=[language], fallback=True)


class Texts:
    """The texts of one language: `t.gettext("…")`, `t.ngettext("…", "…", n)` (the names
    Babel looks for when it extracts messages)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in SUPPORTED else "en"
        self._catalog = _catalog(self.language)

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._catalog.ngettext(singular, plural, count)
