"""The outbox worker against the fake Bot API, without the Application around it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import ExtBot

from bot.app import message_defaults
from bot.delivery import settling
from bot.delivery import worker as worker_module
from bot.delivery.group_minute import HANDLER_RESERVE
from bot.delivery.outcome import MAX_INTERNAL_FAILURES, NOT_READY_ATTEMPTS
from bot.delivery.worker import OutboxWorker
from bot.services import (
    articles,
    comments,
    contact,
    contact_conversation,
    desk,
    effects,
    group_effects,
    moderation,
)
from bot.services.articles import PostRequest
from bot.services.effects import Effect
from bot.services.verdicts import Decision
from bot.settings import Settings
from bot.telegram_budget import TelegramBudget
from sandbox.bot_api import FakeTelegram
from storage import outbox
from storage.db import Database
from storage.models import Person
from tests.bot.services.test_comments import rows
from tests.e2e.harness import READER_IDS, populate
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR,
    READER,
    READER_ID,
    TOKEN,
    make_settings,
)
from tests.faults import fail_first


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    populate(fake, with_discussion=False)
    fake.add_user(READER_ID, READER.first_name, READER.last_name, READER.username)
    # The reader has talked to the bot, so the bot may write to them.
    fake.user_sends_text(READER_ID, "/start")
    yield fake
    await fake.stop()
    assert fake.bad_requests() == [], fake.bad_requests()


def budget_of(settings: Settings) -> TelegramBudget:
    return TelegramBudget(settings.messages_per_second, settings.group_messages_per_minute)


def bot_with(telegram: FakeTelegram, budget: TelegramBudget) -> ExtBot:  # type: ignore[type-arg]
    """The bot as the Application builds it: every call passes the budget."""
    return ExtBot(
        TOKEN, base_url=telegram.base_url, defaults=message_defaults(), rate_limiter=budget
    )


@pytest.fixture
async def worker(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> AsyncIterator[OutboxWorker]:
    budget = budget_of(settings)
    async with bot_with(telegram, budget) as bot:
        yield OutboxWorker(db, bot, settings, telegram.bot_username, budget)


async def decided_comment(
    db: Database, settings: Settings, decision: Decision, worker: OutboxWorker
) -> int:
    """A comment on a published article, decided; its effects wait in the outbox."""
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    post = await worker.bot.send_message(CHANNEL_ID, "The post")
    await articles.confirm_published(db, article.id, channel_message_id=post.message_id)
    await comments.open_article(db, READER, article.id, 2.0)
    outcome = await comments.submit_comment(db, settings, READER, "Text", 3.0)
    assert outcome.submission_id is not None
    await moderation.decide(db, settings, outcome.submission_id, decision, MODERATOR, 4.0)
    return outcome.submission_id


def sends_to(telegram: FakeTelegram, chat_id: int) -> list[float]:
    return [
        call.at
        for call in telegram.calls
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def test_a_429_holds_back_only_its_chat_for_retry_after(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """The card waits retry_after; the author's notice to another chat goes meanwhile."""
    telegram.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        chat_id=MODERATION_CHAT_ID,
        retry_after=1,
    )
    await decided_comment(db, settings, Decision.REJECT, worker)
    await worker.start()
    try:
        await telegram.wait_for_bot_message(READER_ID, contains="was not approved")
        assert telegram.bot_messages_in(MODERATION_CHAT_ID) == []
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Comment #1")
    finally:
        await worker.stop()
    first, second = sends_to(telegram, MODERATION_CHAT_ID)
    assert second - first >= 0.95


