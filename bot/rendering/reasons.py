"""Reasons for a rejection: their texts (the moderators' language on cards and desks, the
author's in the notices), the buttons that give them, and the answers to those."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot import callback_data
from bot.callback_data import ReasonSurface
from bot.i18n import Texts
from bot.rendering.common import CARD_TITLE_LIMIT, esc
from bot.text import shorten
from storage.models import Submission

# Two labels a row: a phone shows both whole.
REASONS_A_ROW = 2


def reason_text(t: Texts, reason: str) -> str:
    """A REJECT_REASONS key in words; an editor's own key, or a moderator's own reason, as
    written. Plain text: escape it for HTML."""
    known = {
        "off_topic": t.gettext("off-topic"),
        "insulting": t.gettext("insulting"),
        "personal_data": t.gettext("personal data"),
        "duplicate": t.gettext("duplicate"),
        "misleading": t.gettext("misleading"),
    }
    return known.get(reason, reason)


def reason_rows(
    t: Texts, reasons: Sequence[str], surface: ReasonSurface, submission_id: int
) -> list[list[InlineKeyboardButton]]:
    buttons = [
        InlineKeyboardButton(
            reason_text(t, key), callback_data=callback_data.reason(surface, submission_id, key)
        )
        for key in reasons
    ]
    return [buttons[i : i + REASONS_A_ROW] for i in range(0, len(buttons), REASONS_A_ROW)]


def on_card(t: Texts, submission: Submission) -> str:
    """Appended to a decided card's outcome line: ` · off-topic`."""
    if submission.decision_reason is None:
        return ""
    return f" · {esc(reason_text(t, submission.decision_reason))}"


def card_asks(t: Texts, offered: bool) -> str:
    if offered:
        return t.gettext("💬 A reason for its author? Tap one, or reply to this card with yours.")
    return t.gettext("💬 A reason for its author? Reply to this card with yours.")


def desk_asks(t: Texts, submission: Submission) -> str:
    return t.gettext("💬 #{id} rejected: a reason for its author? Tap one below.").format(
        id=submission.id
    )


def for_author(t: Texts, submission: Submission) -> str:
    """The line the author's notice of a rejection carries, if it has a reason."""
    if submission.decision_reason is None:
        return ""
    reason = esc(reason_text(t, submission.decision_reason))
    return "\n" + t.gettext("Reason: {reason}").format(reason=reason)


def reason_notice(t: Texts, submission: Submission, article_title: str | None) -> str:
    """A reason given after the author was told of the rejection."""
    if article_title is not None:
        text = t.gettext("About your comment on “{title}”, which was not approved:").format(
            title=esc(shorten(article_title, CARD_TITLE_LIMIT))
        )
    else:
        text = t.gettext("About your message, which was not approved:")
    quoted = f"\n\n<blockquote>{esc(shorten(submission.text, 300))}</blockquote>"
    return text + for_author(t, submission) + quoted


# Answers to a tap (at most 200 characters) and to a reply in the group.
def given(t: Texts, reason: str) -> str:
    return t.gettext("Reason given: {reason}.").format(reason=shorten(reason_text(t, reason), 150))


def given_already(t: Texts, reason: str) -> str:
    return t.gettext("A reason was given already: {reason}.").format(
        reason=shorten(reason_text(t, reason), 150)
    )


def not_asked(t: Texts) -> str:
    return t.gettext("This item takes no reason: only a rejected comment does.")


def own_reason_given(t: Texts, submission_id: int, reason: str) -> str:
    return t.gettext("✅ Reason for #{id}: {reason}. Its author will be told.").format(
        id=submission_id, reason=esc(reason)
    )


def own_reason_given_already(t: Texts, submission_id: int, reason: str) -> str:
    return t.gettext("#{id} has a reason already: {reason}. It stays.").format(
        id=submission_id, reason=esc(reason_text(t, reason))
    )


def own_reason_too_long(t: Texts, limit: int) -> str:
    return t.gettext("A reason holds at most {limit} characters. Nothing was changed.").format(
        limit=limit
    )
