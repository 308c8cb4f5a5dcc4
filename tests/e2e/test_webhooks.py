"""getUpdates refused with 409 while the bot runs: a webhook set for the token, or a
second instance polling with it. The bot carries on by itself and loses no update."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import pytest

from bot import polling
from bot.settings import Settings
from sandbox.bot_api import ApiCall, FakeTelegram
from sandbox.bot_api.client import shared_ssl_context
from sandbox.bot_api.server import (
    CONFLICT_DESCRIPTION,
    ENDED_BY_SET_WEBHOOK_DESCRIPTION,
    WEBHOOK_ACTIVE_DESCRIPTION,
)
from tests.e2e.harness import READER_IDS, running_bot

READER = READER_IDS[0]
WEBHOOK_URL = "https://hooks.example/newsroom"
WEBHOOK_REMOVED = "A webhook was set for this bot's token"
SECOND_INSTANCE = "A second bot instance is polling with this token"
WORKS_AGAIN = "getUpdates works again"


def log_lines(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def bot_polls_refused(telegram: FakeTelegram) -> list[ApiCall]:
    """The bot's own getUpdates answered 409 (the second instance asks for one update)."""
    return [
        call
        for call in telegram.calls
        if call.method == "getUpdates"
        and call.status == 409
        and call.params.get("limit") == polling.UPDATES_PER_REQUEST
    ]


def webhook_deletions(telegram: FakeTelegram) -> list[ApiCall]:
    return [call for call in telegram.calls if call.method == "deleteWebhook"]


