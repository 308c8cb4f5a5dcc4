"""Numbers typed by people (command arguments, deep-link payloads) and carried in button
data are read as ASCII digits only: `str.isdigit` and regex `\\d` accept other scripts'
digits, and `int()` refuses some of those ("²", "①") and reads others ("٣") as a number
nobody typed."""

from __future__ import annotations

import pytest

from bot import callback_data
from bot.parsing import parse_id, parse_term
from bot.rendering.common import parse_article_payload
from bot.services.verdicts import Decision

# Superscript two, Arabic-Indic three, circled one, fullwidth one, Devanagari seven.
UNICODE_DIGITS = pytest.mark.parametrize(
    "digit",
    ["²", "٣", "①", "１", "७"],
    ids=["superscript", "arabic-indic", "circled", "fullwidth", "devanagari"],
)


@UNICODE_DIGITS
def test_a_unicode_digit_is_no_article_payload(digit: str) -> None:
    """`/start a²` and the like name no article (and raise nothing)."""
    assert parse_article_payload(f"a{digit}") is None
    assert parse_article_payload(f"a1{digit}") is None


@UNICODE_DIGITS
def test_a_unicode_digit_is_no_id(digit: str) -> None:
    """`/unban ²`, `/unpublish #٣`: no id, so the command explains its usage."""
    assert parse_id(digit) is None
    assert parse_id(f"#{digit}") is None
    assert parse_id(f"12{digit}") is None


@UNICODE_DIGITS
def test_a_unicode_digit_is_no_button_data(digit: str) -> None:
    """Button data with another script's digits is stale data, not an item's id."""
    assert callback_data.parse_moderation(f"mod:v1:approve:{digit}") is None
    assert callback_data.parse_open_article(f"art:v1:open:{digit}") is None
    assert callback_data.parse_desk(f"desk:v1:skip:{digit}") is None
    assert callback_data.parse_private_desk(f"pdesk:v1:next:{digit}") is None


def test_ascii_ids_are_read() -> None:
    assert parse_article_payload("a42") == 42
    assert parse_id(" #42 ") == 42
    assert callback_data.parse_moderation("mod:v1:approve:42") == callback_data.ModerationPress(
        Decision.APPROVE, 42
    )


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("30m", 1800),
        ("90min", 5400),
        ("24h", 86400),
        ("24H", 86400),
        ("7d", 7 * 86400),
        ("2w", 14 * 86400),
        ("2sem", 14 * 86400),
        ("365d", 365 * 86400),
        ("forever", None),
        ("Permanent", None),
        ("siempre", None),
        ("permanente", None),
    ],
)
def test_a_ban_term_as_moderators_type_it(typed: str, seconds: int | None) -> None:
    term = parse_term(typed)
    assert term is not None and term.seconds == seconds


@pytest.mark.parametrize("typed", ["", "7", "d", "3x", "10s", "0m", "366d", "53w", "7 d", "-1d"])
def test_not_a_ban_term(typed: str) -> None:
    """Nor one Telegram would take for good (under 30 seconds, over 366 days)."""
    assert parse_term(typed) is None


@UNICODE_DIGITS
def test_a_unicode_digit_is_no_ban_term(digit: str) -> None:
    assert parse_term(f"{digit}d") is None
    assert callback_data.parse_ban_term(f"term:v1:24h:{digit}") is None
