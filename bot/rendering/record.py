"""The moderation record as moderators read it, in their language: the one-line summary
on cards and desks, the notes there, `/history` and the answers to `/history` and `/note`.

Reasons and terms are rendered from whatever the record holds: a reason key this module
does not know (or a moderator's own words) is shown as it is, a ban's term is its `until`
less its time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from babel.dates import format_skeleton

from bot.i18n import Texts
from bot.rendering import reasons as reason_texts
from bot.rendering.common import esc, moment, name_html, person_line, visible_length
from bot.rendering.spam import reason_text
from bot.services.verdicts import logged_labels
from bot.spam.checker import ReasonKind
from bot.text import MESSAGE_LIMIT, one_line, shorten
from storage.models import AuthorHistory, LogEntry, LoggedAction, Person

# On a card: a line each, kept short (the card's text gives way to them otherwise).
REASON_ON_CARD_LIMIT = 40
REASONS_ON_CARD = 2
NOTE_ON_CARD_LIMIT = 160
# In /history: a reason or a note is shown whole up to this (a note is at most 500).
REASON_IN_HISTORY_LIMIT = 500
NAME_LIMIT = 60


def reason_label(t: Texts, reason: str) -> str:
    """A reason as stored (a key of the reasons offered, a ban's cause, or a moderator's own
    words), in the moderators' language; anything else as it is. Not escaped."""
    known = {"spam": t.gettext("spam"), "flooding": t.gettext("flooding")}
    return known.get(reason, one_line(reason_texts.reason_text(t, reason)))


def term(t: Texts, seconds: float) -> str:
    """A ban's length, rounded as people say it: minutes, hours, or days from two days."""
    if seconds >= 2 * 86400:
        days = round(seconds / 86400)
        return t.ngettext("{count} day", "{count} days", days).format(count=days)
    if seconds >= 3600:
        return t.gettext("{count} h").format(count=round(seconds / 3600))
    return t.gettext("{count} min").format(count=max(1, round(seconds / 60)))


def _month(t: Texts, timestamp: float) -> str:
    return format_skeleton("yMMM", datetime.fromtimestamp(timestamp, UTC), locale=t.language)


def _ban_piece(t: Texts, past: AuthorHistory) -> str | None:
    ban = past.latest_ban
    if ban is None:
        return t.gettext("banned before") if past.banned_before else None
    month = _month(t, ban.at)
    if ban.until is None:
        return t.gettext("banned in {month}").format(month=month)
    return t.gettext("banned {term} in {month}").format(
        term=term(t, ban.until - ban.at), month=month
    )


def summary(t: Texts, past: AuthorHistory) -> str | None:
    """One line: "📊 3 approved · 1 rejected (off-topic) · banned 24 h in Mar 2026";
    None for an author with nothing behind them."""
    parts = []
    if past.approved:
        parts.append(
            t.ngettext("{count} approved", "{count} approved", past.approved).format(
                count=past.approved
            )
        )
    rejected = past.rejected - past.spam
    if rejected:
        text = t.ngettext("{count} rejected", "{count} rejected", rejected).format(count=rejected)
        reasons = [
            esc(shorten(reason_label(t, reason), REASON_ON_CARD_LIMIT))
            for reason in past.rejection_reasons[:REASONS_ON_CARD]
        ]
        parts.append(f"{text} ({', '.join(reasons)})" if reasons else text)
    if past.spam:
        parts.append(t.ngettext("{count} spam", "{count} spam", past.spam).format(count=past.spam))
    ban = _ban_piece(t, past)
    if ban is not None:
        parts.append(ban)
    return f"📊 {' · '.join(parts)}" if parts else None


def card_lines(t: Texts, past: AuthorHistory) -> list[str]:
    """The summary and the latest notes, for a card or a desk."""
    line = summary(t, past)
    notes = [
        t.gettext("📝 {note} ({moderator})").format(
            note=esc(shorten(one_line(note.reason or ""), NOTE_ON_CARD_LIMIT)),
            moderator=_who(t, note),
        )
        for note in past.notes
    ]
    return ([line] if line else []) + notes


def _who(t: Texts, entry: LogEntry) -> str:
    if entry.moderator_id is None:
        return t.gettext("the bot")
    return name_html(entry.moderator_name or t.gettext("a moderator"), NAME_LIMIT)


