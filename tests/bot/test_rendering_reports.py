"""/stats and /status texts: Telegram accepts their HTML, long lists are capped under 4096
characters, and names and errors from outside read back as they were."""

from __future__ import annotations

import pytest

from bot.i18n import Texts
from bot.rendering import reports as report_texts
from bot.services.reports import BotStatus, ChatCheck, ChatRole, DeliveryError, ModerationStats
from bot.text import MESSAGE_LIMIT
from sandbox.bot_api.html_parser import parse_html, utf16_length
from storage.models import SubmissionKind
from storage.reports import ChatBacklog, ModeratorTally, OldestPending

NOW = 1_000_000.0
HOSTILE = "<b>Eve</b> & <script>😀"
EN = Texts("en")


def accepted(html_text: str) -> str:
    """The text as Telegram shows it; fails as Telegram would refuse it."""
    plain, _ = parse_html(html_text)
    plain = plain.strip()
    assert plain, "message text is empty"
    assert utf16_length(plain) <= MESSAGE_LIMIT, "message is too long"
    return plain


def stats(**changes: object) -> ModerationStats:
    values: dict[str, object] = {
        "pending_comments": 2,
        "pending_contacts": 1,
        "oldest": OldestPending(7, SubmissionKind.CONTACT, NOW - 3 * 3600 - 5 * 60),
        "decided_last_day": 4,
        "decided_last_week": 9,
        "by_rule_last_week": 1,
        "median_wait": 750.0,
        "moderators": [ModeratorTally(1002, "Mo Derator", 2, 1, 0)],
        "now": NOW,
        "caught_last_week": 5,
        "undone_last_week": 1,
    }
    values.update(changes)
    return ModerationStats(**values)  # type: ignore[arg-type]


def status(**changes: object) -> BotStatus:
    values: dict[str, object] = {
        "version": "0.1.0",
        "uptime": 2 * 86400 + 3 * 3600,
        "backlog": [ChatBacklog("-100", 3, NOW - 120), ChatBacklog("2001", 1, NOW - 10)],
        "last_error": DeliveryError(NOW - 60, "-100", "send_card", "429 retry after 30s"),
        "chats": [
            ChatCheck(ChatRole.CHANNEL, "@the_blog", title="The Blog"),
            ChatCheck(ChatRole.MODERATION, "-100", error="Forbidden: bot was kicked"),
        ],
        "now": NOW,
    }
    values.update(changes)
    return BotStatus(**values)  # type: ignore[arg-type]


def test_stats_show_every_figure() -> None:
    """Pending by kind with the oldest, the day and week, the rule's share, the median,
    and one line per moderator."""
    shown = accepted(report_texts.stats(EN, stats()))
    assert "Waiting now: 3 (2 comments, 1 contact message)" in shown
    assert "Oldest: contact message #7, waiting for 3 h 5 min" in shown
    assert "Decided: 4 in the last 24 hours, 9 in the last 7 days" in shown
    assert "1 of them published at once by the trusted-author rule" in shown
    assert "Median time to a decision (last 7 days): 12 min" in shown
    assert "Mo Derator: ✅ 2 · ❌ 1 · 🚫 0" in shown
    assert (
        "Caught as spam by the check: 5 in the last 7 days, 1 of them put back with ↩️ Not spam"
        in shown
    )


def test_stats_of_nothing_say_so() -> None:
    """An empty database reads as nothing waiting and no decisions, not as zeros to puzzle."""
    shown = accepted(
        report_texts.stats(
            EN,
            stats(
                pending_comments=0,
                pending_contacts=0,
                oldest=None,
                decided_last_day=0,
                decided_last_week=0,
                by_rule_last_week=0,
                median_wait=None,
                moderators=[],
                caught_last_week=0,
                undone_last_week=0,
            ),
        )
    )
    assert "Waiting now: nothing" in shown
    assert "Caught as spam" not in shown
    assert "trusted-author rule" not in shown
    assert "Median time to a decision (last 7 days): no moderator decided anything" in shown
    assert "No moderator decided anything in the last 7 days." in shown


