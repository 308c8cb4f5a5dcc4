from __future__ import annotations

import pytest

from bot.services.articles import (
    TITLE_MAX_LENGTH,
    PostCommandError,
    PostRequest,
    parse_post_command,
)


def test_url_title_and_multiline_summary() -> None:
    """The first line is the link, the next the title, the rest the summary."""
    request = parse_post_command("https://blog.example/a?x=1&y=2\nTitle <b>\nLine one\nLine two")
    assert request == PostRequest(
        "https://blog.example/a?x=1&y=2", "Title <b>", "Line one\nLine two"
    )


def test_summary_is_optional() -> None:
    """A post without a summary is fine."""
    assert parse_post_command("https://blog.example/a\nTitle").summary == ""


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ("", "link is missing"),
        ("blog.example/a\nTitle", "starting with https"),
        ("javascript:alert(1)\nTitle", "starting with https"),
        ("https://blog.example/a", "title is missing"),
        ("https://localhost/a\nTitle", "starting with https"),
        ("https://blog.example/a\n" + "T" * (TITLE_MAX_LENGTH + 1), "title is longer"),
    ],
)
def test_malformed_posts_are_explained(arguments: str, reason: str) -> None:
    """Each malformed /post gets a reason the admin can act on."""
    with pytest.raises(PostCommandError, match=reason):
        parse_post_command(arguments)
