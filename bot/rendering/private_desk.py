"""A moderator's private desk, in their own language: the item they hold, paused, empty
or closed; and the copy in the group of an answer written there."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.callback_data import PrivateDeskAction, ReasonSurface
from bot.i18n import Texts
from bot.rendering import reasons as reason_texts
from bot.rendering.common import esc, name_html
from bot.rendering.moderation import card_under, decider, verdict_rows
from bot.rendering.reports import duration
from bot.services.abuse import CardFlags
from bot.services.verdicts import Decision
from storage.models import Submission, SubmissionKind
from storage.private_desks import DeskState, PrivateDesk


def private_desk(
    t: Texts,
    desk: PrivateDesk,
    submission: Submission | None,
    article_title: str | None,
    waiting: int,
    claim_seconds: float,
    flags: CardFlags | None = None,
    offered: tuple[Submission, Sequence[str]] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """`offered`: the item rejected on this desk last, with the reasons it offers."""
    text, markup = _desk(t, desk, submission, article_title, waiting, claim_seconds, flags)
    if offered is None or markup is None or desk.state is not DeskState.OPEN:
        return text, markup
    rejected, reasons = offered
    rows = reason_texts.reason_rows(t, reasons, ReasonSurface.PRIVATE_DESK, rejected.id)
    # Below the item's own buttons, above ✖️ Close: the verdicts stay where the thumb is.
    *above, close = markup.inline_keyboard
    asks = reason_texts.desk_asks(t, rejected)
    return f"{asks}\n\n{text}", InlineKeyboardMarkup([*above, *rows, close])


def _desk(
    t: Texts,
    desk: PrivateDesk,
    submission: Submission | None,
    article_title: str | None,
    waiting: int,
    claim_seconds: float,
    flags: CardFlags | None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    if desk.state is DeskState.CLOSED:
        return t.gettext("✖️ <b>Your desk is closed.</b> /desk opens it again."), None
    if desk.state is DeskState.EXPIRED:
        return _paused(t, desk, claim_seconds), _keyboard(
            [[_button(t.gettext("▶️ Continue"), PrivateDeskAction.NEXT)]], t
        )
    if submission is None:
        text = t.gettext("🗂 <b>Your desk</b>\n\n🎉 Nothing is waiting for you now.")
        if waiting:
            text += "\n" + t.ngettext(
                "{count} item waits on another desk (a moderator's, or the group's).",
                "{count} items wait on other desks (moderators', or the group's).",
                waiting,
            ).format(count=waiting)
        return text, _keyboard([[_button(t.gettext("🔄 Look again"), PrivateDeskAction.NEXT)]], t)
    if not submission.is_pending:
        return _decided_elsewhere(t, submission, article_title, flags)
    heading = t.ngettext(
        "🗂 <b>Your desk</b>: {count} waiting. This one is yours for {duration}.",
        "🗂 <b>Your desk</b>: {count} waiting. This one is yours for {duration}.",
        waiting,
    ).format(count=waiting, duration=duration(t, claim_seconds))
    if submission.kind is SubmissionKind.CONTACT:
        heading += "\n" + t.gettext("↩️ Reply to this message to answer the reader.")
    item = submission.id
    rows = [
        [_button(label, decision, item) for decision, label in row]
        for row in verdict_rows(t, submission)
    ]
    rows.append([_button(t.gettext("⏭ Skip"), PrivateDeskAction.SKIP, item)])
    return card_under(t, heading, submission, article_title, flags), _keyboard(rows, t, item)


def _paused(t: Texts, desk: PrivateDesk, claim_seconds: float) -> str:
    if desk.item_id is None:
        # Idle, and its moderator not checked recently: it took nothing new.
        return t.gettext(
            "⏸ <b>Your desk is paused.</b> Items came in while it sat idle; tap ▶️ Continue"
            " to take the next one."
        )
    return t.gettext(
        "⏸ <b>Your desk is paused.</b> #{id} waited on it for {duration} without a"
        " decision, so it went back to the queue for the others."
    ).format(id=desk.item_id, duration=duration(t, claim_seconds))


def _decided_elsewhere(
    t: Texts, submission: Submission, article_title: str | None, flags: CardFlags | None
) -> tuple[str, InlineKeyboardMarkup]:
    """An item decided on its card or another desk while it was on this one: the desk
    keeps it, so that an answer being written to it goes to its reader and no other."""
    heading = t.gettext(
        "🗂 <b>Your desk</b>: #{id} was decided by {moderator} meanwhile. ▶️ Next shows the"
        " next item."
    ).format(id=submission.id, moderator=name_html(decider(t, submission), 100))
    if submission.kind is SubmissionKind.CONTACT:
        heading += "\n" + t.gettext("↩️ You can still answer the reader: reply to this message.")
    item = submission.id
    rows = [[_button(t.gettext("▶️ Next"), PrivateDeskAction.NEXT, item)]]
    return card_under(t, heading, submission, article_title, flags), _keyboard(rows, t, item)


def _button(
    label: str, action: PrivateDeskAction | Decision, item: int | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callback_data.private_desk(action, item))


def _keyboard(
    rows: list[list[InlineKeyboardButton]], t: Texts, item: int | None = None
) -> InlineKeyboardMarkup:
    """Every open or paused desk can be closed."""
    close = _button(t.gettext("✖️ Close"), PrivateDeskAction.CLOSE, item)
    return InlineKeyboardMarkup([*rows, [close]])


def moved(t: Texts) -> str:
    """An older desk message, after /desk posted a fresh one."""
    return t.gettext("🗂 This desk moved to a newer message below.")


def answer_copy(t: Texts, submission: Submission, moderator_name: str, text: str) -> str:
    """Under the card in the group: an answer a moderator wrote on their private desk."""
    return (
        t.gettext("📨 <b>{name}</b> answered contact #{id} from their private desk:").format(
            name=name_html(moderator_name, 100), id=submission.id
        )
        + f"\n\n{esc(text)}"
    )


# Answers to taps and commands (an answer to a button holds 200 characters).
def claim_ran_out(t: Texts) -> str:
    return t.gettext("This item was yours too long: it went back to the queue. Tap Continue.")


def desk_closed(t: Texts) -> str:
    return t.gettext("This desk is closed. /desk opens it again.")


def no_longer_a_moderator(t: Texts) -> str:
    return t.gettext("You are no longer in the moderation group, so your desk is closed.")


def only_moderators(t: Texts) -> str:
    return t.gettext("Only moderators can open a review desk.")


def comments_are_not_answered(t: Texts) -> str:
    return t.gettext(
        "Nothing was sent: only contact messages are answered from the desk. A comment gets"
        " a decision, with the buttons; to correct it first, tap ✏️ Edit on its card in the"
        " moderation group."
    )


def desk_moved_before_the_answer(t: Texts) -> str:
    return t.gettext(
        "Nothing was sent: your desk moved on (or paused) while you wrote, so I cannot be"
        " sure which message you meant. Reply again to the desk while it shows it."
    )


def desk_changed_just_before_the_answer(t: Texts) -> str:
    return t.gettext(
        "Nothing was sent: your desk turned to this message just before your answer came,"
        " so it may have been written for the one before. If it is for this one, send it"
        " again as a reply."
    )


def answer_to_closed_desk(t: Texts) -> str:
    return t.gettext("Nothing was sent: your desk is closed. /desk opens it again.")


def answer_queued(t: Texts, submission_id: int) -> str:
    return t.gettext(
        "✅ Your answer to contact #{id} is on its way to the reader. It also appears under"
        " the card in the moderation group."
    ).format(id=submission_id)
