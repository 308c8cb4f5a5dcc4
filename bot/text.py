"""Measuring and cutting text the way Telegram counts it.

Telegram's limits are counted in characters; lengths here are UTF-16 code units, which
are never fewer than the characters (an emoji outside the Basic Multilingual Plane is
two), so text that fits by this measure fits whichever way the server counts.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"


def tg_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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