def test_stats_cap_the_moderators_and_escape_their_names() -> None:
    """Fifty moderators with long hostile names: 20 lines, "and 30 more", under 4096."""
    moderators = [
        ModeratorTally(index, f"{HOSTILE} {index} " + "😀" * 200, 1, 2, 3) for index in range(50)
    ]
    html_text = report_texts.stats(EN, stats(moderators=moderators))
    assert "<script>" not in html_text
    shown = accepted(html_text)
    assert shown.count(HOSTILE) == report_texts.LIST_LIMIT
    assert "…and 30 more moderators" in shown


def test_status_shows_backlog_error_and_chats() -> None:
    """Version and uptime, the backlog by chat named by role, the last error, each chat."""
    shown = accepted(report_texts.status(EN, status()))
    assert "Version 0.1.0, up 2 d 3 h" in shown
    assert "Outbox: 4 rows waiting, the oldest for 2 min" in shown
    assert "• moderation group: 3, oldest 2 min" in shown
    assert "• private chat 2001: 1, oldest 10 s" in shown
    assert "(1 min ago), moderation group, send_card: 429 retry after 30s" in shown
    assert "✅ channel @the_blog: ok: The Blog" in shown
    assert "❌ moderation group -100: Forbidden: bot was kicked" in shown


def test_status_with_nothing_to_report() -> None:
    shown = accepted(report_texts.status(EN, status(backlog=[], last_error=None)))
    assert "Outbox: nothing waiting" in shown
    assert "Last Telegram error: none since start" in shown


def test_status_caps_long_lists_and_escapes_what_telegram_said() -> None:
    """Fifty chats waiting, huge hostile errors and titles: capped, escaped, under 4096."""
    backlog = [ChatBacklog(f"@{HOSTILE}{index}" + "x" * 300, 1, NOW) for index in range(50)]
    chats = [
        ChatCheck(ChatRole.CHANNEL, f"@{HOSTILE}" * 20, title=HOSTILE * 100),
        ChatCheck(ChatRole.MODERATION, "-100", error=HOSTILE * 1000),
        ChatCheck(ChatRole.DISCUSSION, "-200", title=HOSTILE * 100),
    ]
    error = DeliveryError(NOW, f"@{HOSTILE}" * 20, HOSTILE * 10, HOSTILE * 1000)
    html_text = report_texts.status(EN, status(backlog=backlog, last_error=error, chats=chats))
    assert "<script>" not in html_text
    shown = accepted(html_text)
    assert "…and 30 more chats" in shown
    assert shown.count("\n• ") == report_texts.LIST_LIMIT
    assert "<b>Eve</b> & <script>😀" in shown


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (-5, "0 s"),
        (59.9, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (3 * 3600 + 5 * 60, "3 h 5 min"),
        (86400, "1 d"),
        (2 * 86400 + 3 * 3600 + 59, "2 d 3 h"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float, said: str) -> None:
    assert report_texts.duration(EN, seconds) == said


def test_status_names_what_the_bot_lacks_in_a_chat() -> None:
    """A plain member that must be an administrator, or an admin without a right it uses:
    the chat's line says which, in the admin's language."""
    chats = [
        ChatCheck(ChatRole.CHANNEL, "-1001", title="The Blog", missing=("can_edit_messages",)),
        ChatCheck(ChatRole.DISCUSSION, "-1003", title="Chat", missing=("administrator",)),
    ]
    shown = accepted(report_texts.status(EN, status(chats=chats)))
    assert "⚠️ channel -1001: The Blog: I lack the rights “Edit messages of others”" in shown
    assert "⚠️ discussion group -1003: Chat: I am a plain member, not an administrator" in shown
    spanish = accepted(report_texts.status(Texts("es"), status(chats=chats)))
    assert "soy un miembro común, no administrador" in spanish
