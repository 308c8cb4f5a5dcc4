"""The moderation group: cards and their continuations, the review desk, answers to
decisions, the queue, the inbox of contact messages, and moderators' refusals."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.rendering.common import CARD_TITLE_LIMIT, Card, esc, person_line, utc, visible_length
from bot.services.abuse import CardFlags
from bot.services.contact import InboxEntry
from bot.services.moderation import Decision
from bot.text import MESSAGE_LIMIT, shorten, split_units, tg_length
from storage.models import ContactReply, Submission, SubmissionKind, SubmissionStatus

CONTACT_FIELD_LIMIT = 100

_OUTCOME = {
    SubmissionStatus.APPROVED: "✅ Approved",
    SubmissionStatus.REJECTED: "❌ Rejected",
}
# A comment left up in the discussion group while it waited is kept or removed there.
_OUTCOME_LEFT_UP = {
    SubmissionStatus.APPROVED: "✅ Kept",
    SubmissionStatus.REJECTED: "🗑 Removed",
}


def _outcome(submission: Submission) -> str:
    outcome = (_OUTCOME_LEFT_UP if submission.original_kept else _OUTCOME)[submission.status]
    if submission.author_banned:
        outcome = f"🚫 {outcome.split(' ', 1)[1]}, author banned"
    elif submission.auto_approved:
        outcome = "↩️ Unpublished"
    return outcome


# Room kept free for the outcome and answer lines a card gains later.
CARD_FOOTER_RESERVE = 700
ANSWER_LINES_SHOWN = 3


def card(
    submission: Submission,
    article_title: str | None,
    answers: Sequence[ContactReply] = (),
    flags: CardFlags | None = None,
) -> Card:
    lines = [
        *_card_header(submission, article_title),
        *_thread_lines(submission),
        *_thread_post_lines(submission),
    ]
    if flags is not None:
        lines += _flag_lines(flags)
    footer = _card_footer(submission, answers)
    budget = MESSAGE_LIMIT - visible_length("\n".join([*lines, *footer])) - CARD_FOOTER_RESERVE
    text = submission.text
    continuation: list[str] = []
    if tg_length(text) > budget:
        # Never lose words: what does not fit goes whole into the messages after the card.
        text = shorten(text, budget - tg_length(CONTINUED) - 2) + "\n" + CONTINUED
        continuation = continuation_messages(submission)
    lines += ["", esc(text), *footer]
    return Card("\n".join(lines), _card_keyboard(submission), continuation)


def _thread_lines(submission: Submission) -> list[str]:
    """Where a comment typed in the discussion group stands there."""
    if submission.thread_source_message_id is None:
        return []
    edited = " (edited)" if submission.edited_at or submission.thread_source_edit_date else ""
    if submission.is_public_in_group:
        link = _message_link(submission.thread_source_chat_id, submission.thread_source_message_id)
        where = f'<a href="{esc(link)}">in the group</a>' if link else "in the group"
        until = ", until a moderator removes it" if submission.is_pending else ""
        lines = [f"🧵 Typed under the post{edited}: still up {where}{until}"]
    elif submission.is_pending:
        lines = [f"🧵 Typed under the post{edited}: taken down until decided"]
    else:
        lines = [f"🧵 Typed under the post{edited}"]
    if submission.media_kind is not None:
        kind = submission.media_kind.replace("_", " ")
        # A held one's copy follows its card (or was given up, once it is decided).
        copied = submission.moderation_copy_message_id is not None or (
            submission.is_pending and not submission.original_kept
        )
        lines.append(f"📎 A {kind}: its copy is just below" if copied else f"📎 A {kind}")
    if submission.is_public_in_group and submission.removal_refused:
        lines.append(f"⚠️ Not taken down: {REMOVAL_REFUSED[submission.removal_refused]}")
    return lines


def _thread_post_lines(submission: Submission) -> list[str]:
    """What became of the bot's own post of the comment in the thread, when it went wrong."""
    lines: list[str] = []
    if submission.thread_post_refused:
        lines.append(
            "⚠️ Not published: Telegram refused the post in the thread"
            f" ({esc(shorten(submission.thread_post_refused, 200))})"
        )
    if submission.retracted_by_edit:
        lines.append(
            "↩️ Its post in the thread was too old to delete: it now says the moderators removed it"
        )
    return lines


REMOVAL_REFUSED = {
    "no_right": "I lack the <b>Delete messages</b> right in the discussion group. Grant it"
    " to me, or delete the message by hand.",
    "too_old": "Telegram lets bots delete messages only within 48 hours of sending. Delete"
    " it by hand.",
}


