"""The contact form's questions, and the conversation between the editors and a reader:
their answers both ways, and what stops one."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.rendering.common import esc
from bot.text import shorten
from storage.models import ContactReply, Submission


def ask_name(telegram_name: str) -> tuple[str, InlineKeyboardMarkup]:
    button = InlineKeyboardButton(
        f"👤 {shorten(telegram_name, 40)}",
        callback_data=callback_data.CONTACT_USE_TELEGRAM_NAME,
    )
    return (
        "✉️ <b>Write to the editors</b> (1/3)\n\nWhat is your name? Type it, or tap the button"
        " to use your Telegram name. /cancel to stop.",
        InlineKeyboardMarkup([[button]]),
    )


def ask_email(name: str) -> str:
    return (
        f"Thanks, {esc(shorten(name, 100))}. (2/3)\n\nWhat is your email address? The editors"
        " may answer there too; it is never published."
    )


def email_invalid(reason: str) -> str:
    return (
        f"That email address doesn't look right: {esc(shorten(reason, 300))}\n\n"
        "Please send it again, for example <code>name@example.com</code>."
    )


def ask_message(limit: int) -> str:
    return f"(3/3) Now your message to the editors, as one text message (up to {limit} characters)."


def message_too_long(limit: int, length: int) -> str:
    return (
        f"Your message is {length} characters long; the limit is {limit}. "
        "Please shorten it and send it again."
    )


def name_too_long(limit: int) -> str:
    return f"Please keep your name under {limit} characters and send it again."


FORM_NEEDS_TEXT = "Please answer with a text message. /cancel to stop."
FORM_EMPTY = "That was empty. Please answer with some text. /cancel to stop."
CONTACT_RECEIVED = (
    "✅ Your message reached the editors. When they answer, it will appear here; reply to"
    " their message to continue the conversation."
)
FORM_CANCELLED = "Cancelled. Your message was not sent."


def editors_answer(text: str) -> str:
    """Signed by the desk, never by the moderator: their identity stays private."""
    return (
        f"📨 <b>Reply from the editors:</b>\n\n{esc(text)}\n\n"
        "<i>Reply to this message to answer.</i>"
    )


def reader_answer(submission: Submission, reply: ContactReply) -> str:
    who = esc(shorten(submission.contact_name or submission.author.display_name, 100))
    return (
        f"↩️ <b>{who}</b> answered (contact #{submission.id}, Telegram id "
        f"<code>{submission.author.user_id}</code>):\n\n{esc(reply.text)}"
    )


def answer_not_delivered(failure: str) -> str:
    reason = (
        "the reader has blocked the bot"
        if "blocked" in failure.lower()
        else f"Telegram refused it ({esc(shorten(failure, 200))})"
    )
    return f"⚠️ This answer could not be delivered: {reason}."


ANSWER_TO_BANNED = (
    "⚠️ Not delivered: this reader is banned. /unban their id first if you want to answer."
)
ANSWER_NEEDS_TEXT = "⚠️ Only text answers can be delivered to readers."


def answer_too_long(limit: int) -> str:
    return f"⚠️ Not delivered: answers are limited to {limit} characters."


def reply_too_long(limit: int, length: int) -> str:
    return (
        f"Your answer is {length} characters long (an emoji can count as two); the limit is"
        f" {limit}. Please shorten it and reply again."
    )


READER_ANSWER_QUEUED = "✅ Your answer was passed to the editors."
