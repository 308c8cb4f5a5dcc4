"""/bans in one message: newest first, and how many more there are."""

from __future__ import annotations

import re

from bot.i18n import Texts
from bot.rendering.bans import bans_list
from bot.text import MESSAGE_LIMIT, tg_length
from storage.models import Ban, Person

ENGLISH = Texts("en")


def ban(n: int) -> tuple[Ban, Person | None]:
    made = Ban(n, 9, "Mo Derator", 1_800_000_000.0 - n, None, "spam links " * 20, None)
    return made, Person(n, f"Reader {n}", None, f"reader{n}")


def test_a_long_list_fits_one_message_and_counts_the_rest() -> None:
    text = bans_list(ENGLISH, 2000, [ban(n) for n in range(100)])
    assert tg_length(text) <= MESSAGE_LIMIT
    assert text.startswith("🚫 <b>2000 bans</b>, newest first:")
    shown = text.count("\n• ")
    match = re.search(r"…and (\d+) more$", text)
    assert match is not None and int(match[1]) == 2000 - shown
    assert "Reader 0 @reader0" in text


def test_a_short_list_says_every_ban_and_the_bots_own() -> None:
    by_the_bot = Ban(5, 0, None, 1_800_000_000.0, 1_800_086_400.0, None, 12)
    text = bans_list(ENGLISH, 3, [ban(1), (by_the_bot, None)])
    assert "by the bot" in text and "id <code>5</code>" in text
    assert "From the card of #12" in text
    assert text.endswith("…and 1 more")
    assert bans_list(ENGLISH, 0, []) == "No one is banned."
