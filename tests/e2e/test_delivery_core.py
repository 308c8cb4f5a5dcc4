"""What the delivery core guarantees when handling fails, Telegram's answer is lost, or an
update cannot be read: each test names the fault it injects."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import aiosqlite
import pytest

from bot import update_handling
from bot.services import conversation
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from storage import intake, readers
from tests.e2e.harness import READER_IDS, populate, running_bot
from tests.e2e.steps import post_article, start_payload
from tests.factories import ADMIN_ID, CHANNEL_ID, MODERATION_CHAT_ID, make_settings
from tests.faults import fail_first

READER, OTHER_READER = READER_IDS[0], READER_IDS[1]


async def open_article(telegram: FakeTelegram, reader: int, post: dict[str, object]) -> None:
    telegram.user_sends_text(reader, f"/start {start_payload(post)}")
    await telegram.wait_for_bot_message(reader, contains="Send your comment")


async def count(settings: Settings, sql: str) -> int:
    async with aiosqlite.connect(settings.database_path) as conn:
        rows = list(await conn.execute_fetchall(sql))
    return int(rows[0][0])


async def test_a_database_error_in_a_handler_loses_nothing(
    telegram: FakeTelegram, e2e_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database fails while a comment is stored: the reader hears "something went
    wrong", and the same update is handled again a moment later and stored once."""
    failures = fail_first(monkeypatch, intake, "comment_arrivals", 2)
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram)
        await open_article(telegram, READER, post)
        telegram.user_sends_text(READER, "Through a locked database")
        await telegram.wait_for_bot_message(READER, contains="something went wrong")
        await telegram.wait_for_bot_message(READER, contains="awaits moderation")
        await telegram.wait_for_bot_message(MODERATION_CHAT_ID, contains="Through a locked")
    assert failures.left == 0
    assert await count(e2e_settings, "SELECT COUNT(*) FROM submissions") == 1


