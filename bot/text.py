"""Measuring and cutting text the way Telegram counts it.

Telegram's limits are counted in characters; lengths here are UTF-16 code units, which
are never fewer than the characters (an emoji outside the Basic Multilingual Plane is
two), so text that fits by this measure fits whichever way the server counts.
"""

from __future__ import annotations

import unicodedata

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"
# Marks that turn the text after them right-to-left (or back) until the line ends: in a
# name they would flip the rest of a card's line ("@handle (id …)") with it.
DIRECTION_MARKS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Line and paragraph separators, other spaces, and control characters (tabs, newlines).
_BREAKING = frozenset({"Zl", "Zp", "Zs", "Cc"})


def tg_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def one_line(name: str) -> str:
    """A name as one line: every run of spaces, tabs, line breaks (U+2028 too) and control
    characters becomes one space, and direction marks go. A name with a line break in it
    would otherwise read as a line of its own on a card ("Ann\\nTelegram: Jane (id 123)")."""
    kept = (
        " " if char.isspace() or unicodedata.category(char) in _BREAKING else char
        for char in name
        if char not in DIRECTION_MARKS
    )
    return " ".join("".join(kept).split())


def _width(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` units, never inside a surrogate pair."""
    if tg_length(text) <= limit:
        return text
    budget = limit - 1
    kept: list[str] = []
    used = 0
    for char in text:
        if used + _width(char) > budget:
            break
        kept.append(char)
        used += _width(char)
    return "".join(kept).rstrip() + ELLIPSIS


def split_units(text: str, limit: int) -> list[str]:
    """Consecutive pieces of at most `limit` units, never splitting a character."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        if used + _width(char) > limit:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += _width(char)
    if current:
        chunks.append("".join(current))
    return chunks
