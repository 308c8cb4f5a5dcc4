"""What several audiences share: escaping, lengths, times, deep links, the card.

All messages use HTML parse mode; every user-supplied string goes through `esc`.
Lengths are counted in UTF-16 code units, Telegram's unit, which is never fewer
than the characters a user sees, so a message that fits here fits there.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel.dates import format_skeleton, get_datetime_format
from telegram import InlineKeyboardMarkup

from bot.i18n import Texts
from bot.parsing import is_ascii_number
from bot.text import one_line, shorten, tg_length
from storage.models import Person

_TAG = re.compile(r"<[^>]*>")
CARD_TITLE_LIMIT = 200


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def visible_length(html_text: str) -> int:
    """Telegram's count for our own HTML: every `<` in it starts a tag, user text is escaped."""
    return tg_length(html.unescape(_TAG.sub("", html_text)))


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def article_payload(article_id: int) -> str:
    return f"a{article_id}"


def parse_article_payload(payload: str) -> int | None:
    if payload.startswith("a") and is_ascii_number(payload[1:]) and len(payload) < 19:
        return int(payload[1:])
    return None


def reply_payload(article_id: int, message_id: int) -> str:
    """Opens the article to answer its thread's message `message_id` (a deep link's
    payload: at most 64 of A-Z a-z 0-9 _ -, which two ids stay far below)."""
    return f"r{article_id}_{message_id}"


def parse_reply_payload(payload: str) -> tuple[int, int] | None:
    """(article id, message id) from `reply_payload`, or None."""
    article, _, message = payload[1:].partition("_")
    if not payload.startswith("r") or len(payload) > 40:
        return None
    if not (is_ascii_number(article) and is_ascii_number(message)):
        return None
    return int(article), int(message)


def moment(t: Texts, timestamp: float) -> str:
    """A date and time in UTC as the language writes them (CLDR's data, through Babel):
    "Dec 2, 2026, 14:05 UTC", "2 dic 2026, 14:05 UTC". UTC because a newsroom's
    moderators may sit in several time zones; the 24-hour clock reads the same to all."""
    when = datetime.fromtimestamp(timestamp, UTC)
    date = format_skeleton("yMMMd", when, locale=t.language)
    clock = format_skeleton("Hm", when, locale=t.language)
    # CLDR's glue of a date and a time ("{1}, {0}"); str() for the stubs, which type it
    # as a pattern object.
    glue = str(get_datetime_format("medium", locale=t.language))
    return glue.format(clock, date) + " UTC"


def name_html(name: str, limit: int) -> str:
    """A person's name, escaped, on one line and at most `limit` long. Names are folded as
    they arrive too; this keeps those stored before that (and any other way in) from
    faking a line of a card."""
    return esc(shorten(one_line(name), limit))


def person_line(person: Person) -> str:
    handle = f" @{esc(person.username)}" if person.username else ""
    return f"{name_html(person.display_name, 140)}{handle} (id <code>{person.user_id}</code>)"


@dataclass(frozen=True)
class Card:
    """A moderation card; `continuation` carries the rest of a text too long for one message."""

    text: str
    markup: InlineKeyboardMarkup | None
    continuation: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """Identifies what the card shows, to skip edits that would change nothing."""
        buttons = json.dumps(self.markup.to_dict() if self.markup else None, sort_keys=True)
        return hashlib.sha256(f"{self.text}\0{buttons}".encode()).hexdigest()[:32]


# Whoever pressed the button or sent the message: a reader, a moderator or an admin.
def stale_button(t: Texts) -> str:
    return t.gettext("This button is no longer valid.")


def something_went_wrong(t: Texts) -> str:
    return t.gettext(
        "Sorry, something went wrong on our side and I could not finish that. Please try again."
    )
