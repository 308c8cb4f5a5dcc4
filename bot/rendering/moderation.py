"""The moderation group's cards, their continuations and the review desk, in the
moderators' language (MODERATION_LANGUAGE); what moderators are answered is in
moderation_answers.py, a card's lines about the discussion group in in_thread.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.callback_data import ReasonSurface
from bot.i18n import Texts
from bot.rendering import edits as edit_texts
from bot.rendering import reasons as reason_texts
from bot.rendering import record as record_texts
from bot.rendering.bans import card_ban_line, term_keyboard
from bot.rendering.common import (
    CARD_TITLE_LIMIT,
    Card,
    esc,
    moment,
    name_html,
    person_line,
    visible_length,
)
from bot.rendering.in_thread import thread_lines, thread_post_lines
from bot.rendering.spam import spam_lines
from bot.services.abuse import CardFlags
from bot.services.reasons import asks_for_reason
from bot.services.verdicts import VERDICTS, Decision
from bot.text import MESSAGE_LIMIT, shorten, split_units, tg_length
from storage.models import Ban, ContactReply, Submission, SubmissionKind, SubmissionStatus

CONTACT_FIELD_LIMIT = 100


def decider(t: Texts, submission: Submission) -> str:
    """Who decided a decided item: a moderator, or the spam check for one taken down with
    its author's catch."""
    if submission.swept_by is not None:
        return t.gettext("the spam check")
    return submission.decided_by_name or "?"


def _outcome(t: Texts, submission: Submission) -> str:
    """A decided item's outcome; one left up in the discussion group while it waited is
    kept or removed there, any other approved or rejected."""
    left_up = submission.original_kept
    if submission.author_forgotten and submission.status is SubmissionStatus.REJECTED:
        # Withdrawn while pending, or taken down once published: the author's /forget.
        return t.gettext("🫥 Withdrawn: its author asked to be forgotten")
    if submission.marked_spam:
        return (
            t.gettext("🧹 Marked spam, author banned")
            if submission.author_banned
            else t.gettext("🧹 Marked spam")
        )
    if submission.author_banned and submission.status is SubmissionStatus.APPROVED:
        # A contact message answered, whose author was banned from its card later.
        return t.gettext("✅ Approved, author banned since")
    if submission.author_banned:
        return (
            t.gettext("🚫 Removed, author banned")
            if left_up
            else t.gettext("🚫 Rejected, author banned")
        )
    if submission.auto_approved:
        return t.gettext("↩️ Unpublished")
    if submission.status is SubmissionStatus.APPROVED:
        return t.gettext("✅ Kept") if left_up else t.gettext("✅ Approved")
    return t.gettext("🗑 Removed") if left_up else t.gettext("❌ Rejected")


# Room kept free for the outcome and answer lines a card gains later.
CARD_FOOTER_RESERVE = 700
ANSWER_LINES_SHOWN = 3


def card(
    t: Texts,
    submission: Submission,
    article_title: str | None,
    answers: Sequence[ContactReply] = (),
    flags: CardFlags | None = None,
    ban: Ban | None = None,
    *,
    reasons: Sequence[str] = (),
) -> Card:
    """`ban`: the author's ban this card's `🚫 Ban author` made, while it holds: the card
    says until when, and offers the other terms. `reasons`: REJECT_REASONS, offered on a
    rejected comment's card until one is given."""
    lines = [
        *_card_header(t, submission, article_title),
        *thread_lines(t, submission),
        *thread_post_lines(t, submission),
        *spam_lines(t, submission),
    ]
    if flags is not None:
        lines += _flag_lines(t, flags)
    footer = _card_footer(t, submission, answers)
    if ban is not None:
        footer.append(card_ban_line(t, ban))
    if asks_for_reason(submission):
        footer.append(reason_texts.card_asks(t, offered=bool(reasons)))
    budget = MESSAGE_LIMIT - visible_length("\n".join([*lines, *footer])) - CARD_FOOTER_RESERVE
    text = submission.text
    continuation: list[str] = []
    if tg_length(text) > budget:
        # Never lose words: what does not fit goes whole into the messages after the card.
        continuation = continuation_messages(t, submission)
    correction = edit_texts.correction_lines(t, submission, budget)
    room = budget - visible_length("\n".join(correction))
    if tg_length(text) > room:
        # Seen whole before the edit, or in the messages after the card.
        more = continued(t) if continuation else edit_texts.shortened_for_edit(t)
        text = shorten(text, room - visible_length(more) - 2) + "\n" + more
    shown = esc(text) if submission.erased_at is None else _erased(t, submission)
    lines += ["", shown, *correction, *footer]
    keyboard = _card_keyboard(t, submission, ban)
    if reasons and asks_for_reason(submission):
        rows = reason_texts.reason_rows(t, reasons, ReasonSurface.CARD, submission.id)
        # A ban made here offers its terms above the reasons: both one tap, one edit each.
        terms = term_keyboard(t, submission.id, ban).inline_keyboard if ban is not None else ()
        keyboard = InlineKeyboardMarkup([*terms, *rows])
    return Card("\n".join(lines), keyboard, continuation)