def _card_keyboard(submission: Submission) -> InlineKeyboardMarkup | None:
    if submission.is_pending:
        return moderation_keyboard(submission)
    if submission.auto_approved and submission.status is SubmissionStatus.APPROVED:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "↩️ Unpublish",
                        callback_data=callback_data.moderation(Decision.UNPUBLISH, submission.id),
                    )
                ]
            ]
        )
    return None


WATCHED_WORDS_SHOWN = 10


def _flag_lines(flags: CardFlags) -> list[str]:
    """Only what deserves a look: a clean first-time author gets no flag line."""
    lines = []
    if flags.links:
        lines.append(f"🔗 {flags.links} link{'s' if flags.links != 1 else ''}")
    if flags.watched_words:
        words = ", ".join(esc(w) for w in flags.watched_words[:WATCHED_WORDS_SHOWN])
        lines.append(f"👀 Watch words: {words}")
    past = flags.history
    if past.approved or past.rejected:
        lines.append(f"📊 Earlier: {past.approved} approved, {past.rejected} rejected")
    if past.banned_before:
        lines.append("⛔ Banned before")
    return lines


CONTINUED = "✂️ The full text follows in the next message."


def _no_article(submission: Submission) -> str:
    if submission.thread_source_message_id is not None and submission.article_id is None:
        return "in the discussion group, under no post of ours"
    return "deleted article"


def _card_header(submission: Submission, article_title: str | None) -> list[str]:
    if submission.kind is SubmissionKind.COMMENT:
        return [
            f"💬 <b>Comment #{submission.id}</b>",
            f"📰 {esc(shorten(article_title or _no_article(submission), CARD_TITLE_LIMIT))}",
            f"👤 {person_line(submission.author)}",
        ]
    return [
        f"✉️ <b>Contact message #{submission.id}</b>",
        f"Name: {esc(shorten(submission.contact_name or '', CONTACT_FIELD_LIMIT))}",
        f"Email: {esc(shorten(submission.contact_email or '', CONTACT_FIELD_LIMIT * 3))}",
        f"Telegram: {person_line(submission.author)}",
    ]


def _card_footer(submission: Submission, answers: Sequence[ContactReply]) -> list[str]:
    footer: list[str] = []
    if submission.auto_approved and submission.decided_by is None:
        footer.append("<b>✅ Published automatically</b>: a trusted author")
    elif not submission.is_pending:
        assert submission.decided_at is not None
        outcome = _outcome(submission)
        footer.append(
            f"<b>{outcome}</b> by {esc(shorten(submission.decided_by_name or '?', 100))}"
            f" at {utc(submission.decided_at)}"
        )
    if answers:
        earlier = len(answers) - ANSWER_LINES_SHOWN
        if earlier > 0:
            footer.append(f"💬 {earlier} earlier answer{'s' if earlier != 1 else ''}")
        footer += [
            f"💬 Answered by {esc(shorten(answer.author_name, 100))} at "
            f"{utc(answer.delivered_at or 0)}"
            for answer in answers[-ANSWER_LINES_SHOWN:]
        ]
    return ["", *footer] if footer else []


# Leaves room for the "#N in full (i/n)" header within the 4096 limit.
CONTINUATION_CHUNK = 4040


def continuation_messages(submission: Submission) -> list[str]:
    chunks = split_units(submission.text, CONTINUATION_CHUNK)
    return [
        f"✂️ <b>#{submission.id} in full ({number}/{len(chunks)})</b>\n{esc(chunk)}"
        for number, chunk in enumerate(chunks, start=1)
    ]


