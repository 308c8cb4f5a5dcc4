"""Running `python -m bot` as a separate process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sandbox.bot_api import FakeTelegram
from tests.factories import ADMIN_ID, CHANNEL_ID, DISCUSSION_CHAT_ID, MODERATION_CHAT_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


def bot_environment(
    telegram: FakeTelegram,
    tmp_path: Path,
    *,
    with_discussion: bool,
    log_level: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
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
            # As in tests.factories.make_settings: a rejection is told at once.
            "REJECT_NOTICE_DELAY_SECONDS": "0",
        }
    )
    env.update(extra or {})
    return env


async def start_bot_process(
    telegram: FakeTelegram,
    tmp_path: Path,
    *,
    with_discussion: bool = False,
    log_level: str = "INFO",
    extra_env: dict[str, str] | None = None,
) -> asyncio.subprocess.Process:
    """Starts the bot, appending to tmp_path/bot.log, and waits until it polls."""
    env = bot_environment(
        telegram, tmp_path, with_discussion=with_discussion, log_level=log_level, extra=extra_env
    )
    with (tmp_path / "bot.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log, stderr=log
        )
    await telegram.wait_for(telegram.is_polling, timeout=20)
    return process
