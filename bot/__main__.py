"""`python -m bot`: read the settings, then poll Telegram until stopped."""

from __future__ import annotations

import sys

from bot.app import ALLOWED_UPDATES, build_application
from bot.logging_setup import configure_logging
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
    application = build_application(settings)
    # bootstrap_retries=-1: Telegram unreachable at start-up means wait and retry, not exit.
    application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
