from __future__ import annotations

import pytest

from bot.services.articles import (
    TITLE_MAX_LENGTH,
    PostCommandError,
    PostProblem,
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
    ("arguments", "problem"),
    [
        ("", PostProblem.NO_LINK),
        ("blog.example/a\nTitle", PostProblem.NOT_A_LINK),
        ("javascript:alert(1)\nTitle", PostProblem.NOT_A_LINK),
        ("https://blog.example/a", PostProblem.NO_TITLE),
        ("https://localhost/a\nTitle", PostProblem.NOT_A_LINK),
        ("https://blog.example/a\n" + "T" * (TITLE_MAX_LENGTH + 1), PostProblem.TITLE_TOO_LONG),
    ],
)
def test_malformed_posts_are_explained(arguments: str, problem: PostProblem) -> None:
    """Each malformed /post gets a reason the admin can act on."""
    with pytest.raises(PostCommandError) as refused:
        parse_post_command(arguments)
    assert refused.value.problem is problem
