from __future__ import annotations

from bot.services import articles, bans, comments, moderation
from bot.services.articles import PostRequest
from bot.services.comments import OpenResult, SubmitResult
from bot.services.effects import Effect
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage.db import Database
from storage.models import Article, Person
from tests.factories import ADMIN_ID, MODERATOR, READER


async def published_article(db: Database, title: str = "Budget vote") -> Article:
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/budget", title, "Summary"), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=10 + article.id)
    found = await articles.get_article(db, article.id)
    assert found is not None
    return found


async def rows(db: Database, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    async with db.reading() as conn, conn.execute(sql, args) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def test_a_comment_is_stored_pending_with_its_card_in_the_same_transaction(
    db: Database, settings: Settings
) -> None:
    """Opening an article then sending text stores one pending comment and one card row."""
    article = await published_article(db)
    view = await comments.open_article(db, READER, article.id, 2.0)
    assert view.result is OpenResult.READY
    outcome = await comments.submit_comment(db, settings, READER, "  Great piece  ", 3.0)
    assert outcome.result is SubmitResult.ACCEPTED
    assert await rows(db, "SELECT kind, user_id, article_id, text, status FROM submissions") == [
        ("comment", READER.user_id, article.id, "Great piece", "pending")
    ]
    assert await rows(
        db, "SELECT action, chat_key FROM outbox WHERE action != 'tell_reader' ORDER BY id"
    ) == [
        (Effect.ACKNOWLEDGE.value, str(READER.user_id)),
        (Effect.SEND_CARD.value, str(settings.moderation_chat_id)),
    ]
    # The reader's state is spent: a second message is not another comment.
    again = await comments.submit_comment(db, settings, READER, "Second", 4.0)
    assert again.result is SubmitResult.NOT_COMMENTING


async def test_a_too_long_comment_stores_nothing_and_keeps_the_reader_in_the_article(
    db: Database, settings: Settings
) -> None:
    """Over COMMENT_MAX_LENGTH: refused, nothing stored, a shorter retry is accepted."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    limit = settings.comment_max_length
    refused = await comments.submit_comment(db, settings, READER, "x" * (limit + 1), 3.0)
    assert refused.result is SubmitResult.TOO_LONG
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(0,)]
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE action != 'tell_reader'") == [(0,)]
    accepted = await comments.submit_comment(db, settings, READER, "x" * limit, 4.0)
    assert accepted.result is SubmitResult.ACCEPTED


async def test_text_without_an_open_article_is_not_a_comment(
    db: Database, settings: Settings
) -> None:
    """A reader who opened nothing is told how to comment; nothing is stored."""
    outcome = await comments.submit_comment(db, settings, READER, "hello", 1.0)
    assert outcome.result is SubmitResult.NOT_COMMENTING
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(0,)]


async def test_an_unpublished_article_takes_no_new_comments(
    db: Database, settings: Settings
) -> None:
    """Unpublishing closes an article even for a reader who had it open."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    assert await articles.close_article(db, settings, article.id, ADMIN_ID, 3.0) is not None
    outcome = await comments.submit_comment(db, settings, READER, "late", 4.0)
    assert outcome.result is SubmitResult.ARTICLE_CLOSED
    view = await comments.open_article(db, READER, article.id, 5.0)
    assert view.result is OpenResult.CLOSED
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(0,)]


async def test_a_banned_author_is_refused_and_unban_lets_them_back(
    db: Database, settings: Settings
) -> None:
    """Ban author: later submissions refused with no card; /unban restores the reader."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    first = await comments.submit_comment(db, settings, READER, "troll", 3.0)
    assert first.submission_id is not None
    await moderation.decide(db, settings, first.submission_id, Decision.BAN, MODERATOR, 4.0)
    assert (await comments.open_article(db, READER, article.id, 5.0)).result is OpenResult.BANNED
    cards_before = await rows(
        db, "SELECT COUNT(*) FROM outbox WHERE action != 'tell_reader' AND action = 'send_card'"
    )
    outcome = await comments.submit_comment(db, settings, READER, "again", 6.0)
    assert outcome.result is SubmitResult.NOT_COMMENTING
    assert (
        await rows(
            db, "SELECT COUNT(*) FROM outbox WHERE action != 'tell_reader' AND action = 'send_card'"
        )
        == cards_before
    )
    assert await bans.unban(db, settings, READER.user_id, 6.5) is True
    assert await bans.unban(db, settings, READER.user_id, 6.6) is False
    assert (await comments.open_article(db, READER, article.id, 7.0)).result is OpenResult.READY


async def test_the_article_view_shows_only_approved_comments_newest_ten(
    db: Database, settings: Settings
) -> None:
    """The view lists up to 10 approved comments with authors' names; pending ones stay hidden."""
    article = await published_article(db)
    for number in range(12):
        author = Person(3000 + number, f"Reader{number}")
        await comments.open_article(db, author, article.id, 2.0)
        outcome = await comments.submit_comment(db, settings, author, f"comment {number}", 3.0)
        assert outcome.submission_id is not None
        if number != 11:
            await moderation.decide(
                db, settings, outcome.submission_id, Decision.APPROVE, MODERATOR, 4.0
            )
    view = await comments.open_article(db, READER, article.id, 5.0)
    assert view.approved_count == 11
    assert [c.text for c in view.comments] == [f"comment {n}" for n in range(1, 11)]
    assert view.comments[0].author_name == "Reader1"


async def test_a_reader_banned_while_commenting_is_refused(
    db: Database, settings: Settings
) -> None:
    """A ban that lands while the reader has an article open refuses their next text."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    first = await comments.submit_comment(db, settings, READER, "first", 3.0)
    assert first.submission_id is not None
    await comments.open_article(db, READER, article.id, 4.0)
    await moderation.decide(db, settings, first.submission_id, Decision.BAN, MODERATOR, 5.0)
    outcome = await comments.submit_comment(db, settings, READER, "second", 6.0)
    assert outcome.result is SubmitResult.BANNED
    assert await rows(db, "SELECT COUNT(*) FROM submissions") == [(1,)]