def _erased(t: Texts, submission: Submission) -> str:
    if submission.author_forgotten:
        return "<i>" + esc(t.gettext("Erased: its author asked to be forgotten.")) + "</i>"
    return "<i>" + esc(t.gettext("Erased: kept longer than the bot keeps it.")) + "</i>"


def _card_keyboard(
    t: Texts, submission: Submission, ban: Ban | None
) -> InlineKeyboardMarkup | None:
    if submission.is_pending:
        return edit_texts.with_edit_row(t, submission, moderation_keyboard(t, submission))
    if submission.author_forgotten:
        return None
    if ban is not None:
        return term_keyboard(t, submission.id, ban)
    if submission.kind is SubmissionKind.CONTACT and not submission.author_banned:
        # A conversation goes on after its verdict: a reader who floods or abuses the
        # editors in their answers can still be banned from here.
        return InlineKeyboardMarkup([[_ban_button(t, submission)]])
    if submission.auto_approved and submission.status is SubmissionStatus.APPROVED:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.gettext("↩️ Unpublish"),
                        callback_data=callback_data.moderation(Decision.UNPUBLISH, submission.id),
                    )
                ]
            ]
        )
    return None


WATCHED_WORDS_SHOWN = 10


def _flag_lines(t: Texts, flags: CardFlags) -> list[str]:
    """Only what deserves a look: a clean first-time author gets no flag line."""
    lines = []
    if flags.wave > 1:
        lines.append(
            t.gettext(
                "🌊 ×{count}: near-identical copies waiting; 🧹 Spam settles them all"
            ).format(count=flags.wave)
        )
    if flags.links:
        lines.append(
            t.ngettext("🔗 {count} link", "🔗 {count} links", flags.links).format(count=flags.links)
        )
    if flags.watched_words:
        words = ", ".join(esc(w) for w in flags.watched_words[:WATCHED_WORDS_SHOWN])
        lines.append(t.gettext("👀 Watch words: {words}").format(words=words))
    # The author's record in a line, and the moderators' latest notes on them.
    return lines + record_texts.card_lines(t, flags.history)


def continued(t: Texts) -> str:
    return t.gettext("✂️ The full text follows in the next message.")


def _no_article(t: Texts, submission: Submission) -> str:
    if submission.thread_source_message_id is not None and submission.article_id is None:
        return t.gettext("in the discussion group, under no post of ours")
    return t.gettext("deleted article")


def _card_header(t: Texts, submission: Submission, article_title: str | None) -> list[str]:
    if submission.kind is SubmissionKind.COMMENT:
        return [
            t.gettext("💬 <b>Comment #{id}</b>").format(id=submission.id),
            f"📰 {esc(shorten(article_title or _no_article(t, submission), CARD_TITLE_LIMIT))}",
            f"👤 {person_line(submission.author)}",
        ]
    name = name_html(submission.contact_name or "", CONTACT_FIELD_LIMIT)
    email = esc(shorten(submission.contact_email or "", CONTACT_FIELD_LIMIT * 3))
    return [
        t.gettext("✉️ <b>Contact message #{id}</b>").format(id=submission.id),
        t.gettext("Name: {name}").format(name=name),
        t.gettext("Email: {email}").format(email=email),
        t.gettext("Telegram: {person}").format(person=person_line(submission.author)),
    ]


def _card_footer(t: Texts, submission: Submission, answers: Sequence[ContactReply]) -> list[str]:
    footer: list[str] = []
    if submission.auto_approved and submission.decided_by is None:
        footer.append(t.gettext("<b>✅ Published automatically</b>: a trusted author"))
    elif submission.author_forgotten and submission.status is SubmissionStatus.REJECTED:
        # Withdrawn (no moderator decided) or taken down at its author's request.
        footer.append(f"<b>{_outcome(t, submission)}</b>")
    elif not submission.is_pending:
        assert submission.decided_at is not None
        footer.append(
            t.gettext("<b>{outcome}</b> by {moderator} at {time}").format(
                outcome=_outcome(t, submission),
                moderator=name_html(decider(t, submission), 100),
                time=moment(t, submission.decided_at),
            )
            + reason_texts.on_card(t, submission)
        )
    if answers:
        earlier = len(answers) - ANSWER_LINES_SHOWN
        if earlier > 0:
            footer.append(
                t.ngettext(
                    "💬 {count} earlier answer", "💬 {count} earlier answers", earlier
                ).format(count=earlier)
            )
        footer += [
            t.gettext("💬 Answered by {moderator} at {time}").format(
                moderator=name_html(_answerer(t, answer), 100),
                time=moment(t, answer.delivered_at or 0),
            )
            for answer in answers[-ANSWER_LINES_SHOWN:]
        ]
    return ["", *footer] if footer else []


