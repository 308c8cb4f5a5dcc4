"""/stats for moderators (in the moderators' language) and /status for admins (in the
admin's own): figures, worded and escaped.

Lists are capped (LIST_LIMIT lines, then "and N more"), and every name or error from
outside is shortened, so each message stays well under Telegram's 4096 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Texts
from bot.rendering.admins import right_name
from bot.rendering.common import esc, moment, name_html
from bot.services.reports import BotStatus, ChatCheck, ChatRole, DeliveryError, ModerationStats
from bot.text import shorten
from storage.models import SubmissionKind
from storage.reports import ChatBacklog, ModeratorTally

LIST_LIMIT = 20
NAME_LIMIT = 60
# Chat ids and @usernames are at most 33 characters; titles up to 128.
KEY_LIMIT = 40
TITLE_LIMIT = 100
ERROR_LIMIT = 300


def duration(t: Texts, seconds: float) -> str:
    """A span as people say it, to the precision that matters at its size."""
    whole = max(0, int(seconds))
    if whole < 60:
        return t.gettext("{seconds} s").format(seconds=whole)
    minutes = whole // 60
    if minutes < 60:
        return t.gettext("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return t.gettext("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
        return t.gettext("{hours} h").format(hours=hours)
    days, hours = divmod(hours, 24)
    if hours:
        return t.gettext("{days} d {hours} h").format(days=days, hours=hours)
    return t.gettext("{days} d").format(days=days)


# ------------------------------------------------------------------ /stats


def stats(t: Texts, report: ModerationStats) -> str:
    lines = [t.gettext("📊 <b>Moderation stats</b>"), "", *_pending_lines(t, report), ""]
    lines += _decision_lines(t, report)
    if report.caught_last_week or report.undone_last_week:
        lines += ["", _catch_line(t, report)]
    lines += ["", *_moderator_lines(t, report.moderators)]
    return "\n".join(lines)


def _catch_line(t: Texts, report: ModerationStats) -> str:
    return t.gettext(
        "<b>Caught as spam by the check:</b> {caught} in the last 7 days,"
        " {undone} of them put back with ↩️ Not spam (/spam)"
    ).format(caught=report.caught_last_week, undone=report.undone_last_week)


def _pending_lines(t: Texts, report: ModerationStats) -> list[str]:
    if report.pending == 0 or report.oldest is None:
        return [t.gettext("<b>Waiting now:</b> nothing 🎉")]
    oldest = report.oldest
    comments = t.ngettext("{count} comment", "{count} comments", report.pending_comments)
    contacts = t.ngettext(
        "{count} contact message", "{count} contact messages", report.pending_contacts
    )
    waiting = duration(t, report.now - oldest.created_at)
    oldest_line = (
        t.gettext("Oldest: comment #{id}, waiting for {duration}")
        if oldest.kind is SubmissionKind.COMMENT
        else t.gettext("Oldest: contact message #{id}, waiting for {duration}")
    )
    return [
        t.gettext("<b>Waiting now:</b> {count} ({comments}, {contacts})").format(
            count=report.pending,
            comments=comments.format(count=report.pending_comments),
            contacts=contacts.format(count=report.pending_contacts),
        ),
        oldest_line.format(id=oldest.submission_id, duration=waiting),
    ]


def _decision_lines(t: Texts, report: ModerationStats) -> list[str]:
    lines = [
        t.gettext("<b>Decided:</b> {day} in the last 24 hours, {week} in the last 7 days").format(
            day=report.decided_last_day, week=report.decided_last_week
        )
    ]
    if report.by_rule_last_week:
        lines.append(
            t.ngettext(
                "({count} of them published at once by the trusted-author rule)",
                "({count} of them published at once by the trusted-author rule)",
                report.by_rule_last_week,
            ).format(count=report.by_rule_last_week)
        )
    if report.median_wait is None:
        lines.append(
            t.gettext(
                "<b>Median time to a decision</b> (last 7 days): no moderator decided anything"
            )
        )
    else:
        lines.append(
            t.gettext("<b>Median time to a decision</b> (last 7 days): {duration}").format(
                duration=duration(t, report.median_wait)
            )
        )
    return lines


def _moderator_lines(t: Texts, moderators: Sequence[ModeratorTally]) -> list[str]:
    if not moderators:
        return [t.gettext("No moderator decided anything in the last 7 days.")]
    lines = [
        t.gettext(
            "<b>By moderator</b> (last 7 days): ✅ approved · ❌ rejected · 🚫 rejected with a ban"
        )
    ]
    for tally in moderators[:LIST_LIMIT]:
        lines.append(
            f"{name_html(tally.name, NAME_LIMIT)}:"
            f" ✅ {tally.approved} · ❌ {tally.rejected} · 🚫 {tally.banned}"
        )
    hidden = len(moderators) - LIST_LIMIT
    if hidden > 0:
        lines.append(
            t.ngettext(
                "…and {count} more moderator", "…and {count} more moderators", hidden
            ).format(count=hidden)
        )
    return lines


# ------------------------------------------------------------------ /status


def status(t: Texts, report: BotStatus) -> str:
    lines = [
        t.gettext("🩺 <b>Bot status</b>"),
        t.gettext("Version {version}, up {duration}").format(
            version=esc(report.version), duration=duration(t, report.uptime)
        ),
        "",
        *_backlog_lines(t, report),
        "",
        _last_error_line(t, report.last_error, report.chats, report.now),
        "",
        t.gettext("<b>Chats</b>"),
        *[_chat_check_line(t, check) for check in report.chats[:LIST_LIMIT]],
        *_more_chats(t, len(report.chats) - LIST_LIMIT),
    ]
    return "\n".join(lines)


def _more_chats(t: Texts, hidden: int) -> list[str]:
    if hidden <= 0:
        return []
    return [
        t.ngettext("…and {count} more chat", "…and {count} more chats", hidden).format(count=hidden)
    ]


def role_name(t: Texts, role: ChatRole) -> str:
    if role is ChatRole.CHANNEL:
        return t.gettext("channel")
    if role is ChatRole.MODERATION:
        return t.gettext("moderation group")
    return t.gettext("discussion group")


def _chat_label(t: Texts, chat_key: str, chats: Sequence[ChatCheck]) -> str:
    """The role of a configured chat; else a person's private chat, or the bare id."""
    for check in chats:
        if check.chat_key == chat_key:
            return role_name(t, check.role)
    if chat_key.isdigit():
        return t.gettext("private chat <code>{id}</code>").format(id=esc(chat_key))
    return t.gettext("chat <code>{id}</code>").format(id=esc(shorten(chat_key, KEY_LIMIT)))


