"""The record as moderators read it: a card's summary line, terms, and /history kept to
one message of Telegram's 4096 characters, saying how many older lines it leaves out."""

from __future__ import annotations

import pytest

from bot.i18n import SUPPORTED, Texts
from bot.rendering import record as record_texts
from bot.rendering.common import visible_length
from bot.text import MESSAGE_LIMIT
from sandbox.bot_api.html_parser import parse_html
from storage.models import AuthorHistory, LogEntry, LoggedAction, Person
from tests.factories import logged

EN = Texts("en")


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(30, "1 min"), (600, "10 min"), (3 * 3600, "3 h"), (86400, "24 h"), (7 * 86400, "7 days")],
)
def test_a_term_reads_as_people_say_it(seconds: float, said: str) -> None:
    assert record_texts.term(EN, seconds) == said


def test_a_clean_author_has_no_summary() -> None:
    assert record_texts.card_lines(EN, AuthorHistory(0, 0, banned_before=False)) == []


def test_the_summary_counts_reasons_spam_and_a_ban_before_the_record() -> None:
    """A reason no version knows (a moderator's words) is shown escaped and shortened."""
    past = AuthorHistory(
        3, 2, banned_before=True, spam=1, rejection_reasons=("off_topic", "<b>" + "x" * 80)
    )
    [line] = record_texts.card_lines(EN, past)
    assert line.startswith("📊 3 approved · 1 rejected (off-topic, &lt;b&gt;xxx")
    assert line.endswith("…) · 1 spam · banned before")


@pytest.mark.parametrize("language", SUPPORTED)
def test_history_keeps_to_one_message_and_says_what_it_leaves_out(language: str) -> None:
    t = Texts(language)
    lines: list[LogEntry] = [
        logged(LoggedAction.NOTE, id=n, reason="<i>" + "ü" * 497) for n in range(100, 0, -1)
    ]
    text = record_texts.history(
        t, Person(5, "Ivan" * 40), AuthorHistory(1, 1, banned_before=False), lines, 130
    )
    assert visible_length(text) <= MESSAGE_LIMIT
    plain, _ = parse_html(text)
    shown = plain.count("•")
    assert 0 < shown < 100
    assert text.endswith(
        t.ngettext(
            "…and {count} older line not shown.", "…and {count} older lines not shown.", 130 - shown
        ).format(count=130 - shown)
    )


def test_a_short_history_is_whole_with_nothing_left_out() -> None:
    lines = [logged(LoggedAction.APPROVE, id=2), logged(LoggedAction.BAN, id=1, until=86400.0)]
    text = record_texts.history(EN, Person(5, "Ivan"), AuthorHistory(1, 0, False), lines, 2)
    assert text.count("•") == 2 and "not shown" not in text
    assert "24 h, until Jan 2, 1970, 00:00 UTC" in text