def desk(
    submission: Submission | None,
    article_title: str | None,
    waiting: int,
    flags: CardFlags | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The review desk: the item to decide now, how many wait, and the buttons."""
    if submission is None:
        return "🗂 <b>Review desk</b>\n\n🎉 Nothing is waiting for moderation.", None
    shown = card(submission, article_title, flags=flags)
    heading = f"🗂 <b>Review desk</b>: {waiting} waiting, oldest first\n\n"
    # The card's own text, shortened so that the heading still fits one message.
    body = shown.text
    if visible_length(heading + body) > MESSAGE_LIMIT:
        body = card(
            dataclasses.replace(submission, text=shorten(submission.text, 2500)),
            article_title,
            flags=flags,
        ).text
    approve, reject = verdict_labels(submission)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    approve, callback_data=callback_data.desk("approve", submission.id)
                ),
                InlineKeyboardButton(
                    reject, callback_data=callback_data.desk("reject", submission.id)
                ),
            ],
            [
                InlineKeyboardButton(
                    "🚫 Ban author", callback_data=callback_data.desk("ban", submission.id)
                ),
                InlineKeyboardButton(
                    "⏭ Skip", callback_data=callback_data.desk("skip", submission.id)
                ),
            ],
        ]
    )
    return heading + body, keyboard


def verdict_labels(submission: Submission) -> tuple[str, str]:
    """A comment left up in the discussion group is kept or removed; any other is
    approved or rejected."""
    if submission.original_kept:
        return "✅ Keep", "🗑 Remove"
    return "✅ Approve", "❌ Reject"


def moderation_keyboard(submission: Submission) -> InlineKeyboardMarkup:
    approve, reject = verdict_labels(submission)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    approve,
                    callback_data=callback_data.moderation(Decision.APPROVE, submission.id),
                ),
                InlineKeyboardButton(
                    reject,
                    callback_data=callback_data.moderation(Decision.REJECT, submission.id),
                ),
            ],
            [
                InlineKeyboardButton(
                    "🚫 Ban author",
                    callback_data=callback_data.moderation(Decision.BAN, submission.id),
                )
            ],
        ]
    )


def already_decided(submission: Submission) -> str:
    """The alert for a late press; answerCallbackQuery allows 200 characters."""
    verdicts = _OUTCOME_LEFT_UP if submission.original_kept else _OUTCOME
    outcome = verdicts[submission.status].split(" ", 1)[1].lower()
    if submission.auto_approved:
        outcome = "unpublished" if submission.decided_by else "published automatically"
    return shorten(f"Already {outcome} by {submission.decided_by_name or 'a moderator'}.", 200)


DECISION_DONE = {
    Decision.APPROVE: "Approved.",
    Decision.REJECT: "Rejected.",
    Decision.BAN: "Rejected and the author is banned.",
    Decision.UNPUBLISH: "Unpublished.",
}
_DECISION_DONE_LEFT_UP = {
    Decision.APPROVE: "Kept.",
    Decision.REJECT: "Removed from the group.",
    Decision.BAN: "Removed from the group and the author is banned.",
}


def decision_done(decision: Decision, submission: Submission | None) -> str:
    if submission is not None and submission.original_kept and decision in _DECISION_DONE_LEFT_UP:
        return _DECISION_DONE_LEFT_UP[decision]
    return DECISION_DONE[decision]


NOT_A_MODERATOR = "Only moderators can decide on submissions."
MODERATOR_CHECK_FAILED = "I could not check your moderator rights just now. Please try again."
SKIPPED = "Skipped: it stays in the queue."
SUBMISSION_NOT_FOUND = "That submission no longer exists."


def desk_waits(answer: str, seconds: float, per_minute: int) -> str:
    """A tap answered while the group's minute is spent (an answer holds 200 characters)."""
    return shorten(
        f"{answer} Telegram lets me change this group {per_minute} times a minute:"
        f" the desk moves on in {max(1, round(seconds))} s.",
        200,
    )


def queue_summary(pending: int) -> str:
    if pending == 0:
        return "🎉 The queue is empty: nothing is waiting for moderation."
    return (
        f"📥 {pending} item{'s' if pending != 1 else ''} waiting for moderation. The review"
        " desk below shows them one by one, oldest first; earlier cards still work."
    )


UNBAN_USAGE = "Usage: <code>/unban &lt;user id&gt;</code>"


def unbanned(user_id: int, was_banned: bool) -> str:
    if was_banned:
        return f"User <code>{user_id}</code> is no longer banned."
    return f"User <code>{user_id}</code> was not banned."


def inbox(entries: Sequence[InboxEntry], chat_id: int) -> str:
    if not entries:
        return "📭 No approved contact messages are waiting for an answer."
    lines = [
        f"📬 <b>{len(entries)} contact message{'s' if len(entries) != 1 else ''}"
        " waiting for an answer</b> (reply to a card to answer):"
    ]
    for entry in entries:
        submission = entry.submission
        name = esc(shorten(submission.contact_name or submission.author.display_name, 60))
        label = f"#{submission.id}"
        link = _message_link(chat_id, entry.card_message_id)
        if link:
            label = f'<a href="{esc(link)}">{label}</a>'
        lines.append(f"{label} {name}: {esc(shorten(submission.text, 80))}")
    return "\n".join(lines)


def _message_link(chat_id: int | None, message_id: int | None) -> str | None:
    """t.me/c links open a message in a supergroup for its members."""
    text = str(chat_id)
    if message_id is None or not text.startswith("-100"):
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"