async def reader_is_answered(telegram: FakeTelegram, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    telegram.user_sends_text(READER, "/help")
    await telegram.wait_for_bot_message(READER, contains="comment", timeout=timeout)


@pytest.mark.parametrize("during_a_poll", [True, False], ids=["during-a-poll", "between-polls"])
async def test_a_webhook_set_while_the_bot_runs_is_removed_and_nothing_is_lost(
    telegram: FakeTelegram,
    e2e_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    during_a_poll: bool,
) -> None:
    """The bot's poll is refused 409 (ended by setWebhook, or `webhook is active`); the bot
    deletes the webhook keeping pending updates, says so once, and answers the reader who
    wrote while the webhook was set."""
    caplog.set_level(logging.INFO, logger=polling.__name__)
    async with running_bot(e2e_settings):
        await telegram.wait_for(telegram.is_polling)
        deletions_at_start_up = len(webhook_deletions(telegram))

        async def webhook_set_and_reader_writes() -> None:
            telegram.set_webhook(WEBHOOK_URL)
            telegram.user_sends_text(READER, "/help")

        if during_a_poll:
            await webhook_set_and_reader_writes()
        else:
            # The next getUpdates meets the webhook before it reaches the queue.
            telegram.before_next("getUpdates", webhook_set_and_reader_writes)
        await telegram.wait_for_bot_message(READER, contains="comment")
        await telegram.wait_for(lambda: telegram.pending_updates() == 0)
    refusals = [call.description for call in bot_polls_refused(telegram)]
    assert refusals == [
        ENDED_BY_SET_WEBHOOK_DESCRIPTION if during_a_poll else WEBHOOK_ACTIVE_DESCRIPTION
    ]
    removal = webhook_deletions(telegram)[deletions_at_start_up:]
    assert len(removal) == 1
    assert removal[0].status == 200
    assert not removal[0].params.get("drop_pending_updates")
    assert len(log_lines(caplog, WEBHOOK_REMOVED)) == 1
    assert log_lines(caplog, SECOND_INSTANCE) == []


async def test_a_webhook_set_again_and_again_is_removed_with_growing_waits(
    telegram: FakeTelegram, e2e_settings: Settings
) -> None:
    """Something keeps setting the webhook: the bot removes it each time, waiting 0.5 s,
    then 1 s, between removals rather than fighting flat out, and then polls on."""
    async with running_bot(e2e_settings):
        await telegram.wait_for(telegram.is_polling)
        deletions_at_start_up = len(webhook_deletions(telegram))

        async def set_webhook() -> None:
            telegram.set_webhook(WEBHOOK_URL)

        for _ in range(3):
            telegram.before_next("getUpdates", set_webhook)
        await telegram.wait_for(
            lambda: len(webhook_deletions(telegram)) == deletions_at_start_up + 3, timeout=10
        )
        await reader_is_answered(telegram)
    removals = webhook_deletions(telegram)[deletions_at_start_up:]
    assert len(removals) == 3
    assert removals[1].at - removals[0].at >= 0.45
    assert removals[2].at - removals[1].at >= 0.95


async def poll_as_a_second_instance(telegram: FakeTelegram, pause: float = 0.0) -> None:
    """Another process with the bot's token, long polling until cancelled and polling
    again after each 409 (at once, or after `pause`), as a second copy of a bot does."""
    async with httpx.AsyncClient(verify=shared_ssl_context(), timeout=None) as client:
        while True:
            await client.post(
                f"{telegram.base_url}{telegram.token}/getUpdates",
                data={"limit": "1", "timeout": "30" if not pause else "1"},
            )
            if pause:
                await asyncio.sleep(pause)


async def test_a_second_instance_polling_the_token_is_logged_once_and_outlasted(
    telegram: FakeTelegram,
    e2e_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While another poller holds the token the bot's polls are refused 409 again and
    again: one log line for the streak, growing waits, no crash; once the other stops,
    the bot says it recovered and answers readers again."""
    monkeypatch.setattr(polling, "OTHER_INSTANCE_QUIET", 0.0)
    caplog.set_level(logging.INFO, logger=polling.__name__)
    async with running_bot(e2e_settings):
        await telegram.wait_for(lambda: telegram.is_polling() and telegram.pending_updates() == 0)
        second_instance = asyncio.create_task(poll_as_a_second_instance(telegram))
        try:
            await telegram.wait_for(lambda: len(bot_polls_refused(telegram)) >= 3, timeout=10)
        finally:
            second_instance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await second_instance
        assert len(log_lines(caplog, SECOND_INSTANCE)) == 1
        assert log_lines(caplog, WORKS_AGAIN) == []
        await reader_is_answered(telegram, timeout=10)
        await telegram.wait_for(lambda: log_lines(caplog, WORKS_AGAIN))
    refused = bot_polls_refused(telegram)
    assert {call.description for call in refused} == {CONFLICT_DESCRIPTION}
    # Backing off: the third try came at least 0.5 + 1 s after the first refusal.
    assert refused[2].at - refused[0].at >= 1.4
    assert len(log_lines(caplog, SECOND_INSTANCE)) == 1
    assert webhook_deletions(telegram)[1:] == []


async def test_two_instances_taking_turns_make_one_log_line_not_one_a_turn(
    telegram: FakeTelegram, e2e_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A second copy that pauses between its polls, as this bot does after a 409, lets the
    bot's polls through now and then: still one warning, and no "works again" while the
    other copy keeps coming back."""
    caplog.set_level(logging.INFO, logger=polling.__name__)
    async with running_bot(e2e_settings):
        await telegram.wait_for(lambda: telegram.is_polling() and telegram.pending_updates() == 0)
        second_instance = asyncio.create_task(poll_as_a_second_instance(telegram, pause=2.0))
        try:
            await telegram.wait_for(lambda: len(bot_polls_refused(telegram)) >= 3, timeout=20)
            polls_through = [
                call
                for call in telegram.calls
                if call.method == "getUpdates"
                and call.status == 200
                and call.at > bot_polls_refused(telegram)[0].at
                and call.params.get("limit") == polling.UPDATES_PER_REQUEST
            ]
        finally:
            second_instance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await second_instance
    assert polls_through, "the bot's polls should get through between the other's"
    assert len(log_lines(caplog, SECOND_INSTANCE)) == 1
    assert log_lines(caplog, WORKS_AGAIN) == []
