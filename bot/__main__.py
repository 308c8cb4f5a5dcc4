"""`python -m bot`: read the settings, then poll Telegram until stopped.

`python -m bot backup PATH`: copy the database to PATH, while the bot runs or not.

`python -m bot spam learn|check|eval`: the spam check, on the bot's database (bot.spam.cli).

`python -m bot sandbox [--port 8080] [--fresh] [--demo]`: the whole newsroom on this
machine, with a local Bot API and a page to watch and act in (sandbox.run).
`python -m bot forgotten`, `python -m bot forget-again FILE`: readers forgotten, and forgetting
them again in a restored backup (bot.forget_cli).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError, model_validator
from pydantic_settings import BaseSettings

from bot import forget_cli
from bot.app import BotApp, build_application
from bot.backup import BackupError, BackupRefusedError, backup_database
from bot.logging_setup import configure_logging
from bot.polling import TelegramUnavailableError, stop_on_signals
from bot.settings import (
    Settings,
    SettingsError,
    SpamScore,
    check_spam_thresholds,
    load_settings,
    settings_problems,
)
from bot.spam import cli as spam_cli
from bot.spam.checker import Thresholds
from storage.db import database_problem


class DatabaseSettings(BaseSettings):
    """DATABASE_PATH alone, read as Settings reads it: a backup needs no Telegram settings,
    so it works on a server whose .env holds nothing else, or whose token is being changed."""

    model_config = Settings.model_config

    database_path: Path = Settings.model_fields["database_path"].default
    # Checked as Settings checks them: the spam commands refuse what the bot refuses.
    spam_threshold: SpamScore = Settings.model_fields["spam_threshold"].default
    spam_unsure_threshold: SpamScore = Settings.model_fields["spam_unsure_threshold"].default

    @model_validator(mode="after")
    def _spam_thresholds_in_order(self) -> DatabaseSettings:
        check_spam_thresholds(self.spam_threshold, self.spam_unsure_threshold)
        return self


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "backup":
        return _backup(arguments.path)
    if arguments.command == "spam":
        try:
            database = DatabaseSettings()
        except ValidationError as error:
            print(f"Configuration error: {settings_problems(error)}", file=sys.stderr)
            return 2
        thresholds = Thresholds(database.spam_threshold, database.spam_unsure_threshold)
        return spam_cli.run(arguments, database.database_path, thresholds)
    if arguments.command == "sandbox":
        return _sandbox(arguments.port, arguments.fresh, arguments.demo)
    if arguments.command == "forgotten":
        database_path = DatabaseSettings().database_path
        if _database_refused(database_path):
            return 2
        return asyncio.run(forget_cli.print_forgotten(database_path))
    if arguments.command == "forget-again":
        return _forget_again(arguments.path)
    return _run_bot()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        usage=(
            "%(prog)s [-h] [backup PATH | spam ACTION ... | sandbox ... | forgotten"
            " | forget-again FILE]"
        ),
        description="Without a command: run the bot until stopped.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    backup = commands.add_parser(
        "backup",
        prog="python -m bot backup",
        help="copy the database (DATABASE_PATH) to a new file, safely while the bot runs",
        description="Copy the database (DATABASE_PATH) to a new file, safely while the bot runs.",
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the new file; must not exist")
    spam_cli.add_commands(commands)
    _add_sandbox(commands)
    forget_cli.add_commands(commands)
    return parser


def _add_sandbox(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox_parser = commands.add_parser(
        "sandbox",
        prog="python -m bot sandbox",
        help="try the whole newsroom on this machine, without Telegram, in a browser",
        description=(
            "The bot against a local Bot API, with a channel, its discussion group, a "
            "moderation group, an admin, two moderators and three readers, shown and driven "
            "from a page on http://127.0.0.1:PORT. Nothing leaves the machine; no token is "
            "needed. Kept between runs under data/sandbox/."
        ),
    )
    sandbox_parser.add_argument(
        "--port", type=int, default=8080, help="the page's port on 127.0.0.1 (0: any free one)"
    )
    sandbox_parser.add_argument(
        "--fresh", action="store_true", help="start over: forget the last run's world"
    )
    sandbox_parser.add_argument(
        "--demo",
        action="store_true",
        help="fill a new world first: articles, comments waiting, a contact message, spam",
    )


def _sandbox(port: int, fresh: bool, demo: bool) -> int:
    # Imported here: the Docker image ships the bot without the sandbox (Dockerfile).
    try:
        from sandbox import run  # noqa: PLC0415
    except ImportError as error:
        print(
            f"The sandbox is not installed here ({error}); run it from a checkout.", file=sys.stderr
        )
        return 2
    return run.run(run.Options(port, fresh, demo))


def _backup(target: Path) -> int:
    source = DatabaseSettings().database_path
    try:
        size = backup_database(source, target)
    except BackupRefusedError as error:
        print(f"Backup refused: {error}", file=sys.stderr)
        return 2
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {source} to {target} ({size:,} bytes)")
    return 0


def _database_refused(database_path: Path) -> bool:
    """Asked before the database is opened, and said in one line if it cannot be."""
    problem = database_problem(database_path)
    if problem is not None:
        print(f"Configuration error: DATABASE_PATH {problem}", file=sys.stderr)
    return problem is not None


def _checked_settings() -> Settings | None:
    """The settings, with a database that opens; None once the problem is said."""
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return None
    return None if _database_refused(settings.database_path) else settings


def _forget_again(path: Path) -> int:
    settings = _checked_settings()
    if settings is None:
        return 2
    return forget_cli.forget_again(settings, path)


def _run_bot() -> int:
    settings = _checked_settings()
    if settings is None:
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