async def test_a_blocked_reader_is_given_up_once(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """403 for the author settles the rows as failed; later passes never retry them."""
    telegram.user_blocks_bot(READER_ID)
    await decided_comment(db, settings, Decision.REJECT, worker)
    await worker.deliver_due()
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET next_attempt_at = 0")
    await worker.deliver_due()
    # The article view, the acknowledgement and the outcome: each tried once.
    assert len(sends_to(telegram, READER_ID)) == 3
    assert await rows(
        db, "SELECT action, status FROM outbox WHERE chat_key = ? ORDER BY id", (str(READER_ID),)
    ) == [("tell_reader", "failed"), ("acknowledge", "failed"), ("notify_author", "failed")]


async def test_an_unreachable_moderation_chat_keeps_the_card_pending(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """Kicked from the moderation chat: the card is kept for later, never dropped."""
    telegram.remove_bot_from(MODERATION_CHAT_ID)
    await decided_comment(db, settings, Decision.APPROVE, worker)
    await worker.deliver_due()
    assert await rows(db, "SELECT status FROM outbox WHERE action = 'send_card'") == [("pending",)]


async def test_start_releases_rows_waiting_out_a_backoff(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """A restart sends at once what was scheduled for later."""
    await decided_comment(db, settings, Decision.REJECT, worker)
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET next_attempt_at = ?", (time.time() + 3600,))
    await worker.start()
    try:
        await telegram.wait_for_bot_message(READER_ID, contains="was not approved")
    finally:
        await worker.stop()


async def test_a_card_already_sent_is_not_sent_again(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """A card row left pending after its card was recorded (a crash) sends nothing new."""
    submission_id = await decided_comment(db, settings, Decision.APPROVE, worker)
    await worker.deliver_due()
    async with db.transaction() as conn:
        await outbox.enqueue(
            conn,
            Effect.SEND_CARD,
            str(MODERATION_CHAT_ID),
            {"submission_id": submission_id},
            time.time(),
        )
    await worker.deliver_due()
    assert len(sends_to(telegram, MODERATION_CHAT_ID)) == 1


async def test_a_card_refused_for_an_upgraded_group_goes_to_its_new_id(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """The moderation group was upgraded and the bot has not heard of it: the card's send
    is refused with migrate_to_chat_id, and the card, and what waits with it, go to the
    new id, which the settings use from then on; the admins hear the .env line."""
    basic, upgraded = -4518810793, -1002471352452
    telegram.add_group(basic, "Small desk", basic=True)
    telegram.upgrade_group(basic, READER_ID, upgraded)
    telegram.expect_bad_request("upgraded to a supergroup")
    telegram.user_sends_text(ADMIN_ID, "/start")
    settings = settings.model_copy(update={"moderation_chat_id": basic})
    budget = budget_of(settings)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, settings, telegram.bot_username, budget)
        await decided_comment(db, settings, Decision.APPROVE, worker)
        for _ in range(3):
            await worker.deliver_due()
    assert settings.moderation_chat_id == upgraded
    [card] = telegram.bot_messages_in(upgraded)
    assert "Comment #1" in card["text"]
    [told] = [m for m in telegram.bot_messages_in(ADMIN_ID) if "supergroup" in m["text"]]
    assert f"MODERATION_CHAT_ID={upgraded}" in told["text"]
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("delivered",)]


async def test_unchanged_cards_and_counters_are_not_edited(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """Refreshing what already shows the latest state makes no API call."""
    submission_id = await decided_comment(db, settings, Decision.APPROVE, worker)
    await worker.deliver_due()
    edits_before = [c for c in telegram.calls if c.method.startswith("edit")]
    async with db.transaction() as conn:
        await outbox.enqueue(
            conn,
            Effect.REFRESH_CARDS,
            str(MODERATION_CHAT_ID),
            {"submission_id": submission_id},
            time.time(),
        )
    await worker.deliver_due()
    assert [c for c in telegram.calls if c.method.startswith("edit")] == edits_before


async def test_a_thread_post_whose_copy_never_comes_is_given_up(
    telegram: FakeTelegram, db: Database, database_path: Path
) -> None:
    """After NOT_READY_ATTEMPTS tries without the discussion copy, the row fails with a log
    and the admins hear that the approved comment was not published."""
    telegram.user_sends_text(ADMIN_ID, "/start")
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, discussion_chat_id=DISCUSSION_CHAT_ID
    )
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO articles (id, url, title, status, channel_message_id, created_by,"
            " created_at) VALUES (1, 'https://b.example', 'T', 'published', 5, 1, 0)"
        )
        await conn.execute(
            "INSERT INTO readers (user_id, first_name, updated_at) VALUES (?, 'Ada', 0)",
            (READER_ID,),
        )
        await conn.execute(
            "INSERT INTO submissions (id, kind, user_id, article_id, text, status, created_at)"
            " VALUES (1, 'comment', ?, 1, 'x', 'approved', 0)",
            (READER_ID,),
        )
        await outbox.enqueue(
            conn,
            Effect.THREAD_POST,
            str(DISCUSSION_CHAT_ID),
            {"submission_id": 1, "article_id": 1},
            time.time(),
        )
        await conn.execute("UPDATE outbox SET attempts = ?", (NOT_READY_ATTEMPTS - 2,))
    budget = budget_of(settings)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, settings, telegram.bot_username, budget)
        await worker.deliver_due()
        assert await rows(db, "SELECT status FROM outbox") == [("pending",)]
        async with db.transaction() as conn:
            await conn.execute("UPDATE outbox SET next_attempt_at = 0")
        await worker.deliver_due()
    assert await rows(db, "SELECT status, last_error FROM outbox WHERE action = 'thread_post'") == [
        ("failed", "the discussion copy of the post has not arrived yet")
    ]
    assert telegram.bot_messages_in(DISCUSSION_CHAT_ID) == []
    [told] = telegram.bot_messages_in(ADMIN_ID)
    assert "Comment #1 was approved but could not be published" in told["text"]
    # Nothing told the author it was published.
    assert telegram.bot_messages_in(READER_ID) == []


async def test_rows_for_one_chat_keep_their_order_behind_a_429(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """When the first row for a chat must wait, the next one for that chat waits behind it."""
    await decided_comment(db, settings, Decision.REJECT, worker)
    telegram.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", chat_id=READER_ID, retry_after=1
    )
    await worker.start()
    try:
        await telegram.wait_for_bot_message(READER_ID, contains="was not approved")
    finally:
        await worker.stop()
    texts = [m["text"] for m in telegram.bot_messages_in(READER_ID)]
    assert texts[-2].startswith("✅ Thanks!")
    assert "was not approved" in texts[-1]
    first_try, _view, _ack, outcome = sends_to(telegram, READER_ID)
    assert outcome - first_try >= 0.95


async def test_a_delivered_reply_is_never_sent_again(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """A deliver_reply row run twice (a crash before it settled) sends the answer once."""
    await contact.start_form(db, settings, READER, 1.0)
    await contact.answer(db, settings, READER, "Ada", 2.0)
    await contact.answer(db, settings, READER, "ada@example.com", 3.0)
    await contact.answer(db, settings, READER, "Question", 4.0)
    await worker.deliver_due()
    card = telegram.bot_messages_in(MODERATION_CHAT_ID)[-1]
    await contact_conversation.reply_to_reader(
        db, MODERATOR, MODERATION_CHAT_ID, card["message_id"], 900, "Answer", 5.0
    )
    await worker.deliver_due()
    async with db.transaction() as conn:
        await outbox.enqueue(
            conn, Effect.DELIVER_REPLY, str(READER_ID), {"reply_id": 1}, time.time()
        )
    await worker.deliver_due()
    answers = [m for m in telegram.bot_messages_in(READER_ID) if "Answer" in m["text"]]
    assert len(answers) == 1


async def test_a_message_sent_whose_record_fails_is_recorded_again_not_sent_again(
    telegram: FakeTelegram,
    db: Database,
    settings: Settings,
    worker: OutboxWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Telegram sent the reader's message, and the database refuses to record it twice:
    the record is tried again after a pause, and the message is not sent again."""
    failures = fail_first(monkeypatch, outbox, "settle_delivered", 2)
    await contact.start_form(db, settings, READER, 1.0)
    await asyncio.wait_for(worker.deliver_due(), timeout=5)
    questions = [m for m in telegram.bot_messages_in(READER_ID) if "name" in m["text"].lower()]
    assert len(questions) == 1
    assert failures.left == 0
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("delivered",)]


async def test_a_message_whose_record_keeps_failing_is_recorded_later_not_sent_again(
    telegram: FakeTelegram,
    db: Database,
    settings: Settings,
    worker: OutboxWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database refuses the record of a sent message past every retry: the lane gives
    up for a while, and when the row comes round again only its record is written."""
    monkeypatch.setattr(settling, "FIRST_SETTLE_WAIT", 0.01)
    monkeypatch.setattr(worker_module, "FAILED_LANE_REST", 0.01)
    failures = fail_first(
        monkeypatch,
        outbox,
        "settle_delivered",
        settling.SETTLE_ATTEMPTS,
        sqlite3.OperationalError("disk I/O error"),
    )
    await contact.start_form(db, settings, READER, 1.0)
    await asyncio.wait_for(worker.deliver_due(), timeout=5)
    assert failures.left == 0
    questions = [m for m in telegram.bot_messages_in(READER_ID) if "name" in m["text"].lower()]
    assert len(questions) == 1
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("delivered",)]


async def test_a_deleted_card_is_forgotten_and_the_decision_stands(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """Deciding on an item whose card a moderator deleted settles the row, not fails it."""
    await decided_comment(db, settings, Decision.REJECT, worker)
    await worker.deliver_due()
    card = telegram.bot_messages_in(MODERATION_CHAT_ID)[-1]
    telegram.user_deletes_message(MODERATION_CHAT_ID, card["message_id"])
    telegram.expect_bad_request("message to edit not found")
    async with db.transaction() as conn:
        await conn.execute("UPDATE moderation_cards SET rendered = 'stale'")
        await outbox.enqueue(
            conn, Effect.REFRESH_CARDS, str(MODERATION_CHAT_ID), {"submission_id": 1}, time.time()
        )
    await worker.deliver_due()
    assert await rows(db, "SELECT COUNT(*) FROM moderation_cards") == [(0,)]
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("delivered",)]


async def test_cards_are_paced_to_twenty_a_minute_without_a_single_429(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """25 comments at once: cards while the minute has room, then the desk; no 429 met."""
    telegram.group_rate_limit_per_minute = 20
    paced = settings.model_copy(update={"group_messages_per_minute": 20})
    budget = budget_of(paced)
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=1)
    for number in range(25):
        author = Person(70_000 + number, f"Reader {number}")
        telegram.add_user(author.user_id, author.first_name)
        telegram.user_sends_text(author.user_id, "/start")
        await comments.open_article(db, author, article.id, 2.0)
        await comments.submit_comment(db, paced, author, f"comment {number}", 3.0)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, paced, telegram.bot_username, budget)
        await worker.deliver_due()
    texts = [m["text"] for m in telegram.bot_messages_in(MODERATION_CHAT_ID)]
    # 15 cards, then the review desk for the 10 that did not fit; four places are left for
    # the desk's edits and a handler's reply.
    assert len(texts) == 16
    assert texts[-1].startswith("🗂 Review desk: 25 waiting")
    assert budget.free_places(MODERATION_CHAT_ID) == 4
    assert [c for c in telegram.calls if c.status == 429] == []
    folded = await rows(
        db,
        "SELECT COUNT(*) FROM outbox WHERE action = 'send_card'"
        " AND last_error = 'folded into the review desk'",
    )
    assert folded == [(10,)]
    # Every reader was acknowledged meanwhile: the group's budget holds back only the group.
    acknowledged = await rows(
        db, "SELECT COUNT(*) FROM outbox WHERE action = 'acknowledge' AND status = 'delivered'"
    )
    assert acknowledged == [(25,)]


async def test_the_desk_opens_where_the_cards_stopped_and_folding_more_does_not_edit_it(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """25 comments at once: 15 cards, and the desk shows the first comment without a card
    (the ones before it are on their cards). Two more that fold into it leave it as it is:
    a new count is not worth a place of a minute that is this short."""
    telegram.group_rate_limit_per_minute = 20
    paced = settings.model_copy(update={"group_messages_per_minute": 20})
    budget = budget_of(paced)
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=1)

    async def comment(number: int) -> None:
        author = Person(70_000 + number, f"Reader {number}")
        telegram.add_user(author.user_id, author.first_name)
        telegram.user_sends_text(author.user_id, "/start")
        await comments.open_article(db, author, article.id, 2.0)
        await comments.submit_comment(db, paced, author, f"comment {number}", 3.0)

    for number in range(25):
        await comment(number)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, paced, telegram.bot_username, budget)
        await worker.deliver_due()
        desk = telegram.bot_messages_in(MODERATION_CHAT_ID)[-1]
        assert desk["text"].startswith("🗂 Review desk: 25 waiting")
        assert "comment 15" in desk["text"]
        for number in (25, 26):
            await comment(number)
        await worker.deliver_due()
    edits = [c for c in telegram.calls if c.method == "editMessageText"]
    assert edits == []
    assert len(telegram.bot_messages_in(MODERATION_CHAT_ID)) == 16


async def test_a_card_decided_while_the_minute_is_short_leaves_the_desk_for_later(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """The desk shows an item and four places of the minute are left: a decision on
    another item's card changes only the desk's count, and that edit waits for room,
    keeping the places for the desk's moves; a decision on the desk's own item moves it."""
    telegram.group_rate_limit_per_minute = 20
    paced = settings.model_copy(update={"group_messages_per_minute": 20})
    budget = budget_of(paced)
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    await articles.confirm_published(db, article.id, channel_message_id=1)
    ids = []
    for number in range(25):
        author = Person(70_000 + number, f"Reader {number}")
        telegram.add_user(author.user_id, author.first_name)
        telegram.user_sends_text(author.user_id, "/start")
        await comments.open_article(db, author, article.id, 2.0)
        outcome = await comments.submit_comment(db, paced, author, f"comment {number}", 3.0)
        assert outcome.submission_id is not None
        ids.append(outcome.submission_id)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, paced, telegram.bot_username, budget)
        await worker.deliver_due()
        desk_message = telegram.bot_messages_in(MODERATION_CHAT_ID)[-1]
        assert "comment 15" in desk_message["text"]
        reject = Decision.REJECT
        await moderation.decide(db, paced, ids[0], reject, MODERATOR, 4.0)
        await worker.deliver_due()
        assert [c for c in telegram.calls if c.method == "editMessageText"] == []
        await moderation.decide(db, paced, ids[15], reject, MODERATOR, 5.0)
        await worker.deliver_due()
    [edit] = [c for c in telegram.calls if c.method == "editMessageText"]
    assert edit.params["message_id"] == desk_message["message_id"]
    assert "comment 16" in str(edit.params["text"])


async def test_a_decided_cards_edit_waits_while_cards_are_still_coming(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """Eight cards went out in this minute; a moderator decides the first, and another
    comment comes: its card goes, and the decided card's edit waits until most of the
    minute is free (each place it took would be a later card folded into the desk)."""
    telegram.group_rate_limit_per_minute = 20
    paced = settings.model_copy(update={"group_messages_per_minute": 20})
    budget = budget_of(paced)
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )

    async def comment(number: int) -> int:
        author = Person(70_000 + number, f"Reader {number}")
        telegram.add_user(author.user_id, author.first_name)
        telegram.user_sends_text(author.user_id, "/start")
        await comments.open_article(db, author, article.id, 2.0)
        outcome = await comments.submit_comment(db, paced, author, f"comment {number}", 3.0)
        assert outcome.submission_id is not None
        return outcome.submission_id

    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, paced, telegram.bot_username, budget)
        post = await bot.send_message(CHANNEL_ID, "The post")
        await articles.confirm_published(db, article.id, channel_message_id=post.message_id)
        ids = [await comment(number) for number in range(8)]
        await worker.deliver_due()
        await moderation.decide(db, paced, ids[0], Decision.APPROVE, MODERATOR, 4.0)
        await comment(8)
        await worker.deliver_due()
    texts = [m["text"] for m in telegram.bot_messages_in(MODERATION_CHAT_ID)]
    assert len(texts) == 9
    assert "comment 8" in texts[-1]
    assert not any("Approved by" in text for text in texts)
    assert await rows(db, "SELECT action FROM outbox WHERE status = 'pending'") == [
        (Effect.REFRESH_CARDS.value,)
    ]


