"""`python -m bot` as a separate process against the fake Bot API: the real entry point."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.services.moderation import Decision
from tests.e2e.harness import READER_IDS, populate
from tests.e2e.steps import card_without_buttons, comment, post_article, press
from tests.factories import (
    ADMIN_ID,
    CHANNEL_ID,
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR_ID,
    TOKEN,
)
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def bot_process(
    telegram: FakeTelegram, tmp_path: Path, *, with_discussion: bool, log_level: str = "DEBUG"
) -> AsyncIterator[Path]:
    """Starts `python -m bot` with settings in its environment; yields its log file."""
    env = {key: value for key, value in os.environ.items() if key != "PTB_TIMEDELTA"}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "CHANNEL_ID": str(CHANNEL_ID),
            "MODERATION_CHAT_ID": str(MODERATION_CHAT_ID),
            "DISCUSSION_CHAT_ID": str(DISCUSSION_CHAT_ID) if with_discussion else "",
            "ADMIN_IDS": str(ADMIN_ID),
            "DATABASE_PATH": str(tmp_path / "db" / "bot.sqlite3"),
            "LOG_LEVEL": log_level,
        }
    )
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log, stderr=log
        )
        try:
            await telegram.wait_for(telegram.is_polling, timeout=20)
            yield log_path
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=20)
    assert code == 0, log_path.read_text()


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
