"""✏️ Edit before approving (bot.services.edits): the button, the correction on the card,
what the moderator is answered, the mark on the published comment and what its author is
shown changed."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.common import esc, moment, name_html, visible_length
from bot.services.edits import Change, editable
from bot.text import ELLIPSIS, shorten, tg_length
from storage.models import Submission

# However long the correction, this much of the reader's own words stays on the card.
ORIGINAL_MIN_ROOM = 500


def with_edit_row(
    t: Texts, submission: Submission, keyboard: InlineKeyboardMarkup
) -> InlineKeyboardMarkup:
    """A pending card's verdicts, and ✏️ Edit under them where the bot will publish the
    words itself (not a verdict: the item stays pending, with the correction to approve)."""
    if not editable(submission):
        return keyboard
    edit = InlineKeyboardButton(
        t.gettext("✏️ Edit"), callback_data=callback_data.edit(submission.id)
    )
    return InlineKeyboardMarkup([*keyboard.inline_keyboard, [edit]])


def correction_lines(t: Texts, submission: Submission, budget: int) -> list[str]:
    """The correction under the reader's words on a card, in at most `budget` less
    ORIGINAL_MIN_ROOM units; nothing without one."""
    if submission.corrected_text is None or submission.corrected_at is None:
        return []
    heading = (
        t.gettext("✏️ <b>Edited by {moderator}</b> at {time}; approving publishes this:")
        if submission.is_pending
        else t.gettext("✏️ <b>Edited by {moderator}</b> at {time}:")
    ).format(
        moderator=name_html(submission.corrected_by_name or "?", 100),
        time=moment(t, submission.corrected_at),
    )
    room = budget - ORIGINAL_MIN_ROOM - visible_length(heading) - 3
    return ["", heading, esc(shorten(submission.corrected_text, max(room, 1)))]


def shortened_for_edit(t: Texts) -> str:
    """Under the reader's words cut to make room for the correction beside them."""
    return t.gettext("✂️ Shortened here to make room for the edit.")


# --- what the moderator is answered ------------------------------------------------------


def edit_requested(t: Texts, submission_id: int, window_minutes: int) -> str:
    """The answer to the tap (answerCallbackQuery allows 200 characters)."""
    return shorten(
        t.gettext(
            "✏️ Reply to this card with the corrected text of #{id} within {minutes}"
            " minutes. The reader's words stay on record."
        ).format(id=submission_id, minutes=window_minutes),
        200,
    )


def not_editable(t: Texts, submission: Submission) -> str:
    if submission.original_kept:
        return t.gettext(
            "This comment is the reader's own message in the group: Telegram lets no bot"
            " edit it. Keep it or remove it."
        )
    return t.gettext("Only comments can be edited.")


def edit_expired(t: Texts, submission_id: int) -> str:
    return t.gettext(
        "✏️ Your edit of #{id} waited over an hour, so this reply was not taken as it. Tap"
        " ✏️ Edit again if you still want to change it."
    ).format(id=submission_id)


def edit_empty(t: Texts) -> str:
    return t.gettext("✏️ The corrected text is empty. Reply to the card again with the text.")


def edit_not_text(t: Texts) -> str:
    return t.gettext(
        "✏️ A correction is text: reply to the card with the corrected text (no stickers or photos)."
    )


def edit_too_long(t: Texts, limit: int, length: int) -> str:
    return t.gettext(
        "✏️ The corrected text is {length} characters long; comments may have {limit}. Reply"
        " to the card again with a shorter one."
    ).format(length=length, limit=limit)


# --- the channel and the author ---------------------------------------------------------


def edited_mark(t: Texts) -> str:
    """Under a published comment the moderators corrected, in the channel's language."""
    return "<i>" + esc(t.gettext("(edited by the moderators)")) + "</i>"


# Words kept on either side of a change in the author's notice; a longer run between two
# changes is cut to its ends.
CONTEXT_CHARACTERS = 60


def changes_html(changes: Sequence[tuple[Change, str]], budget: int) -> str:
    """What an edit changed, for its author: removed words struck out, added ones
    underlined, long unchanged stretches cut; at most `budget` visible units."""
    parts: list[str] = []
    used = 0
    for number, (change, words) in enumerate(changes):
        if change is Change.SAME:
            shown = _context(words, first=number == 0, last=number == len(changes) - 1)
        else:
            shown = words
        if used + tg_length(shown) > budget:
            parts.append(ELLIPSIS)
            break
        used += tg_length(shown)
        if change is Change.SAME:
            parts.append(esc(shown))
        else:
            tag = "s" if change is Change.REMOVED else "u"
            # The spaces stay outside the mark: a struck-out space reads as a stray line.
            core = shown.strip()
            lead = shown[: len(shown) - len(shown.lstrip())]
            tail = shown[len(shown.rstrip()) :]
            if change is Change.REMOVED and not tail and number + 1 < len(changes):
                tail = " "
            parts.append(f"{esc(lead)}<{tag}>{esc(core)}</{tag}>{esc(tail)}")
    return "".join(parts)


def _context(words: str, *, first: bool, last: bool) -> str:
    """An unchanged run: whole when short, else only the words next to the changes."""
    if len(words) <= 2 * CONTEXT_CHARACTERS:
        return words
    head = "" if first else _cut_after(words[:CONTEXT_CHARACTERS])
    tail = "" if last else _cut_before(words[-CONTEXT_CHARACTERS:])
    return f"{head}{ELLIPSIS} {tail}" if tail else f"{head}{ELLIPSIS}"


def _cut_after(text: str) -> str:
    """Up to the last whole word."""
    cut = text.rsplit(" ", 1)[0] if " " in text.strip() else text
    return cut.rstrip() + " "


def _cut_before(text: str) -> str:
    """From the first whole word."""
    return text.split(" ", 1)[1] if " " in text.strip() else text
