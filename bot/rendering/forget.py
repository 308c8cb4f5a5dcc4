"""/forget's texts: the confirmation with its choice, and what was done."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.common import esc, person_line
from bot.services.forget import Forgotten, Published
from bot.text import shorten
from storage.models import Person

CANCEL = "cancel"


def _choices(t: Texts, user_id: int) -> InlineKeyboardMarkup:
    """Taking the comments down comes first: it is the default."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("🗑 Forget, take comments down"),
                    callback_data=callback_data.forget(Published.TAKE_DOWN.value, user_id),
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("🫥 Forget, keep comments anonymous"),
                    callback_data=callback_data.forget(Published.KEEP_ANONYMOUS.value, user_id),
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("Cancel"), callback_data=callback_data.forget(CANCEL, user_id)
                )
            ],
        ]
    )


def _what_happens(t: Texts) -> str:
    return t.gettext(
        "Comments waiting for a moderator are withdrawn. The words of every comment and"
        " message, the name and email given with a message, the language and notification"
        " choices are erased.\n\n"
        "Published comments, by the button chosen:\n"
        "• <b>Take down</b> (the usual choice): the bot deletes them from the discussion"
        " thread and from the articles' pages. Telegram lets the bot delete a post for 48"
        " hours; an older post of the bot's is emptied instead.\n"
        "• <b>Keep anonymous</b>: they stay, signed “a former reader”. Comments typed"
        " directly in the thread are Telegram messages of the account that wrote them: the"
        " bot cannot sign them anew, only delete them, so they stay as they are (delete them"
        " in Telegram, or choose Take down).\n\n"
        "The moderators' record keeps who decided what and when, and any ban, without the"
        " words or the name. This cannot be undone."
    )


def confirmation(t: Texts, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """/forget: the reader's own data."""
    text = t.gettext("🫥 <b>Forget me</b>\n\nThe bot erases what it keeps about you.") + (
        "\n\n" + _what_happens(t)
    )
    return text, _choices(t, user_id)


def admin_confirmation(t: Texts, reader: Person) -> tuple[str, InlineKeyboardMarkup]:
    """/forget USER: a reader's data, at their request made elsewhere (by email)."""
    text = t.gettext(
        "🫥 <b>Forget {reader}?</b>\n\nFor a request the reader made elsewhere (by email)."
        " The moderation record gets a line saying who did it and when."
    ).format(reader=person_line(reader))
    return text + "\n\n" + _what_happens(t), _choices(t, reader.user_id)


def done(t: Texts, forgotten: Forgotten) -> str:
    """What was done, told to the reader (or the admin) once it is."""
    lines = [t.gettext("🫥 <b>Done: forgotten.</b>")]
    lines += _counts(t, forgotten)
    return "\n".join(lines)


def reader_done(t: Texts, forgotten: Forgotten) -> str:
    return (
        done(t, forgotten)
        + "\n\n"
        + t.gettext(
            "If you write here again, you start as a new reader. A ban, if the moderators"
            " made one, still holds until it ends."
        )
    )


def _counts(t: Texts, forgotten: Forgotten) -> list[str]:
    lines = [
        t.ngettext(
            "• {count} waiting item withdrawn",
            "• {count} waiting items withdrawn",
            forgotten.withdrawn,
        ).format(count=forgotten.withdrawn),
        t.ngettext(
            "• {count} published comment taken down",
            "• {count} published comments taken down",
            forgotten.taken_down,
        ).format(count=forgotten.taken_down),
        t.ngettext(
            "• {count} comment or message erased",
            "• {count} comments and messages erased",
            forgotten.erased,
        ).format(count=forgotten.erased),
    ]
    signed = forgotten.kept - forgotten.own_messages_kept
    if signed:
        lines.append(
            t.ngettext(
                "• {count} published comment left up, signed “a former reader”",
                "• {count} published comments left up, signed “a former reader”",
                signed,
            ).format(count=signed)
        )
    if forgotten.own_messages_kept:
        lines.append(
            t.ngettext(
                "• {count} comment typed directly in the thread stays up under the account"
                " that wrote it: delete it in Telegram to take it down",
                "• {count} comments typed directly in the thread stay up under the account"
                " that wrote them: delete them in Telegram to take them down",
                forgotten.own_messages_kept,
            ).format(count=forgotten.own_messages_kept)
        )
    return lines


def cancelled(t: Texts) -> str:
    return t.gettext("Nothing was forgotten.")


def usage(t: Texts) -> str:
    return t.gettext(
        "/forget erases what the bot keeps about you, after a confirmation. It takes nothing"
        " after it."
    )


def admin_usage(t: Texts) -> str:
    return t.gettext(
        "Usage: /forget USER (a numeric id or an @username), for a reader's request made"
        " elsewhere; /forget alone is for your own data."
    )


def unknown_user(t: Texts, typed: str) -> str:
    return t.gettext(
        "I don't know <code>{user}</code>. Give their numeric id (on their cards), or the"
        " @username of a reader who has written to me."
    ).format(user=esc(shorten(typed, 64)))


def not_yours(t: Texts) -> str:
    return t.gettext("Only admins can forget another reader.")