def _what(t: Texts, action: LoggedAction) -> str:
    """What a line of the record did: a verdict's as VERDICTS labels it, any other here."""
    verdicts = logged_labels()
    if action in verdicts:
        return t.gettext(verdicts[action])
    return {
        LoggedAction.UNBAN: t.gettext("🔓 unbanned"),
        LoggedAction.UNPUBLISH: t.gettext("↩️ unpublished"),
        LoggedAction.EDIT: t.gettext("✏️ edited"),
        LoggedAction.CAUGHT: t.gettext("🧹 caught as spam"),
        LoggedAction.NOT_SPAM: t.gettext("↩️ not spam"),
        LoggedAction.REPLY: t.gettext("✉️ answered"),
        LoggedAction.NOTE: t.gettext("📝 note"),
        LoggedAction.REASON: t.gettext("💬 reason given"),
        LoggedAction.FORGET: t.gettext("🫥 forgotten on request"),
    }[action]


def _caught_reasons(t: Texts, entry: LogEntry) -> str | None:
    """The spam check's reasons, by kind: the record keeps no counts (a wave's accounts,
    emoji), so those are named without them."""
    kinds = entry.detail.get("reasons")
    if not isinstance(kinds, list) or not kinds:
        return None
    counted: dict[str, str] = {
        ReasonKind.SIMILAR_SPAM.value: t.gettext("like messages marked spam"),
        ReasonKind.WAVE.value: t.gettext("same text from several accounts"),
        ReasonKind.EMOJI.value: t.gettext("emoji"),
    }
    return ", ".join(counted.get(str(kind)) or reason_text(t, str(kind), 0, 0) for kind in kinds)


def history_line(t: Texts, entry: LogEntry) -> str:
    """When, what (and on which item), by whom, why, and a ban's term."""
    what = _what(t, entry.action)
    if entry.submission_id is not None:
        what += f" #{entry.submission_id}"
    parts = [moment(t, entry.at), what, t.gettext("by {who}").format(who=_who(t, entry))]
    if entry.action is LoggedAction.NOTE:
        parts.append(f"«{esc(one_line(entry.reason or ''))}»")
    elif entry.reason:
        parts.append(esc(shorten(reason_label(t, entry.reason), REASON_IN_HISTORY_LIMIT)))
    caught = _caught_reasons(t, entry) if entry.action is LoggedAction.CAUGHT else None
    if caught:
        parts.append(esc(caught))
    if entry.action is LoggedAction.BAN and entry.until is not None:
        parts.append(
            t.gettext("{term}, until {end}").format(
                term=term(t, entry.until - entry.at), end=moment(t, entry.until)
            )
        )
    return "• " + " · ".join(parts)


def history(
    t: Texts, author: Person, past: AuthorHistory, lines: Sequence[LogEntry], total: int
) -> str:
    """`/history`: the author, their counts, and their record newest first, as many lines
    as one message holds (Telegram's 4096), saying how many older ones are left out."""
    head = [
        t.gettext("📜 <b>Record of</b> {person}").format(person=person_line(author)),
        t.gettext("📊 Approved: {approved} · rejected: {rejected} · spam: {spam}").format(
            approved=past.approved, rejected=past.rejected - past.spam, spam=past.spam
        ),
    ]
    if not lines:
        return "\n".join([*head, "", t.gettext("Nothing in the record yet.")])
    widest_tail = _left_out(t, total)
    shown: list[str] = []
    for line in (history_line(t, entry) for entry in lines):
        candidate = "\n".join([*head, "", *shown, line, widest_tail])
        if visible_length(candidate) > MESSAGE_LIMIT:
            break
        shown.append(line)
    left_out = total - len(shown)
    tail = [_left_out(t, left_out)] if left_out else []
    return "\n".join([*head, "", *shown, *tail])


def _left_out(t: Texts, count: int) -> str:
    return t.ngettext(
        "…and {count} older line not shown.", "…and {count} older lines not shown.", count
    ).format(count=count)


def history_usage(t: Texts) -> str:
    return t.gettext("Usage: /history USER, where USER is a reader's numeric id or @username.")


def note_usage(t: Texts) -> str:
    return t.gettext(
        "Usage: /note USER TEXT, where USER is a reader's numeric id or @username,"
        " and TEXT the note for the moderators."
    )


def unknown_user(t: Texts, typed: str) -> str:
    return t.gettext("I know no reader {user}: they have not written to the bot.").format(
        user=esc(shorten(typed, 64))
    )


def note_too_long(t: Texts, limit: int, length: int) -> str:
    return t.gettext("A note is at most {limit} characters; this one has {length}.").format(
        limit=limit, length=length
    )


def note_added(t: Texts, author: Person) -> str:
    return t.gettext(
        "📝 Note added to the record of {person}; it shows on their next cards."
    ).format(person=person_line(author))
