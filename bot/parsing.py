"""Small parsers for command arguments typed by people."""

from __future__ import annotations


def is_ascii_number(text: str) -> bool:
    """Only the digits 0-9: `str.isdigit` accepts other scripts' digits too, and `int()`
    refuses some of them ("²", "①": a failed update) and reads others as a number nobody
    typed ("٣" is 3)."""
    return text.isascii() and text.isdigit()


def parse_id(argument: str) -> int | None:
    """A positive id as typed after a command; `#12` is accepted for article ids."""
    text = argument.strip().removeprefix("#")
    return int(text) if is_ascii_number(text) and len(text) < 18 else None
