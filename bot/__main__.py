"""`python -m bot`: read the settings, then poll Telegram until stopped."""

from __future__ import annotations

import asyncio
import sys

from bot.app import BotApp, build_application
from bot.logging_setup import configure_logging
from bot.polling import TelegramUnavailableError, stop_on_signals
from bot.settings import SettingsError, load_settings
from storage.db import database_problem


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    problem = database_problem(settings.database_path)
    if problem is not None:
        print(f"Configuration error: DATABASE_PATH {problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    bot_app = build_application(settings)
    try:
        asyncio.run(_serve(bot_app))
    except TelegramUnavailableError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    return 0


async def _serve(bot_app: BotApp) -> None:
    stopping = asyncio.Event()
    stop_on_signals(stopping)
    await bot_app.serve(stopping)


if __name__ == "__main__":
    sys.exit(main())
