"""`python -m bot backup` while the bot runs, then the bot restarted on the copy."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections import Counter
from pathlib import Path

from bot.services.verdicts import Decision
from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import READER_IDS, running_bot, submission_statuses, wait_for_outbox
from tests.e2e.process import ROOT
from tests.e2e.steps import card_without_buttons, comment, post_article, press
from tests.factories import MODERATION_CHAT_ID, MODERATOR_ID, make_settings

READER = READER_IDS[0]


async def backup_cli(database_path: Path, target: Path) -> tuple[int, str, str]:
    """`python -m bot backup TARGET` in a process of its own, given DATABASE_PATH and no
    Telegram settings at all; returns its exit code, stdout and stderr."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOT_TOKEN", "TELEGRAM_API_URL", "CHANNEL_ID", "MODERATION_CHAT_ID"}
    }
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database_path)})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        str(target),
        cwd=target.parent,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # As an editor's shell runs it by hand: files anyone on the machine may read.
        umask=0o022,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def all_delivered(statuses: dict[str, str]) -> bool:
    return bool(statuses) and set(statuses.values()) == {"delivered"}


def repeated_texts(telegram: FakeTelegram, chat_id: int) -> dict[str, int]:
    texts = Counter(m.get("text", "") for m in telegram.bot_messages_in(chat_id))
    return {text: n for text, n in texts.items() if n > 1}


async def test_bot_restored_from_a_live_backup_decides_the_card_made_before_it(
    telegram: FakeTelegram, e2e_settings: Settings, tmp_path: Path
) -> None:
    """A card made before a backup taken while the bot runs is approved by the bot started
    on the copy; nothing the first bot sent is sent again."""
    target = tmp_path / "backups" / "bot-backup.sqlite3"
    target.parent.mkdir()
    async with running_bot(e2e_settings):
        _, post = await post_article(telegram, "Backed up")
        card = await comment(telegram, READER, post, "Written before the backup")
        # Everything owed is sent first, so a card sent twice after the restore could only
        # come from a copy that lost the record of sending it.
        await wait_for_outbox(e2e_settings, all_delivered)
        code, out, err = await backup_cli(e2e_settings.database_path, target)
        assert (code, err) == (0, ""), err
        assert out.startswith(f"Backed up {e2e_settings.database_path} to {target} (")
        # Every reader's email is in it: for the bot's own account only.
        assert stat.S_IMODE(target.stat().st_mode) == 0o600

    restored = make_settings(target, telegram_api_url=telegram.base_url)
    assert await submission_statuses(restored) == ["pending"]
    async with running_bot(restored):
        answer = await press(telegram, MODERATOR_ID, card, Decision.APPROVE)
        assert "approved" in answer.get("text", "").lower(), answer
        await card_without_buttons(telegram, card)
        await telegram.wait_for_bot_message(READER, contains="was published")
        await wait_for_outbox(restored, all_delivered)
    assert await submission_statuses(restored) == ["approved"]
    cards = [
        m for m in telegram.bot_messages_in(MODERATION_CHAT_ID) if "Comment #" in m.get("text", "")
    ]
    assert [m["message_id"] for m in cards] == [card["message_id"]]
    assert repeated_texts(telegram, MODERATION_CHAT_ID) == {}
    assert repeated_texts(telegram, READER) == {}
