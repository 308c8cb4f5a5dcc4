"""/spam: the latest catches of the spam check, each with ↩️ Not spam; and the answers to
a tap on it. In the moderators' language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.common import esc, moment, name_html, visible_length
from bot.rendering.spam import spam_lines
from bot.text import MESSAGE_LIMIT, one_line, shorten
from storage.models import Submission

# Each entry's words, cut: ten entries with their reasons must fit one message.
TEXT_SHOWN = 150


def spam_list(t: Texts, catches: Sequence[Submission]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The newest catches first, numbered; a button per entry carries the same number (a
    lone entry's button reads just ↩️ Not spam)."""
    if not catches:
        return t.gettext("🧹 Nothing caught as spam is waiting for a second look."), None
    entries = [_entry(t, number, caught) for number, caught in enumerate(catches, start=1)]
    header = t.gettext(
        "🧹 <b>Caught as spam by the check</b>, newest first. A mistake? Tap ↩️ Not spam: "
        "the message comes back as a card, its author is unbanned, and the check learns."
    )
    # A message holds 4096 characters: with long names and every reason, the oldest
    # entries give way (their buttons too).
    while len(entries) > 1 and visible_length("\n\n".join([header, *entries])) > MESSAGE_LIMIT:
        entries.pop()
    shown = catches[: len(entries)]
    buttons = [
        [
            InlineKeyboardButton(
                # The number ties a button to its entry; one entry needs none.
                t.gettext("↩️ Not spam ({number})").format(number=number)
                if len(shown) > 1
                else t.gettext("↩️ Not spam"),
                callback_data=callback_data.spam_undo(caught.id),
            )
        ]
        for number, caught in enumerate(shown, start=1)
    ]
    return "\n\n".join([header, *entries]), InlineKeyboardMarkup(buttons)


def _entry(t: Texts, number: int, caught: Submission) -> str:
    author = caught.author
    handle = f" @{esc(author.username)}" if author.username else ""
    when = moment(t, caught.caught_at if caught.caught_at is not None else caught.created_at)
    words = one_line(caught.text)
    lines = [
        f"<b>{number}.</b> {name_html(author.display_name, 40)}{handle}"
        f" (id <code>{author.user_id}</code>) · {when}",
        *spam_lines(t, caught),
        # A flood's catch may hold no words (a button pressed again and again, stickers).
        *([f"<i>{esc(shorten(words, TEXT_SHOWN))}</i>"] if words else []),
    ]
    return "\n".join(lines)


def restored(t: Texts, unbanned: bool, *, flooding: bool = False) -> str:
    """The tap's answer (answerCallbackQuery: 200 characters at most)."""
    if flooding:
        # Nothing of a flood was stored: no card comes back.
        return (
            t.gettext("↩️ Ban for flooding lifted: they may write again.")
            if unbanned
            else t.gettext("↩️ Taken off the list: they were not banned by it.")
        )
    if unbanned:
        return t.gettext("↩️ Restored: its card is in the queue, and its author is unbanned.")
    return t.gettext("↩️ Restored: its card is in the queue.")


def already_restored(t: Texts, *, flooding: bool = False) -> str:
    if flooding:
        return t.gettext("Already undone: the ban for flooding was lifted.")
    return t.gettext("Already restored: its card is in the queue, or was decided.")


def digest(t: Texts, count: int) -> str:
    """The hourly digest of catches (bot.services.spam_digest)."""
    return t.ngettext(
        "🧹 {count} spam message caught in the last hour: /spam",
        "🧹 {count} spam messages caught in the last hour: /spam",
        count,
    ).format(count=count)