async def test_a_press_whose_change_failed_is_done_when_handled_again(
    telegram: FakeTelegram, e2e_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database fails while a press opens an article: the error handler answers the
    press ("something went wrong"), and handling it again opens the article, although
    Telegram refuses a second answer to the same press."""
    failures = fail_first(monkeypatch, readers, "set_state", 1)
    async with running_bot(e2e_settings):
        await post_article(telegram, "Pressed story")
        telegram.user_sends_text(READER, "/start")
        welcome = await telegram.wait_for_bot_message(READER, contains="Welcome")
        button = welcome["reply_markup"]["inline_keyboard"][0][0]
        query_id = telegram.user_presses_button(
            READER, READER, welcome["message_id"], button["callback_data"]
        )
        answer = await telegram.wait_for(lambda: telegram.callback_answers.get(query_id))
        assert "went wrong" in answer["text"]
        view = await telegram.wait_for_bot_message(READER, contains="Send your comment")
    assert "Pressed story" in view["text"]
    assert failures.left == 0


async def test_an_update_that_keeps_failing_is_retried_apart_with_growing_waits_then_passed_over(
    telegram: FakeTelegram,
    e2e_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One reader's text fails every time. It is kept apart and its batch confirmed; it is
    tried again after 0.5 s, 1 s, 2 s (not every 0.5 s for ever), the reader hears of it
    once, other readers are answered meanwhile and once each, and after
    MAX_HANDLING_ATTEMPTS it is passed over, logged by ids and kind, not by what it said."""
    monkeypatch.setattr(update_handling, "MAX_HANDLING_ATTEMPTS", 4)
    original = conversation.route_text
    tries: list[float] = []

    async def failing_for_reader(db, settings, user_id, now):
        if user_id == READER:
            tries.append(time.monotonic())
            raise RuntimeError("a bug in routing")
        return await original(db, settings, user_id, now)

    monkeypatch.setattr(conversation, "route_text", failing_for_reader)
    async with running_bot(e2e_settings):
        telegram.user_sends_text(READER, "This fails")
        telegram.user_sends_text(OTHER_READER, "This is fine")
        await telegram.wait_for_bot_message(OTHER_READER, contains="To comment")
        await telegram.wait_for_bot_message(READER, contains="something went wrong")
        # Not held up by the failing one, which waits to be tried again.
        telegram.user_sends_text(OTHER_READER, "Meanwhile")
        await telegram.wait_for_bot_message(OTHER_READER, contains="To comment")
        await telegram.wait_for(lambda: "passing over it" in caplog.text, timeout=15)
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert len(gaps) == 3
    assert all(gap >= wait for gap, wait in zip(gaps, (0.5, 1.0, 2.0), strict=True)), gaps
    assert f"(message, from {READER}) failed 4 times; passing over it" in caplog.text
    assert "This fails" not in caplog.text
    assert len(telegram.bot_messages_in(OTHER_READER)) == 2
    assert len(telegram.bot_messages_in(READER)) == 1
    assert telegram.pending_updates() == 0


async def test_an_update_the_library_cannot_read_is_logged_and_passed_over(
    telegram: FakeTelegram, e2e_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A message without the `date` python-telegram-bot requires: logged, confirmed, and
    the next update is handled (rather than the poll failing on it for ever)."""
    async with running_bot(e2e_settings):
        telegram.send_raw_update(
            "message",
            {"message_id": 1, "chat": {"id": READER, "type": "private"}, "text": "no date"},
        )
        telegram.user_sends_text(READER, "/help")
        await telegram.wait_for_bot_message(READER, contains="comment")
    assert "cannot be read" in caplog.text
    assert telegram.pending_updates() == 0


async def test_a_post_whose_answer_is_lost_is_not_posted_twice_nor_pointed_elsewhere(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """Telegram makes the channel post and the answer is lost: the bot does not post again
    on its own, the admin is asked to look, the post's link opens its own article (whose id
    is never handed out again), and /post of the same link posts it only on request."""
    telegram.fail_next("sendMessage", 0, "lost", chat_id=CHANNEL_ID, after_acting=True)
    async with running_bot(e2e_settings):
        telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/lost\nLost answer")
        await telegram.wait_for_bot_message(ADMIN_ID, contains="did not confirm")
        [orphan] = telegram.bot_messages_in(CHANNEL_ID)
        # The next article gets a new id, so the first post's link still opens its own.
        second_id, second_post = await post_article(telegram, "Second article")
        assert second_id == 2
        telegram.user_sends_text(READER, f"/start {start_payload(orphan)}")
        await telegram.wait_for_bot_message(READER, contains="Lost answer")
        await open_article(telegram, OTHER_READER, second_post)
        # The admin found the post missing (say) and asks again: posted once more, once.
        telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/lost\nLost answer")
        await telegram.wait_for_bot_message(ADMIN_ID, contains="Posted article #1")
        # A third /post of the same link posts nothing.
        telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/lost\nLost answer")
        await telegram.wait_for_bot_message(ADMIN_ID, contains="already posted as article #1")
    posts = [m for m in telegram.bot_messages_in(CHANNEL_ID) if "Lost answer" in m["text"]]
    assert len(posts) == 2
    assert [c for c in telegram.calls if c.method == "sendMessage" and c.status == 0] != []


async def test_a_commenting_state_lapses_after_reader_state_hours(
    telegram: FakeTelegram, database_path: Path
) -> None:
    """An article opened more than READER_STATE_HOURS ago: the text is not taken for a
    comment, the reader is told why, and nothing reaches the moderators."""
    populate(telegram, with_discussion=False)
    settings = make_settings(
        database_path, telegram_api_url=telegram.base_url, reader_state_hours=1
    )
    async with running_bot(settings) as running:
        _, post = await post_article(telegram)
        await open_article(telegram, READER, post)
        async with running.bot_app.runtime.db.transaction() as conn:
            await conn.execute("UPDATE reader_states SET updated_at = updated_at - 7200")
        telegram.user_sends_text(READER, "A day-old thought")
        await telegram.wait_for_bot_message(READER, contains="more than 1 hour ago")
    assert await count(settings, "SELECT COUNT(*) FROM submissions") == 0