async def test_a_held_notice_is_not_sent_once_its_comment_is_decided(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """A notice in the thread that waited for room: "your comment waits for a moderator"
    goes for a comment still pending, and not for one approved meanwhile."""
    telegram.add_group(DISCUSSION_CHAT_ID, "The Blog chat", linked_channel_id=CHANNEL_ID)
    approved = await decided_comment(db, settings, Decision.APPROVE, worker)
    waiting_author = Person(READER_IDS[1], "Pending Pat")
    telegram.add_user(waiting_author.user_id, waiting_author.first_name)
    [(article_id,)] = await rows(db, "SELECT id FROM articles")
    assert isinstance(article_id, int)
    await comments.open_article(db, waiting_author, article_id, 5.0)
    waiting = await comments.submit_comment(db, settings, waiting_author, "Words", 6.0)
    assert waiting.submission_id is not None
    async with db.transaction() as conn:
        for author, name, submission_id in (
            (READER_ID, "Approved Ann", approved),
            (waiting_author.user_id, "Pending Pat", waiting.submission_id),
        ):
            payload: dict[str, int | str | bool | None] = {
                "author_id": author,
                "name": name,
                "thread": None,
                "held": True,
                "submission_id": submission_id,
            }
            await outbox.enqueue(conn, Effect.THREAD_NOTICE, str(DISCUSSION_CHAT_ID), payload, 7.0)
    await asyncio.wait_for(worker.deliver_due(), timeout=5)
    notices = [m["text"] for m in telegram.bot_messages_in(DISCUSSION_CHAT_ID)]
    assert notices == [
        "Pending Pat, your comment waits for a moderator and will appear once approved."
    ]


async def test_a_group_down_to_the_handlers_place_waits_for_the_next_one(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """With only the place kept for handlers' replies left in the moderation chat's minute,
    a reply queued after the desk takes it, and the desk waits until a place beyond it
    frees, rather than being tried again at once."""
    now = time.time()
    budget = budget_of(settings)
    spent = settings.group_messages_per_minute - HANDLER_RESERVE
    budget.restore(
        [(str(MODERATION_CHAT_ID), now - 50)] * 2
        + [(str(MODERATION_CHAT_ID), now - 5)] * (spent - 2)
    )
    async with db.transaction() as conn:
        await outbox.enqueue(conn, Effect.SHOW_DESK, str(MODERATION_CHAT_ID), {"new": True}, now)
        await effects.reply_in_group(conn, MODERATION_CHAT_ID, 1, "Queue answer", now)
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, settings, telegram.bot_username, budget)
        await asyncio.wait_for(worker.deliver_due(), timeout=5)
    assert [m["text"] for m in telegram.bot_messages_in(MODERATION_CHAT_ID)] == ["Queue answer"]
    [(due_at,)] = await rows(db, "SELECT next_attempt_at FROM outbox WHERE status = 'pending'")
    # The two oldest calls leave the minute at now + 10.
    assert due_at == pytest.approx(now + 10, abs=1)


async def test_a_held_comment_leaves_the_group_even_when_its_minute_is_spent(
    telegram: FakeTelegram, db: Database, settings: Settings
) -> None:
    """The discussion group's minute is spent: a notice queued before the deletion of a
    reader's comment waits for a place, and the deletion goes all the same."""
    now = time.time()
    budget = budget_of(settings)
    budget.restore([(str(DISCUSSION_CHAT_ID), now - 5)] * settings.group_messages_per_minute)
    telegram.add_group(DISCUSSION_CHAT_ID, "The Blog chat", linked_channel_id=CHANNEL_ID)
    comment = telegram.user_sends_text(READER_IDS[0], "Held words", chat_id=DISCUSSION_CHAT_ID)
    async with db.transaction() as conn:
        await effects.reply_in_group(conn, DISCUSSION_CHAT_ID, 1, "A notice", now)
        await outbox.enqueue_all(
            conn,
            [group_effects.delete_group_message_row(DISCUSSION_CHAT_ID, comment["message_id"])],
            now,
        )
    async with bot_with(telegram, budget) as bot:
        worker = OutboxWorker(db, bot, settings, telegram.bot_username, budget)
        await asyncio.wait_for(worker.deliver_due(), timeout=5)
    assert telegram.message(DISCUSSION_CHAT_ID, comment["message_id"]) is None
    assert telegram.bot_messages_in(DISCUSSION_CHAT_ID) == []
    assert await rows(db, "SELECT action FROM outbox WHERE status = 'pending'") == [
        (Effect.GROUP_REPLY.value,)
    ]


async def test_merged_desk_updates_keep_asking_for_a_fresh_message_after_a_failure(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """A request for a fresh desk message merged into a later edit is stored with the
    merge: when that delivery fails, the retry still posts the desk afresh."""
    moderation_chat = str(MODERATION_CHAT_ID)
    async with db.transaction() as conn:
        await outbox.enqueue(conn, Effect.SHOW_DESK, moderation_chat, {"new": True}, time.time())
    await worker.deliver_due()
    async with db.transaction() as conn:
        await outbox.enqueue(conn, Effect.SHOW_DESK, moderation_chat, {"new": True}, time.time())
        await outbox.enqueue(conn, Effect.SHOW_DESK, moderation_chat, {}, time.time())
    telegram.fail_next("sendMessage", 502, "Bad Gateway", chat_id=MODERATION_CHAT_ID)
    await worker.deliver_due()
    async with db.transaction() as conn:
        await outbox.release_all(conn, time.time())
    await worker.deliver_due()
    desks = [m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Review desk" in m["text"]]
    assert len(desks) == 2
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("delivered",)]


async def test_a_row_the_bot_itself_cannot_deliver_is_given_up_and_admins_told_once(
    telegram: FakeTelegram, db: Database, worker: OutboxWorker
) -> None:
    """A row whose delivery raises inside the bot (here: a payload it cannot render) is
    retried a few times without holding its chat, then given up with a log line, and the
    admins hear it once however many such rows fail."""
    telegram.user_sends_text(ADMIN_ID, "/start")
    async with db.transaction() as conn:
        for _ in range(2):
            await outbox.enqueue(
                conn, Effect.ACKNOWLEDGE, str(READER_ID), {"kind": "unknown kind"}, 1.0
            )
        await outbox.enqueue(
            conn,
            Effect.ACKNOWLEDGE,
            str(READER_ID),
            {"kind": "comment", "submission_id": 1, "title": "Title", "published": False},
            1.0,
        )
    for _ in range(MAX_INTERNAL_FAILURES):
        await asyncio.wait_for(worker.deliver_due(), timeout=10)
        # The chat is not held: the good row behind the failing ones went at once.
        assert len(sends_to(telegram, READER_ID)) == 1
        async with db.transaction() as conn:
            await conn.execute("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'")
    await asyncio.wait_for(worker.deliver_due(), timeout=10)
    assert await rows(db, "SELECT chat_key, status FROM outbox ORDER BY id") == [
        (str(READER_ID), "failed"),
        (str(READER_ID), "failed"),
        (str(READER_ID), "delivered"),
        (str(ADMIN_ID), "delivered"),
    ]
    [notice] = telegram.bot_messages_in(ADMIN_ID)
    assert "acknowledge" in notice["text"] and "unknown kind" in notice["text"]


def delivered_to_reader(telegram: FakeTelegram) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in telegram.calls
        if c.method == "sendMessage"
        and c.status == 200
        and str(c.params.get("chat_id")) == str(READER_ID)
    ]


async def test_a_skip_made_while_the_desk_is_being_edited_stands(
    telegram: FakeTelegram, db: Database, settings: Settings, worker: OutboxWorker
) -> None:
    """The desk's edit to item 2 is in flight when a moderator skips item 2: once the edit
    is recorded, the desk points at item 3 (the skip), and its next update shows item 3."""
    article = await articles.create_draft(
        db, PostRequest("https://blog.example/a", "Title", ""), ADMIN_ID, 1.0
    )
    post = await worker.bot.send_message(CHANNEL_ID, "The post")
    await articles.confirm_published(db, article.id, channel_message_id=post.message_id)
    items = []
    for number in range(3):
        author = Person(71_000 + number, f"Reader {number}")
        telegram.add_user(author.user_id, author.first_name)
        telegram.user_sends_text(author.user_id, "/start")
        await comments.open_article(db, author, article.id, 2.0)
        outcome = await comments.submit_comment(db, settings, author, f"Item {number + 1}", 3.0)
        assert outcome.submission_id is not None
        items.append(outcome.submission_id)
    await desk.open_desk(db, settings, 4.0)
    await worker.deliver_due()
    desk_message = await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Review desk")
    assert "Item 1" in desk_message["text"]

    async def skip_item_two() -> None:
        await desk.move_on(db, settings, items[1], time.time())

    # Deciding item 1 on its card moves the desk on to item 2; the skip comes meanwhile.
    telegram.before_next(
        "editMessageText",
        skip_item_two,
        chat_id=MODERATION_CHAT_ID,
        message_id=desk_message["message_id"],
    )
    await moderation.decide(db, settings, items[0], Decision.APPROVE, MODERATOR, 5.0)
    await worker.deliver_due()
    shown = telegram.message(MODERATION_CHAT_ID, desk_message["message_id"])
    assert shown is not None and "Item 3" in shown["text"], shown