def _backlog_lines(t: Texts, report: BotStatus) -> list[str]:
    oldest = report.oldest_row_at
    if not report.backlog or oldest is None:
        return [t.gettext("<b>Outbox:</b> nothing waiting")]
    lines = [
        t.ngettext(
            "<b>Outbox:</b> {count} row waiting, the oldest for {duration}",
            "<b>Outbox:</b> {count} rows waiting, the oldest for {duration}",
            report.waiting_rows,
        ).format(count=report.waiting_rows, duration=duration(t, report.now - oldest))
    ]
    lines += [_backlog_line(t, chat, report) for chat in report.backlog[:LIST_LIMIT]]
    return lines + _more_chats(t, len(report.backlog) - LIST_LIMIT)


def _backlog_line(t: Texts, chat: ChatBacklog, report: BotStatus) -> str:
    return t.gettext("• {chat}: {count}, oldest {duration}").format(
        chat=_chat_label(t, chat.chat_key, report.chats),
        count=chat.rows,
        duration=duration(t, report.now - chat.oldest_created_at),
    )


def _last_error_line(
    t: Texts, error: DeliveryError | None, chats: Sequence[ChatCheck], now: float
) -> str:
    if error is None:
        return t.gettext("<b>Last Telegram error:</b> none since start")
    return t.gettext(
        "<b>Last Telegram error:</b> {time} ({duration} ago), {chat},"
        " <code>{action}</code>: {error}"
    ).format(
        time=moment(t, error.at),
        duration=duration(t, now - error.at),
        chat=_chat_label(t, error.chat_key, chats),
        action=esc(shorten(error.action, NAME_LIMIT)),
        error=esc(shorten(error.description, ERROR_LIMIT)),
    )


def _chat_check_line(t: Texts, check: ChatCheck) -> str:
    where = f"{role_name(t, check.role)} <code>{esc(shorten(check.chat_key, KEY_LIMIT))}</code>"
    if check.absent_as is not None:
        # Telegram's own word for the bot's status there (left, kicked...).
        absent = t.gettext("I am not in it ({status})").format(status=esc(check.absent_as))
        return f"❌ {where}: {absent}"
    if check.error is not None:
        return f"❌ {where}: {esc(shorten(check.error, ERROR_LIMIT))}"
    title = esc(shorten(check.title or "", TITLE_LIMIT))
    if "administrator" in check.missing:
        # Privacy mode hides the group's messages from a plain member: see bot.chats.
        return t.gettext("⚠️ {chat}: {title}: I am a plain member, not an administrator").format(
            chat=where, title=title
        )
    if check.missing:
        rights = ", ".join(f"“{esc(right_name(t, right))}”" for right in check.missing)
        return t.gettext("⚠️ {chat}: {title}: I lack the rights {rights}").format(
            chat=where, title=title, rights=rights
        )
    return t.gettext("✅ {chat}: ok: {title}").format(chat=where, title=title)
