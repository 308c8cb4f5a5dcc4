"""`python -m bot forgotten` and `python -m bot forget-again FILE`: a backup restored after
readers asked to be forgotten still holds their words. `forgotten` lists them (one
`USER_ID CHOICE` a line) from the database in use; kept beside the backups, that list is
given to `forget-again` on the restored database, with the bot stopped, which erases them
again as /forget did (their thread posts are taken down again when the bot starts, if
the backup had them up)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from bot.i18n import Texts
from bot.rendering.channel import former_reader
from bot.services.forget import Published, forget_reader
from bot.settings import Settings
from storage import erasure
from storage.db import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "forgotten",
        prog="python -m bot forgotten",
        help="list the readers forgotten (/forget), one 'USER_ID CHOICE' a line",
        description="List the readers forgotten (/forget), one 'USER_ID CHOICE' a line.",
    )
    again = commands.add_parser(
        "forget-again",
        prog="python -m bot forget-again",
        help="after restoring a backup: forget again the readers listed by `forgotten`",
        description="After restoring a backup, with the bot stopped: forget again the readers"
        " a `forgotten` list names.",
    )
    again.add_argument("path", type=Path, metavar="FILE", help="the output of `forgotten`")


def read_list(text: str) -> list[tuple[int, Published]]:
    """`forgotten`'s lines; a ValueError names the first line that is not one."""
    listed = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        choices = {choice.value for choice in Published}
        if len(parts) != 2 or not parts[0].lstrip("-").isdigit() or parts[1] not in choices:
            raise ValueError(f"line {number} is not 'USER_ID down|keep': {line[:80]!r}")
        listed.append((int(parts[0]), Published(parts[1])))
    return listed


async def print_forgotten(database_path: Path) -> int:
    database = await Database.open(database_path)
    try:
        async with database.reading() as conn:
            for user_id, published in await erasure.forgotten(conn):
                print(user_id, published)
    finally:
        await database.close()
    return 0


async def _forget_again(settings: Settings, listed: list[tuple[int, Published]]) -> None:
    database = await Database.open(settings.database_path)
    former = former_reader(Texts(settings.channel_language))
    try:
        for user_id, published in listed:
            await forget_reader(
                database, settings, user_id, published, former, time.time(), after_restore=True
            )
    finally:
        await database.close()


def forget_again(settings: Settings, path: Path) -> int:
    try:
        listed = read_list(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"Cannot read {path}: {error}", file=sys.stderr)
        return 2
    asyncio.run(_forget_again(settings, listed))
    print(f"Forgot {len(listed)} reader(s) again in {settings.database_path}")
    return 0
