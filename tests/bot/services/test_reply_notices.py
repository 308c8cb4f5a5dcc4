"""Who hears of a reply to their comment, and when: the rules of bot.services.reply_notices,
driven through comments typed under a post left up (THREAD_MODERATION=post)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

import pytest
from telegram import Bot

from bot.delivery import replies, thread_posts
from bot.delivery.base import NOTHING, Delivery
from bot.services import articles, moderation, reply_notices
from bot.services.articles import PostRequest
from bot.services.spam_screen import Arrival, Screening, SpamScreen
from bot.services.verdicts import Decision
from bot.settings import Settings, SpamFilterMode
from bot.spam.checker import SpamCheck, Verdict
from storage import outbox, readers
from storage.db import Database
from storage.models import Person
from tests.factories import (
    ADMIN_ID,
    DISCUSSION_CHAT_ID,
    MODERATOR,
    READER,
    make_settings,
    typed_under_post,
)

REPLIER = Person(4242, "Rita")
THREAD = 500
TEN_MINUTES = reply_notices.NOTICE_INTERVAL


@pytest.fixture
def post_settings(database_path: Path) -> Settings:
    return make_settings(
        database_path, discussion_chat_id=DISCUSSION_CHAT_ID, thread_moderation="post"
    )


async def thread_of_an_article(db: Database) -> None:
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/budget", "Budget vote", "Summary"), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=77)
    await articles.link_discussion_copy(db, 77, THREAD, 1.5)


async def typed(
    db: Database,
    settings: Settings,
    author: Person,
    message_id: int,
    now: float,
    *,
    answering: int = THREAD,
    spam: SpamScreen | None = None,
) -> int:
    """`author` types message `message_id` under the post, answering `answering`; left up."""
    return await typed_under_post(
        db, settings, author, message_id, now, thread=THREAD, answering=answering, spam=spam
    )


async def notices(db: Database) -> list[tuple[int, int]]:
    """(to whom, the reply's message) of every notice queued."""
    async with (
        db.reading() as conn,
        conn.execute(
            "SELECT chat_key, json_extract(payload, '$.message_id') FROM outbox"
            " WHERE action = 'comment_answered' ORDER BY id"
        ) as cursor,
    ):
        return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]


async def test_one_notice_per_thread_in_ten_minutes_then_another(
    db: Database, post_settings: Settings
) -> None:
    """The first reply tells the author; more replies within ten minutes do not; one after
    ten minutes (time moved forward, not waited for) does again."""
    await thread_of_an_article(db)
    await typed(db, post_settings, READER, 601, 10.0)
    await typed(db, post_settings, REPLIER, 602, 20.0, answering=601)
    await typed(db, post_settings, REPLIER, 603, 20.0 + TEN_MINUTES - 1, answering=601)
    await typed(db, post_settings, REPLIER, 604, 20.0 + TEN_MINUTES, answering=601)
    assert await notices(db) == [(READER.user_id, 602), (READER.user_id, 604)]


async def test_no_notice_for_ones_own_reply_a_banned_author_or_notices_turned_off(
    db: Database, post_settings: Settings
) -> None:
    """Nobody hears of their own reply; a reader who turned notices off hears nothing, and
    on again hears the next; a banned reader hears nothing."""
    await thread_of_an_article(db)
    await typed(db, post_settings, READER, 601, 10.0)
    await typed(db, post_settings, READER, 602, 11.0, answering=601)
    await reply_notices.set_notifications(db, READER.user_id, on=False, now=12.0)
    assert not await reply_notices.notifications_on(db, READER.user_id)
    await typed(db, post_settings, REPLIER, 603, 13.0, answering=601)
    assert await notices(db) == []
    await reply_notices.set_notifications(db, READER.user_id, on=True, now=14.0)
    async with db.transaction() as conn:
        await readers.ban(conn, READER.user_id, MODERATOR.user_id, None, 15.0)
    await typed(db, post_settings, REPLIER, 604, 16.0, answering=601)
    assert await notices(db) == []


class FlaggingScreen(SpamScreen):
    """Every message "⚠️ Likely spam"."""

    def __init__(self) -> None:
        self._cas = None

    @property
    def checking(self) -> bool:
        return True

    def judge(
        self, arrivals: Sequence[Arrival], records: Mapping[int, tuple[int, int, int]]
    ) -> list[Screening | None]:
        return [
            Screening(SpamCheck(0.7, Verdict.UNSURE, ()), SpamFilterMode.ON, 0) for _ in arrivals
        ]


async def test_a_reply_flagged_as_likely_spam_tells_the_author_once_kept(
    db: Database, post_settings: Settings
) -> None:
    """A reply the spam check is unsure of is left up but tells nobody, until a moderator
    keeps it: then the author hears it."""
    await thread_of_an_article(db)
    await typed(db, post_settings, READER, 601, 10.0)
    flagged = await typed(
        db, post_settings, REPLIER, 602, 20.0, answering=601, spam=FlaggingScreen()
    )
    assert await notices(db) == []
    await moderation.decide(db, post_settings, flagged, Decision.APPROVE, MODERATOR, 30.0)
    # Kept, its thread post is the message already up: delivering it calls no Telegram
    # method, and its record queues the notice.
    async with db.reading() as conn:
        [post] = [row for row in await outbox.due(conn, 31.0, 100) if row.action == "thread_post"]
    delivered = await thread_posts.thread_post(
        Delivery(db, cast(Bot, None), post_settings, "newsroom_test_bot"), post
    )
    assert delivered.record is not None
    async with db.transaction() as conn:
        await delivered.record(conn)
    assert await notices(db) == [(READER.user_id, 602)]


async def test_a_notice_queued_before_notices_were_turned_off_is_not_sent(
    db: Database, post_settings: Settings
) -> None:
    """The reader turns notices off (or is banned) between the reply and its delivery:
    delivering it sends nothing (no Telegram call is made)."""
    await thread_of_an_article(db)
    await typed(db, post_settings, READER, 601, 10.0)
    await typed(db, post_settings, REPLIER, 602, 20.0, answering=601)
    await reply_notices.set_notifications(db, READER.user_id, on=False, now=21.0)
    async with db.reading() as conn:
        [notice] = [
            row for row in await outbox.due(conn, 22.0, 100) if row.action == "comment_answered"
        ]
    delivery = Delivery(db, cast(Bot, None), post_settings, "newsroom_test_bot")
    assert await replies.comment_answered(delivery, notice) == NOTHING
