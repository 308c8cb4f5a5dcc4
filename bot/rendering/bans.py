"""What moderators read about bans: /ban, /unban and /bans answers, a card's ban line and its
term buttons; in the moderators' language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import Texts
from bot.rendering.common import esc, moment, name_html, person_line
from bot.services.bans import CARD_TERMS, card_term, until_of
from bot.text import MESSAGE_LIMIT, shorten, tg_length
from storage.models import Ban, Person

REASON_SHOWN = 300


def _terms(t: Texts) -> str:
    return t.gettext(
        "<code>30m</code>, <code>24h</code>, <code>7d</code>, <code>2w</code> (at most 365"
        " days) or <code>forever</code>"
    )


def ban_usage(t: Texts) -> str:
    return t.gettext(
        "Usage: <code>/ban USER TERM REASON</code>, e.g. <code>/ban @reader 7d spam links</code>."
        "\nUSER: their id (on their cards) or @username; TERM: {terms}; REASON: why, in your"
        " words (for the moderators: the reader is only told until when)."
    ).format(terms=_terms(t))


def unban_usage(t: Texts) -> str:
    return t.gettext("Usage: <code>/unban USER</code>: their id (on their cards) or @username.")


def unknown_user(t: Texts, argument: str) -> str:
    return t.gettext(
        "I don't know <code>{user}</code>. Give their numeric id (on their cards), or the"
        " @username of a reader who has written to me."
    ).format(user=esc(shorten(argument, 64)))


def bad_term(t: Texts, argument: str) -> str:
    return t.gettext("<code>{term}</code> is not a term. Use {terms}.").format(
        term=esc(shorten(argument, 64)), terms=_terms(t)
    )


def missing_reason(t: Texts) -> str:
    return t.gettext(
        "Say why after the term, e.g. <code>/ban @reader 7d spam links</code>: /bans lists it."
    )


def _until(t: Texts, until: float | None) -> str:
    if until is None:
        return t.gettext("for good")
    return t.gettext("until {moment}").format(moment=moment(t, until))


def approval_refused(t: Texts, ban: Ban) -> str:
    """✅ Approve on a comment whose author is banned: an alert (200 characters, plain)."""
    return shorten(
        t.gettext(
            "The author is banned {until}: a banned reader's comment is not published."
            " Reject it, or /unban them first."
        ).format(until=_until(t, ban.until)),
        200,
    )


def _who(person: Person | None, user_id: int) -> str:
    if person is None or not person.first_name:
        return f"id <code>{user_id}</code>"
    return person_line(person)


def banned(t: Texts, person: Person, ban: Ban, replaced: Ban | None, swept: int = 0) -> str:
    """`swept`: how many of their waiting comments were settled with the ban."""
    text = t.gettext("🚫 {who} is banned {until}.").format(
        who=_who(person, ban.user_id), until=_until(t, ban.until)
    )
    if replaced is not None:
        text += " " + t.gettext("(Their earlier ban, {until}, is replaced.)").format(
            until=_until(t, replaced.until)
        )
    if swept:
        text += "\n" + t.ngettext(
            "Their {count} waiting comment is rejected with it.",
            "Their {count} waiting comments are rejected with it.",
            swept,
        ).format(count=swept)
    return text


def unbanned(t: Texts, person: Person, was_banned: bool) -> str:
    who = _who(person, person.user_id)
    if was_banned:
        return t.gettext("{who} is no longer banned.").format(who=who)
    return t.gettext("{who} was not banned.").format(who=who)


def bans_list(t: Texts, total: int, bans: Sequence[tuple[Ban, Person | None]]) -> str:
    """/bans: newest first, as many as one message holds, and how many more there are."""
    if not total:
        return t.gettext("No one is banned.")
    header = t.ngettext(
        "🚫 <b>{count} ban</b>, newest first:", "🚫 <b>{count} bans</b>, newest first:", total
    ).format(count=total)
    lines = [header]
    for shown, (ban, person) in enumerate(bans):
        line = _ban_line(t, ban, person)
        more = t.ngettext("…and {count} more", "…and {count} more", total - shown)
        if tg_length("\n\n".join([*lines, line, more])) > MESSAGE_LIMIT:
            lines.append(more.format(count=total - shown))
            break
        lines.append(line)
    else:
        if total > len(bans):
            lines.append(
                t.ngettext("…and {count} more", "…and {count} more", total - len(bans)).format(
                    count=total - len(bans)
                )
            )
    return "\n\n".join(lines)


def _ban_line(t: Texts, ban: Ban, person: Person | None) -> str:
    by = (
        name_html(ban.banned_by_name, 60)
        if ban.banned_by_name
        else t.gettext("the bot")
        if ban.banned_by == 0
        else f"id <code>{ban.banned_by}</code>"
    )
    line = t.gettext("• {who}\n  by {by}, {when}; {until}").format(
        who=_who(person, ban.user_id),
        by=by,
        when=moment(t, ban.banned_at),
        until=_until(t, ban.until),
    )
    if ban.reason:
        line += "\n  " + t.gettext("Why: {reason}").format(
            reason=esc(shorten(ban.reason, REASON_SHOWN))
        )
    elif ban.submission_id is not None:
        line += "\n  " + t.gettext("From the card of #{id}").format(id=ban.submission_id)
    return line


def card_ban_line(t: Texts, ban: Ban) -> str:
    """On the card whose `🚫 Ban author` made the ban, while it holds."""
    if ban.until is None:
        return t.gettext("⏳ Banned for good; a shorter term below")
    return t.gettext("⏳ Banned until {moment}").format(moment=moment(t, ban.until))


def _term_label(t: Texts, term: str) -> str:
    labels = {"24h": t.gettext("24 h"), "7d": t.gettext("7 days"), "forever": t.gettext("Forever")}
    return labels[term]


def term_buttons(t: Texts, submission_id: int, ban: Ban) -> list[InlineKeyboardButton]:
    """CARD_TERMS, the ban's own marked: a tap sets the term, counted from the ban."""
    buttons = []
    for term in CARD_TERMS:
        parsed = card_term(term)
        assert parsed is not None
        current = until_of(parsed, ban.banned_at) == ban.until
        label = _term_label(t, term)
        buttons.append(
            InlineKeyboardButton(
                f"✓ {label}" if current else label,
                callback_data=callback_data.ban_term(term, submission_id),
            )
        )
    return buttons


def term_keyboard(t: Texts, submission_id: int, ban: Ban) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([term_buttons(t, submission_id, ban)])


def term_set(t: Texts, ban: Ban) -> str:
    return t.gettext("Banned {until}.").format(until=_until(t, ban.until))


def term_unchanged(t: Texts, ban: Ban) -> str:
    return t.gettext("Already banned {until}.").format(until=_until(t, ban.until))


def term_over(t: Texts) -> str:
    return t.gettext("That term, counted from the ban, is over: the ban is lifted.")


def no_ban_from_card(t: Texts) -> str:
    return t.gettext("This ban has ended or was changed since: see /bans.")