def _answerer(t: Texts, answer: ContactReply) -> str:
    """An admin who stays anonymous answers as the group itself (a negative id)."""
    return t.gettext("Anonymous admin") if answer.author_id < 0 else answer.author_name


# At most this much text in each message after a card: the rest of the 4096 holds the
# "#N in full (i/n)" header, however long its translation.
CONTINUATION_CHUNK = 4040


def continuation_messages(t: Texts, submission: Submission) -> list[str]:
    widest = _continuation_header(t, submission.id, 999, 999)
    chunks = split_units(
        submission.text, min(CONTINUATION_CHUNK, MESSAGE_LIMIT - visible_length(widest) - 1)
    )
    return [
        _continuation_header(t, submission.id, number, len(chunks)) + f"\n{esc(chunk)}"
        for number, chunk in enumerate(chunks, start=1)
    ]


def _continuation_header(t: Texts, submission_id: int, number: int, total: int) -> str:
    return t.gettext("✂️ <b>#{id} in full ({number}/{total})</b>").format(
        id=submission_id, number=number, total=total
    )


def desk(
    t: Texts,
    submission: Submission | None,
    article_title: str | None,
    waiting: int,
    flags: CardFlags | None = None,
    offered: tuple[Submission, Sequence[str]] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The review desk: the item to decide now, how many wait, and the buttons; and the
    reasons for the item rejected on it last (`offered`), below them."""
    asks, reason_rows = "", []
    if offered is not None:
        rejected, reasons = offered
        asks = "\n" + reason_texts.desk_asks(t, rejected)
        reason_rows = reason_texts.reason_rows(t, reasons, ReasonSurface.DESK, rejected.id)
    if submission is None:
        text = t.gettext("🗂 <b>Review desk</b>\n\n🎉 Nothing is waiting for moderation.")
        return text + asks, InlineKeyboardMarkup(reason_rows) if reason_rows else None
    heading = (
        t.ngettext(
            "🗂 <b>Review desk</b>: {count} waiting, oldest first",
            "🗂 <b>Review desk</b>: {count} waiting, oldest first",
            waiting,
        ).format(count=waiting)
        + asks
    )
    rows = [
        [
            InlineKeyboardButton(label, callback_data=callback_data.desk(decision, submission.id))
            for decision, label in row
        ]
        for row in verdict_rows(t, submission)
    ]
    skip = InlineKeyboardButton(
        t.gettext("⏭ Skip"), callback_data=callback_data.desk("skip", submission.id)
    )
    keyboard = InlineKeyboardMarkup([*rows, [skip], *reason_rows])
    return card_under(t, heading, submission, article_title, flags), keyboard


def card_under(
    t: Texts,
    heading: str,
    submission: Submission,
    article_title: str | None,
    flags: CardFlags | None = None,
) -> str:
    """A desk's heading over the card's own text, the item's words shortened so that both
    fit one message."""
    text = f"{heading}\n\n{card(t, submission, article_title, flags=flags).text}"
    if visible_length(text) <= MESSAGE_LIMIT:
        return text
    shortened = dataclasses.replace(submission, text=shorten(submission.text, 2500))
    return f"{heading}\n\n{card(t, shortened, article_title, flags=flags).text}"


# Buttons a row on cards and desks: Telegram allows 8, a phone shows two labels whole.
VERDICTS_A_ROW = 2


def verdict_label(t: Texts, decision: Decision, submission: Submission) -> str:
    """A verdict's button: one for a comment left up in the discussion group (kept or
    removed there) where VERDICTS gives one."""
    labels = VERDICTS[decision].labels
    left_up = labels.button_left_up if submission.original_kept else None
    return t.gettext(left_up or labels.button)


def verdict_rows(t: Texts, submission: Submission) -> list[list[tuple[Decision, str]]]:
    """The verdict buttons of a pending item, in VERDICTS' order: cards and both desks
    show the same ones."""
    buttons = [(decision, verdict_label(t, decision, submission)) for decision in VERDICTS]
    return [
        buttons[start : start + VERDICTS_A_ROW] for start in range(0, len(buttons), VERDICTS_A_ROW)
    ]


def moderation_keyboard(t: Texts, submission: Submission) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label, callback_data=callback_data.moderation(decision, submission.id)
                )
                for decision, label in row
            ]
            for row in verdict_rows(t, submission)
        ]
    )


def _ban_button(t: Texts, submission: Submission) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t.gettext(VERDICTS[Decision.BAN].labels.button),
        callback_data=callback_data.moderation(Decision.BAN, submission.id),
    )
