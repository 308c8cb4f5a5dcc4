from __future__ import annotations

import pytest

from bot.services import articles
from bot.services.articles import (
    TITLE_MAX_LENGTH,
    PostCommandError,
    PostProblem,
    PostRequest,
    parse_post_command,
)
from storage import discussion_copies
from storage.db import Database
from tests.factories import ADMIN_ID


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
        # A port in another script's digits: no port Telegram or a browser would take.
        ("https://blog.example:٣/a\nTitle", PostProblem.NOT_A_LINK),
        ("https://blog.example/a\n" + "T" * (TITLE_MAX_LENGTH + 1), PostProblem.TITLE_TOO_LONG),
    ],
)
def test_malformed_posts_are_explained(arguments: str, problem: PostProblem) -> None:
    """Each malformed /post gets a reason the admin can act on."""
    with pytest.raises(PostCommandError) as refused:
        parse_post_command(arguments)
    assert refused.value.problem is problem


async def test_a_forward_before_its_post_is_recorded_is_linked_when_the_post_is(
    db: Database,
) -> None:
    """The automatic forward came first: kept, it becomes the article's thread when the
    post is recorded, and is kept no longer."""
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    assert await articles.link_discussion_copy(db, 77, 501, 2.0) is None
    await articles.confirm_published(db, article.id, channel_message_id=77)
    linked = await articles.get_article(db, article.id)
    assert linked is not None and linked.discussion_message_id == 501
    async with db.transaction() as conn:
        assert await discussion_copies.take(conn, 77) is None


async def test_forwards_of_posts_that_are_not_ours_expire_and_are_bounded(db: Database) -> None:
    """A forward no post claims is kept for EARLY_COPY_KEPT_FOR seconds, and only the newest
    EARLY_COPIES_KEPT of them."""
    await articles.link_discussion_copy(db, 1, 1001, 0.0)
    later = articles.EARLY_COPY_KEPT_FOR + 1
    for number in range(2, articles.EARLY_COPIES_KEPT + 3):
        await articles.link_discussion_copy(db, number, 1000 + number, later + number)
    async with db.transaction() as conn:
        kept = [
            await discussion_copies.take(conn, n) for n in range(1, articles.EARLY_COPIES_KEPT + 3)
        ]
    # The first expired, the second was pushed out by the newest.
    assert kept[:2] == [None, None]
    assert kept[2:] == [1000 + n for n in range(3, articles.EARLY_COPIES_KEPT + 3)]
