"""The contact form's questions, and the conversation between the editors and a reader:
their answers both ways, and what stops one."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.common import esc, name_html
from bot.text import one_line, shorten
from storage.models import ContactReply, Submission


def ask_name(t: Texts, telegram_name: str) -> tuple[str, InlineKeyboardMarkup]:
    button = InlineKeyboardButton(
        f"👤 {shorten(one_line(telegram_name), 40)}",
        callback_data=callback_data.CONTACT_USE_TELEGRAM_NAME,
    )
    return (
        t.gettext(
            "✉️ <b>Write to the editors</b> (1/3)\n\nWhat is your name? Type it, or tap the"
            " button to use your Telegram name. /cancel to stop."
        ),
        InlineKeyboardMarkup([[button]]),
    )


def ask_email(t: Texts, name: str) -> str:
    return t.gettext(
        "Thanks, {name}. (2/3)\n\nWhat is your email address? The editors may answer there"
        " too; it is never published."
    ).format(name=name_html(name, 100))


def email_invalid(t: Texts, problem: str) -> str:
    """`problem`: bot.services.contact.email_problem's key."""
    reasons = {
        "no_at": t.gettext("an email address has an @ in it."),
        "nothing_before_at": t.gettext("something must come before the @."),
        "no_domain": t.gettext("the part after the @ must be a domain, such as example.com."),
    }
    reason = reasons.get(problem, t.gettext("it has characters or a shape an address cannot have."))
    return t.gettext(
        "That email address doesn't look right: {reason}\n\n"
        "Please send it again, for example <code>name@example.com</code>."
    ).format(reason=reason)


def ask_message(t: Texts, limit: int) -> str:
    return t.gettext(
        "(3/3) Now your message to the editors, as one text message (up to {limit} characters)."
    ).format(limit=limit)


def message_too_long(t: Texts, limit: int, length: int) -> str:
    return t.gettext(
        "Your message is {length} characters long; the limit is {limit}. "
        "Please shorten it and send it again."
    ).format(length=length, limit=limit)


def name_too_long(t: Texts, limit: int) -> str:
    return t.gettext("Please keep your name under {limit} characters and send it again.").format(
        limit=limit
    )


def form_needs_text(t: Texts) -> str:
    return t.gettext("Please answer with a text message. /cancel to stop.")


def form_empty(t: Texts) -> str:
    return t.gettext("That was empty. Please answer with some text. /cancel to stop.")


def contact_received(t: Texts) -> str:
    return t.gettext(
        "✅ Your message reached the editors. When they answer, it will appear here; reply to"
        " their message to continue the conversation."
    )


def form_cancelled(t: Texts) -> str:
    return t.gettext("Cancelled. Your message was not sent.")


def editors_answer(t: Texts, text: str) -> str:
    """Signed by the desk, never by the moderator: their identity stays private."""
    return (
        t.gettext("📨 <b>Reply from the editors:</b>")
        + f"\n\n{esc(text)}\n\n"
        + t.gettext("<i>Reply to this message to answer.</i>")
    )


def reply_too_long(t: Texts, limit: int, length: int) -> str:
    return t.gettext(
        "Your answer is {length} characters long (an emoji can count as two); the limit is"
        " {limit}. Please shorten it and reply again."
    ).format(length=length, limit=limit)


def reader_answer_queued(t: Texts) -> str:
    return t.gettext("✅ Your answer was passed to the editors.")


def wait_for_the_editors(t: Texts) -> str:
    return t.gettext(
        "✋ The editors have your last messages and have not answered yet. You can write"
        " again here once they reply. Nothing was passed on this time, so keep your text."
    )


# The moderation group's side of the conversation, in the moderators' language.
def reader_answer(t: Texts, submission: Submission, reply: ContactReply) -> str:
    who = name_html(submission.contact_name or submission.author.display_name, 100)
    heading = t.gettext(
        "↩️ <b>{name}</b> answered (contact #{id}, Telegram id <code>{user_id}</code>):"
    ).format(name=who, id=submission.id, user_id=submission.author.user_id)
    return f"{heading}\n\n{esc(reply.text)}"


def answer_not_delivered(t: Texts, failure: str) -> str:
    if "blocked" in failure.lower():
        return t.gettext("⚠️ This answer could not be delivered: the reader has blocked the bot.")
    return t.gettext("⚠️ This answer could not be delivered: Telegram refused it ({error}).").format(
        error=esc(shorten(failure, 200))
    )


def answer_to_banned(t: Texts) -> str:
    return t.gettext(
        "⚠️ Not delivered: this reader is banned. /unban their id first if you want to answer."
    )


def answer_needs_text(t: Texts) -> str:
    return t.gettext("⚠️ Only text answers can be delivered to readers.")


def answer_too_long(t: Texts, limit: int) -> str:
    return t.gettext("⚠️ Not delivered: answers are limited to {limit} characters.").format(
        limit=limit
    )
