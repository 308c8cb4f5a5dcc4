"""A burst of comments against Telegram's group budget, edits counted.

    python -m benchmarks.moderation_burst [--comments 40] [--minutes 2.5]

The bot runs as a process (`python -m bot`, default settings) against the fake Bot API,
which enforces Telegram's 20 messages a minute per group with sends and edits sharing it
(tdlib/td#2592) and 30 a second overall. N readers who opened an article comment at the
same moment; a moderator then works the review desk, tapping Approve 1.5 s (reading time)
after the desk shows a new item. It reports how long readers waited for "received", how
many cards went out, how the desk moved minute by minute, and every 429 in the
moderation group (there must be none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.intake import burst, percentile, start
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.e2e.steps import desk_text, press_desk
from tests.factories import ADMIN_ID, CHANNEL_ID, MODERATION_CHAT_ID, MODERATOR_ID

FIRST_READER_ID = 300_000
READING_TIME = 1.5


async def work_the_desk(
    telegram: FakeTelegram, desk: dict[str, object], started: float, minutes: float
) -> list[float]:
    """A moderator taps Approve READING_TIME after each new item; returns when each tap
    was made, in seconds since the burst."""
    decided_at: list[float] = []
    deadline = started + minutes * 60
    shown = desk_text(telegram, desk)
    while time.monotonic() < deadline and "Nothing is waiting" not in shown:
        await asyncio.sleep(READING_TIME)
        current = telegram.message(MODERATION_CHAT_ID, int(str(desk["message_id"])))
        await press_desk(telegram, current, "approve", MODERATOR_ID)
        decided_at.append(time.monotonic() - started)
        before = shown

        def moved(before: str = before) -> bool:
            return desk_text(telegram, desk) != before

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            await telegram.wait_for(moved, timeout=remaining)
        except AssertionError:
            break
        shown = desk_text(telegram, desk)
    return decided_at


async def run(comments: int, minutes: float, workdir: Path) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    populate(telegram, with_discussion=False)
    telegram.group_rate_limit_per_minute = 20
    telegram.overall_rate_limit_per_second = 30
    readers = list(range(FIRST_READER_ID, FIRST_READER_ID + comments))
    for reader in readers:
        telegram.add_user(reader, f"Reader {reader}")
    env = bot_environment(telegram, workdir, with_discussion=False, log_level="WARNING")
    env["PYTHONPATH"] = str(ROOT)
    process, _ = await start([sys.executable, "-m", "bot"], env, workdir / "bot.log", telegram)
    try:
        telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/a\nBurst\nx")
        post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
        payload = post["reply_markup"]["inline_keyboard"][0][0]["url"].rsplit("=", 1)[1]
        await burst(telegram, readers, f"/start {payload}", "Send your comment")

        burst_started = time.monotonic()
        total, latencies = await burst(telegram, readers, "A comment", "awaits moderation")
        print(
            f'{comments} comments at once: every reader heard "received" within {total:.2f} s'
            f" (p50 {percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms)"
        )
        desk = await telegram.wait_for_bot_message(
            MODERATION_CHAT_ID, contains="Review desk", timeout=120
        )
        cards = [
            m
            for m in telegram.bot_messages_in(MODERATION_CHAT_ID)
            if m["text"].startswith("💬 Comment #")
        ]
        print(f"cards sent: {len(cards)}; the rest wait on the review desk")

        decided_at = await work_the_desk(telegram, desk, burst_started, minutes)
        per_minute = [
            sum(1 for at in decided_at if minute * 60 <= at < (minute + 1) * 60)
            for minute in range(int(minutes) + 1)
        ]
        print(f"desk decisions by minute since the burst: {per_minute} ({len(decided_at)} in all)")
        group_calls = [
            c
            for c in telegram.calls
            if c.params.get("chat_id") == MODERATION_CHAT_ID
            and c.method in {"sendMessage", "editMessageText"}
        ]
        too_many = [c for c in group_calls if c.status == 429]
        print(f"moderation group: {len(group_calls)} sends and edits, {len(too_many)} answered 429")
        print(f"429s anywhere: {sum(1 for c in telegram.calls if c.status == 429)}")
        if too_many:
            raise SystemExit("FAIL: the moderation group met Telegram's limit")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=60)
        await telegram.stop()


async def main(comments: int, minutes: float) -> None:
    print(f"{os.cpu_count()} cores; Telegram's limits enforced: 20/min per group, 30/s overall")
    with tempfile.TemporaryDirectory(prefix="moderation-burst-") as tmp:
        await run(comments, minutes, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=2.5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.comments, arguments.minutes))
