"""Small parsers for command arguments typed by people."""

from __future__ import annotations


def parse_id(argument: str) -> int | None:
    """A positive id as typed after a command; `#12` is accepted for article ids."""
    text = argument.strip().removeprefix("#")
    return int(text) if text.isdigit() and len(text) < 18 else None
