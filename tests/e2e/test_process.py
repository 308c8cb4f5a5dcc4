"""`python -m bot` as a separate process against the fake Bot API: the real entry point."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.services.verdicts import Decision
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, populate
from tests.e2e.process import start_bot_process
from tests.e2e.steps import card_without_buttons, comment, post_article, press
from tests.factories import CHANNEL_ID, DISCUSSION_CHAT_ID, MODERATOR_ID, TOKEN


@asynccontextmanager
async def bot_process(
    telegram: FakeTelegram, tmp_path: Path, *, with_discussion: bool, log_level: str = "DEBUG"
) -> AsyncIterator[Path]:
    """Runs `python -m bot` for the block, then stops it with SIGTERM; yields its log file."""
    process = await start_bot_process(
        telegram, tmp_path, with_discussion=with_discussion, log_level=log_level
    )
    try:
        yield tmp_path / "bot.log"
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=20)
    assert code == 0, (tmp_path / "bot.log").read_text()


@pytest.mark.parametrize("with_discussion", [True, False], ids=["thread", "counter"])
async def test_python_m_bot_carries_article_and_comments_to_their_outcomes(
    telegram: FakeTelegram, tmp_path: Path, with_discussion: bool
) -> None:
    """Article posted, one comment approved into thread or counter, one rejected; token unlogged."""
    populate(telegram, with_discussion=with_discussion)
    async with bot_process(telegram, tmp_path, with_discussion=with_discussion) as log_path:
        _, post = await post_article(telegram, "Process <test>")
        approved = await comment(telegram, READER_IDS[0], post, "Approved & fine")
        rejected = await comment(telegram, READER_IDS[1], post, "Rejected <spam>")
        await press(telegram, MODERATOR_ID, approved, Decision.APPROVE)
        await press(telegram, MODERATOR_ID, rejected, Decision.REJECT)
        await card_without_buttons(telegram, approved)
        await card_without_buttons(telegram, rejected)
        await telegram.wait_for_bot_message(READER_IDS[0], contains="was published")
        await telegram.wait_for_bot_message(READER_IDS[1], contains="was not approved")
        if with_discussion:
            thread = await telegram.wait_for_bot_message(DISCUSSION_CHAT_ID, contains="Approved")
            assert "Rejected" not in str(telegram.bot_messages_in(DISCUSSION_CHAT_ID))
            assert thread["reply_to_message"]["is_automatic_forward"] is True
        else:
            await telegram.wait_for(
                lambda: (
                    (telegram.message(CHANNEL_ID, post["message_id"]) or {})["reply_markup"][
                        "inline_keyboard"
                    ][0][0]["text"]
                    == "💬 Comments (1)"
                )
            )
    log = log_path.read_text()
    assert "Bot @newsroom_test_bot is running" in log
    assert TOKEN not in log
    # python-telegram-bot logs its API URL at DEBUG: proof the redaction ran, not luck.
    assert "bot<BOT_TOKEN>" in log
    assert TOKEN.split(":")[1] not in log
    assert "Traceback" not in log


async def test_telegram_unreachable_at_start_up_is_waited_out(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    """getMe failing at start-up: the process logs, waits, retries, then works."""
    populate(telegram, with_discussion=False)
    telegram.fail_next("getMe", 502, "Bad Gateway", times=2)
    async with bot_process(telegram, tmp_path, with_discussion=False, log_level="INFO") as log:
        _, post = await post_article(telegram)
        await comment(telegram, READER_IDS[0], post, "late but fine")
    attempts = [c for c in telegram.calls if c.method == "getMe"]
    assert [c.injected for c in attempts[:3]] == [True, True, False]
    assert attempts[2].at - attempts[0].at >= 1.4
    text = log.read_text()
    assert "Telegram unreachable (start-up" in text
    assert "gateway error page" in text
    assert "Traceback" not in text
