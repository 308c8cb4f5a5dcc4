"""The reply notice and its links: Telegram's link forms, and hostile words kept as words."""

from __future__ import annotations

import pytest

from bot.i18n import Texts
from bot.rendering import common
from bot.rendering import replies as reply_texts
from bot.text import tg_length
from sandbox.bot_api.html_parser import parse_html


@pytest.mark.parametrize(
    ("channel", "post", "expected"),
    [
        # A channel known by id: the private link form, for its subscribers.
        (-1001234567890, 15, "https://t.me/c/1234567890/15?comment=99"),
        # Known by @username (not yet looked up): the public form.
        ("@The_Blog", 15, "https://t.me/The_Blog/15?comment=99"),
        # Under no post of ours: the message in the group.
        (-1001234567890, None, "https://t.me/c/1000000003/99"),
    ],
)
def test_comment_link_opens_the_reply_under_the_post(
    channel: int | str, post: int | None, expected: str
) -> None:
    """core.telegram.org/api/links: t.me/<channel>/<post>?comment=<id in the group>."""
    assert reply_texts.comment_link(channel, post, -1001000000003, 99) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("r12_345", (12, 345)),
        ("r12_", None),
        ("r_345", None),
        ("r12_3_4", None),
        ("r١٢_345", None),
        ("a12", None),
        ("r" + "9" * 20 + "_" + "9" * 20, None),
    ],
)
def test_reply_payload_is_read_back_or_refused(
    payload: str, expected: tuple[int, int] | None
) -> None:
    assert common.parse_reply_payload(payload) == expected


def test_reply_payload_round_trips_within_a_deep_links_limit() -> None:
    payload = common.reply_payload(10**12, 10**12)
    assert len(payload) <= 64
    assert common.parse_reply_payload(payload) == (10**12, 10**12)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_notice_keeps_hostile_words_as_words_and_fits_a_message(language: str) -> None:
    """Names, titles and replies are escaped; a long reply is cut to fit."""
    text = reply_texts.comment_answered(
        Texts(language),
        "<b>Eve</b> & <script>",
        "</blockquote><a href='x'>" + "y" * 5000,
        "A <title> & more",
        "https://t.me/c/1/2?comment=3&x=<4>",
        "https://t.me/newsroom_bot?start=r1_3",
    )
    plain, entities = parse_html(text)
    assert "<b>Eve</b> & <script>" in plain
    assert "A <title> & more" in plain
    assert "</blockquote><a href='x'>" in plain
    assert tg_length(plain) <= 4096
    links = [entity["url"] for entity in entities if entity["type"] == "text_link"]
    assert links == ["https://t.me/c/1/2?comment=3&x=<4>", "https://t.me/newsroom_bot?start=r1_3"]
