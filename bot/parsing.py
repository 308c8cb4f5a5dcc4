"""Small parsers for command arguments typed by people."""

from __future__ import annotations

import re
from dataclasses import dataclass


def is_ascii_number(text: str) -> bool:
    """Only the digits 0-9: `str.isdigit` accepts other scripts' digits too, and `int()`
    refuses some of them ("²", "①": a failed update) and reads others as a number nobody
    typed ("٣" is 3)."""
    return text.isascii() and text.isdigit()


# Telegram's usernames: letters, digits and underscores, at most 32.
_USERNAME = re.compile(r"@([A-Za-z0-9_]{1,32})")


def parse_user(typed: str) -> int | str | None:
    """A user as typed after a command (/ban, /unban, /history, /note): a positive id, or
    an @username (returned without its @)."""
    text = typed.strip()
    if (match := _USERNAME.fullmatch(text)) is not None:
        return match[1]
    return parse_id(text) if not text.startswith("#") else None


def parse_id(argument: str) -> int | None:
    """A positive id as typed after a command; `#12` is accepted for article ids."""
    text = argument.strip().removeprefix("#")
    return int(text) if is_ascii_number(text) and len(text) < 18 else None


# A ban's term as moderators type it: a number and a unit (minutes, hours, days, weeks;
# `sem` for the Spanish semanas), or a word for no end.
_TERM = re.compile(r"^([0-9]{1,6})(m|min|h|d|w|sem)$")
_TERM_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "sem": 7 * 86400}
FOREVER_WORDS = frozenset({"forever", "permanent", "siempre", "permanente"})
# Telegram takes a ban of less than 30 seconds or more than 366 days as one for good
# (banChatMember's until_date in the Bot API reference): terms stay inside that.
SHORTEST_TERM = 60
LONGEST_TERM = 365 * 86400


@dataclass(frozen=True)
class Term:
    # None: for good.
    seconds: int | None


FOREVER = Term(None)


def parse_term(argument: str) -> Term | None:
    """`30m`, `24h`, `7d`, `2w`, `forever`... (None: not a term, or outside
    SHORTEST_TERM..LONGEST_TERM)."""
    text = argument.strip().lower()
    if text in FOREVER_WORDS:
        return FOREVER
    match = _TERM.match(text)
    if match is None:
        return None
    seconds = int(match[1]) * _TERM_UNITS[match[2]]
    return Term(seconds) if SHORTEST_TERM <= seconds <= LONGEST_TERM else None
