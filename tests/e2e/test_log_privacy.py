"""What the log keeps of people: ids and kinds, never their words, names or addresses,
however the update or the delivery about them went wrong."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import update_handling
from bot.delivery import deliveries, outcome
from bot.delivery.base import Delivered, Delivery
from bot.services import conversation
from bot.services.effects import Effect
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from storage.models import OutboxItem
from tests.e2e.harness import populate, running_bot, wait_for_outbox
from tests.e2e.steps import post_article, thread_of, types_under
from tests.factories import DISCUSSION_CHAT_ID, make_settings

# A reader whose every trace is personal: no piece of it may reach the log.
PRIVATE_READER = 4242
PRIVATE_TRACES = ("Priscilla", "Privatova", "priscilla_p", "pris@example.com", "my secret")
PRIVATE_TEXT = "Here is my secret: write to pris@example.com, it is about my neighbour"


def assert_no_private_trace(caplog: pytest.LogCaptureFixture) -> None:
    # caplog.text holds every line as the handler formats it, tracebacks included.
    leaked = [
        line
        for line in caplog.text.splitlines()
        if any(trace.lower() in line.lower() for trace in PRIVATE_TRACES)
    ]
    assert leaked == []


def polling_gave_up(caplog: pytest.LogCaptureFixture) -> bool:
    return any(
        record.name == "bot.update_handling" and record.levelno >= logging.ERROR
        for record in caplog.records
    )


async def test_an_update_passed_over_is_logged_by_its_id_and_kind(
    telegram: FakeTelegram,
    e2e_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reader's message whose handling keeps failing, and one python-telegram-bot cannot
    read, are passed over with their update id and kind in the log, not their text or
    the reader's name."""
    caplog.set_level(logging.INFO)
    telegram.add_user(PRIVATE_READER, "Priscilla", "Privatova", "priscilla_p")
    monkeypatch.setattr(update_handling, "MAX_HANDLING_ATTEMPTS", 2)
    original = conversation.route_text

    async def failing_for_the_reader(db, settings, user_id, now):
        if user_id == PRIVATE_READER:
            raise RuntimeError("a bug in routing")
        return await original(db, settings, user_id, now)

    monkeypatch.setattr(conversation, "route_text", failing_for_the_reader)
    async with running_bot(e2e_settings):
        failing = telegram.user_sends_text(PRIVATE_READER, PRIVATE_TEXT)
        await telegram.wait_for_bot_message(PRIVATE_READER, contains="something went wrong")
        await telegram.wait_for(lambda: polling_gave_up(caplog), timeout=15)
        telegram.send_raw_update(
            "message",
            {
                "message_id": failing["message_id"] + 1,
                "from": failing["from"],
                "chat": failing["chat"],
                "text": PRIVATE_TEXT,
            },
        )
        telegram.user_sends_text(PRIVATE_READER, "/help")
        await telegram.wait_for_bot_message(PRIVATE_READER, contains="/contact")
    assert "cannot be read" in caplog.text
    assert_no_private_trace(caplog)


@pytest.fixture
def short_comment_settings(telegram: FakeTelegram, database_path: Path) -> Settings:
    populate(telegram, with_discussion=True)
    return make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        comment_max_length=40,
    )


async def test_a_delivery_given_up_is_logged_without_the_words_it_carried(
    telegram: FakeTelegram,
    short_comment_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused comment typed under a post goes back to its author with their words; when
    the bot fails to deliver that (a bug of its own), the row is given up and logged by
    its ids, without the words or the author's name, even where the error quotes them."""
    caplog.set_level(logging.INFO)
    telegram.add_user(PRIVATE_READER, "Priscilla", "Privatova", "priscilla_p")
    monkeypatch.setattr(outcome, "MAX_INTERNAL_FAILURES", 1)

    async def broken(delivery: Delivery, item: OutboxItem) -> Delivered:
        # A bug whose message quotes what it was given, as int() or a KeyError would.
        raise ValueError(f"cannot render {item.payload!r}")

    monkeypatch.setitem(deliveries.DELIVERIES, Effect.THREAD_AUTHOR_NOTICE, broken)
    async with running_bot(short_comment_settings):
        _, post = await post_article(telegram)
        thread = await thread_of(telegram, post)
        types_under(telegram, PRIVATE_READER, PRIVATE_TEXT, thread["message_id"])
        await wait_for_outbox(
            short_comment_settings,
            lambda statuses: statuses.get(Effect.THREAD_AUTHOR_NOTICE) == "failed",
        )
    assert "given up" in caplog.text
    assert_no_private_trace(caplog)
