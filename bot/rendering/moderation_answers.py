"""What moderators are answered in the moderation group: a pressed button's outcome, the
refusals, the queue and the inbox (bans: bans.py); in the moderators' language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Texts
from bot.rendering.common import esc, name_html
from bot.rendering.in_thread import message_link
from bot.rendering.moderation import decider
from bot.services.contact_conversation import InboxEntry
from bot.services.verdicts import VERDICTS, Decision
from bot.text import shorten
from storage.models import Submission, SubmissionStatus


def already_decided(t: Texts, submission: Submission) -> str:
    """The alert for a late press; answerCallbackQuery allows 200 characters."""
    if submission.auto_approved and submission.decided_by is None:
        return t.gettext("Already published automatically: a trusted author.")
    moderator = (
        decider(t, submission)
        if submission.swept_by is not None
        else submission.decided_by_name or t.gettext("a moderator")
    )
    left_up = submission.original_kept
    if submission.marked_spam:
        text = t.gettext("Already marked spam by {moderator}.")
    elif submission.auto_approved:
        text = t.gettext("Already unpublished by {moderator}.")
    elif submission.status is SubmissionStatus.APPROVED:
        text = (
            t.gettext("Already kept by {moderator}.")
            if left_up
            else t.gettext("Already approved by {moderator}.")
        )
    else:
        text = (
            t.gettext("Already removed by {moderator}.")
            if left_up
            else t.gettext("Already rejected by {moderator}.")
        )
    return shorten(text.format(moderator=moderator), 200)


def decision_done(
    t: Texts, decision: Decision, submission: Submission | None, copies: int = 0
) -> str:
    """`copies`: the other pending copies a 🧹 Spam settled with the pressed one."""
    if decision is Decision.UNPUBLISH:
        return t.gettext("Unpublished.")
    labels = VERDICTS[decision].labels
    if labels.done_left_up is not None and submission is not None and submission.original_kept:
        return t.gettext(labels.done_left_up)
    if labels.done is not None:
        return t.gettext(labels.done)
    if copies:
        return t.ngettext(
            "🧹 Marked spam: {count} copy, newcomers among the authors banned.",
            "🧹 Marked spam: {count} copies, newcomers among the authors banned.",
            copies + 1,
        ).format(count=copies + 1)
    return _marked_spam(t, submission)


def _marked_spam(t: Texts, submission: Submission | None) -> str:
    if submission is not None and submission.author_banned:
        return t.gettext(
            "Marked spam: rejected, the author banned, and the spam check learned from it."
        )
    return t.gettext(
        "Marked spam: rejected, and the spam check learned from it. The author has approved"
        " comments, so is not banned."
    )


def not_a_moderator(t: Texts) -> str:
    return t.gettext("Only moderators can decide on submissions.")


def moderator_check_failed(t: Texts) -> str:
    return t.gettext("I could not check your moderator rights just now. Please try again.")


def skipped(t: Texts) -> str:
    return t.gettext("Skipped: it stays in the queue.")


def submission_not_found(t: Texts) -> str:
    return t.gettext("That submission no longer exists.")


def desk_waits(t: Texts, answer: str, seconds: float, per_minute: int) -> str:
    """A tap answered while the group's minute is spent (an answer holds 200 characters)."""
    wait = t.ngettext(
        "Telegram lets me change this group {count} time a minute: the desk moves on in"
        " {seconds} s.",
        "Telegram lets me change this group {count} times a minute: the desk moves on in"
        " {seconds} s.",
        per_minute,
    ).format(count=per_minute, seconds=max(1, round(seconds)))
    return shorten(f"{answer} {wait}", 200)


def queue_summary(t: Texts, pending: int) -> str:
    if pending == 0:
        return t.gettext("🎉 The queue is empty: nothing is waiting for moderation.")
    return (
        t.ngettext(
            "📥 {count} item waiting for moderation. The review desk below shows it;"
            " earlier cards still work.",
            "📥 {count} items waiting for moderation. The review desk below shows them one by"
            " one, oldest first; earlier cards still work.",
            pending,
        ).format(count=pending)
        + "\n"
        + desk_tip(t)
    )


def desk_tip(t: Texts) -> str:
    """The group's minute is shared by everyone in it; a private desk is not."""
    return t.gettext(
        "💡 Several of you on a long queue? Each can send /desk to me in a private chat: a"
        " desk of your own, which goes as fast as you read."
    )


def inbox(t: Texts, entries: Sequence[InboxEntry], chat_id: int) -> str:
    if not entries:
        return t.gettext("📭 No approved contact messages are waiting for an answer.")
    lines = [
        t.ngettext(
            "📬 <b>{count} contact message waiting for an answer</b> (reply to a card to answer):",
            "📬 <b>{count} contact messages waiting for an answer</b> (reply to a card to answer):",
            len(entries),
        ).format(count=len(entries))
    ]
    for entry in entries:
        submission = entry.submission
        name = name_html(submission.contact_name or submission.author.display_name, 60)
        label = f"#{submission.id}"
        link = message_link(chat_id, entry.card_message_id)
        if link:
            label = f'<a href="{esc(link)}">{label}</a>'
        lines.append(f"{label} {name}: {esc(shorten(submission.text, 80))}")
    return "\n".join(lines)
