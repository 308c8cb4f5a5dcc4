"""/stats for moderators and /status for admins: figures, worded and escaped.

Lists are capped (LIST_LIMIT lines, then "and N more"), and every name or error from
outside is shortened, so each message stays well under Telegram's 4096 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering.common import esc, utc
from bot.services.reports import BotStatus, ChatCheck, DeliveryError, ModerationStats
from bot.text import shorten
from storage.models import SubmissionKind
from storage.reports import ChatBacklog, ModeratorTally

LIST_LIMIT = 20
NAME_LIMIT = 60
# Chat ids and @usernames are at most 33 characters; titles up to 128.
KEY_LIMIT = 40
TITLE_LIMIT = 100
ERROR_LIMIT = 300

_KIND_NAMES = {SubmissionKind.COMMENT: "comment", SubmissionKind.CONTACT: "contact message"}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def duration(seconds: float) -> str:
    """A span as people say it, to the precision that matters at its size."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _and_more(hidden: int, noun: str) -> list[str]:
    return [f"…and {hidden} more {noun}{'' if hidden == 1 else 's'}"] if hidden > 0 else []


# ------------------------------------------------------------------ /stats


def stats(report: ModerationStats) -> str:
    lines = ["📊 <b>Moderation stats</b>", "", *_pending_lines(report), ""]
    lines += _decision_lines(report)
    lines += ["", *_moderator_lines(report.moderators)]
    return "\n".join(lines)


def _pending_lines(report: ModerationStats) -> list[str]:
    if report.pending == 0 or report.oldest is None:
        return ["<b>Waiting now:</b> nothing 🎉"]
    oldest = report.oldest
    return [
        f"<b>Waiting now:</b> {report.pending}"
        f" ({_count(report.pending_comments, 'comment')},"
        f" {_count(report.pending_contacts, 'contact message')})",
        f"Oldest: {_KIND_NAMES[oldest.kind]} #{oldest.submission_id},"
        f" waiting for {duration(report.now - oldest.created_at)}",
    ]


def _decision_lines(report: ModerationStats) -> list[str]:
    lines = [
        f"<b>Decided:</b> {report.decided_last_day} in the last 24 hours,"
        f" {report.decided_last_week} in the last 7 days"
    ]
    if report.by_rule_last_week:
        lines.append(
            f"({report.by_rule_last_week} of them published at once by the trusted-author rule)"
        )
    median = (
        duration(report.median_wait)
        if report.median_wait is not None
        else "no moderator decided anything"
    )
    lines.append(f"<b>Median time to a decision</b> (last 7 days): {median}")
    return lines


def _moderator_lines(moderators: Sequence[ModeratorTally]) -> list[str]:
    if not moderators:
        return ["No moderator decided anything in the last 7 days."]
    lines = [
        "<b>By moderator</b> (last 7 days): ✅ approved · ❌ rejected · 🚫 rejected with a ban"
    ]
    for tally in moderators[:LIST_LIMIT]:
        lines.append(
            f"{esc(shorten(tally.name, NAME_LIMIT))}:"
            f" ✅ {tally.approved} · ❌ {tally.rejected} · 🚫 {tally.banned}"
        )
    return lines + _and_more(len(moderators) - LIST_LIMIT, "moderator")


# ------------------------------------------------------------------ /status


def status(report: BotStatus) -> str:
    lines = [
        "🩺 <b>Bot status</b>",
        f"Version {esc(report.version)}, up {duration(report.uptime)}",
        "",
        *_backlog_lines(report),
        "",
        _last_error_line(report.last_error, report.chats, report.now),
        "",
        "<b>Chats</b>",
        *[_chat_check_line(check) for check in report.chats[:LIST_LIMIT]],
        *_and_more(len(report.chats) - LIST_LIMIT, "chat"),
    ]
    return "\n".join(lines)


def _chat_label(chat_key: str, chats: Sequence[ChatCheck]) -> str:
    """The role of a configured chat; else a person's private chat, or the bare id."""
    for check in chats:
        if check.chat_key == chat_key:
            return check.role
    if chat_key.isdigit():
        return f"private chat <code>{esc(chat_key)}</code>"
    return f"chat <code>{esc(shorten(chat_key, KEY_LIMIT))}</code>"


def _backlog_lines(report: BotStatus) -> list[str]:
    oldest = report.oldest_row_at
    if not report.backlog or oldest is None:
        return ["<b>Outbox:</b> nothing waiting"]
    lines = [
        f"<b>Outbox:</b> {_count(report.waiting_rows, 'row')} waiting,"
        f" the oldest for {duration(report.now - oldest)}"
    ]
    lines += [_backlog_line(chat, report) for chat in report.backlog[:LIST_LIMIT]]
    return lines + _and_more(len(report.backlog) - LIST_LIMIT, "chat")


def _backlog_line(chat: ChatBacklog, report: BotStatus) -> str:
    return (
        f"• {_chat_label(chat.chat_key, report.chats)}: {chat.rows},"
        f" oldest {duration(report.now - chat.oldest_created_at)}"
    )


def _last_error_line(error: DeliveryError | None, chats: Sequence[ChatCheck], now: float) -> str:
    if error is None:
        return "<b>Last Telegram error:</b> none since start"
    return (
        f"<b>Last Telegram error:</b> {utc(error.at)} ({duration(now - error.at)} ago),"
        f" {_chat_label(error.chat_key, chats)}, <code>{esc(shorten(error.action, NAME_LIMIT))}"
        f"</code>: {esc(shorten(error.description, ERROR_LIMIT))}"
    )


def _chat_check_line(check: ChatCheck) -> str:
    where = f"{check.role} <code>{esc(shorten(check.chat_key, KEY_LIMIT))}</code>"
    if check.error is not None:
        return f"❌ {where}: {esc(shorten(check.error, ERROR_LIMIT))}"
    return f"✅ {where}: ok: {esc(shorten(check.title or '', TITLE_LIMIT))}"
