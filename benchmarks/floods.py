"""Floods cost nothing: readers are answered while five accounts flood the bot.

    python -m benchmarks.floods [--flooders 5] [--per-second 30] [--seconds 10] [--readers 20]

The bot runs as a process (`python -m bot`, default settings) against the fake Bot API,
which enforces Telegram's 30 messages a second overall and 20 a minute per group, and
counts every 429. Each flooder opens an article from its post, then sends `--per-second`
texts a second for `--seconds` seconds. Meanwhile `--readers` other readers arrive one
every half second, each opening the article from its link and commenting: a reader's
wait is from what they send to the bot's answer ("Send your comment", then "awaits
moderation"), the longer of the two. The same readers, on the same schedule, are then
timed with no flood, in a fresh bot: the ratio of the two is what the flood costs them.
With --gate-off the flood gate lets everything through (FLOOD_GATE_BURST of a million),
as before it: every flood text is answered, and readers wait behind the flooders, not in
the budget's queue of calls but in the handling of updates, each flooder's replies paced
one after another while the next poll waits for them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from benchmarks.intake import OVERALL_PER_SECOND, percentile, start, stop
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.factories import ADMIN_ID, CHANNEL_ID

FIRST_FLOODER_ID = 400_000
FIRST_READER_ID = 500_000
READER_SPACING = 0.5
TIMEOUT = 120.0


@dataclass(frozen=True)
class RunResult:
    # Each reader's wait for the slower of their two answers, in seconds.
    waits: list[float]
    # How many messages the bot sent each flooder, and how many texts each sent.
    flooder_answers: list[int]
    flooder_sent: int
    # Flooders banned as spam by the end.
    banned: int
    too_many_requests: int


def answers_to(telegram: FakeTelegram, chat_id: int) -> list[tuple[float, str]]:
    return [
        (call.at, str(call.params.get("text", "")))
        for call in telegram.calls
        if call.method == "sendMessage"
        and call.status == 200
        and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def answered(telegram: FakeTelegram, reader: int, contains: str, after: float) -> float:
    """When the bot first sent the reader a message containing `contains`, after `after`."""

    def find() -> float | None:
        return next(
            (at for at, text in answers_to(telegram, reader) if at >= after and contains in text),
            None,
        )

    found: float = await telegram.wait_for(find, timeout=TIMEOUT)
    return found


async def one_reader(telegram: FakeTelegram, reader: int, payload: str, delay: float) -> float:
    """A reader arriving after `delay`; returns their longer wait for an answer."""
    await asyncio.sleep(delay)
    opened = time.monotonic()
    telegram.user_sends_text(reader, f"/start {payload}")
    shown = await answered(telegram, reader, "Send your comment", opened)
    sent = time.monotonic()
    telegram.user_sends_text(reader, f"A genuine comment from {reader}")
    acknowledged = await answered(telegram, reader, "awaits moderation", sent)
    return max(shown - opened, acknowledged - sent)


async def flood(
    telegram: FakeTelegram, flooder: int, payload: str, per_second: int, seconds: float
) -> int:
    """Opens the article, then floods; returns how many texts were sent."""
    telegram.user_sends_text(flooder, f"/start {payload}")
    started = time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - started) < seconds:
        due = int(elapsed * per_second) + 1
        while sent < due:
            telegram.user_sends_text(flooder, f"Signals! Join now {sent}")
            sent += 1
        await asyncio.sleep(1 / per_second)
    return sent


async def one_run(
    workdir: Path,
    flooders: int,
    per_second: int,
    seconds: float,
    readers_count: int,
    *,
    gate_off: bool = False,
) -> RunResult:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        populate(telegram, with_discussion=False)
        telegram.group_rate_limit_per_minute = 20
        telegram.overall_rate_limit_per_second = OVERALL_PER_SECOND
        flooder_ids = list(range(FIRST_FLOODER_ID, FIRST_FLOODER_ID + flooders))
        reader_ids = list(range(FIRST_READER_ID, FIRST_READER_ID + readers_count))
        for person in flooder_ids + reader_ids:
            telegram.add_user(person, f"Person {person}")
        env = bot_environment(telegram, workdir, with_discussion=False, log_level="WARNING")
        env["PYTHONPATH"] = str(ROOT)
        if gate_off:
            env["FLOOD_GATE_BURST"] = "1000000"
        process, _ = await start([sys.executable, "-m", "bot"], env, workdir / "bot.log", telegram)
        try:
            telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/a\nFlood\nx")
            post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
            link = post["reply_markup"]["inline_keyboard"][0][0]["url"]
            payload = link.rsplit("=", 1)[1]
            floods = [
                asyncio.create_task(flood(telegram, f, payload, per_second, seconds))
                for f in flooder_ids
            ]
            waits = await asyncio.gather(
                *(
                    one_reader(telegram, reader, payload, READER_SPACING * number)
                    for number, reader in enumerate(reader_ids)
                )
            )
            sent = await asyncio.gather(*floods)
            # Whatever the bot still says to the flooders is counted.
            await telegram.wait_for(lambda: telegram.pending_updates() == 0, timeout=TIMEOUT)
            await asyncio.sleep(2)
            answers = [len(answers_to(telegram, f)) for f in flooder_ids]
        finally:
            await stop(process)
        return RunResult(
            list(waits),
            answers,
            max(sent, default=0),
            await banned(workdir, flooder_ids),
            sum(1 for call in telegram.calls if call.status == 429),
        )
    finally:
        await telegram.stop()


async def banned(workdir: Path, people: list[int]) -> int:
    async with (
        aiosqlite.connect(workdir / "db" / "bot.sqlite3") as conn,
        conn.execute(
            "SELECT COUNT(*) FROM bans WHERE lifted_at IS NULL AND user_id BETWEEN ? AND ?",
            (min(people, default=0), max(people, default=0)),
        ) as cursor,
    ):
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def describe(name: str, result: RunResult) -> None:
    waits = result.waits
    print(
        f"{name:>8}: readers' wait p50 {percentile(waits, 0.5):5.2f} s,"
        f" p90 {percentile(waits, 0.9):5.2f} s, max {max(waits):5.2f} s;"
        f" 429s {result.too_many_requests}"
    )


async def main(
    flooders: int, per_second: int, seconds: float, readers: int, *, gate_off: bool
) -> None:
    print(
        f"{flooders} flooders × {per_second}/s for {seconds:.0f} s, {readers} readers one every"
        f" {READER_SPACING} s; the fake enforces {OVERALL_PER_SECOND}/s; {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="floods-") as tmp:
        flooded = await one_run(
            Path(tmp), flooders, per_second, seconds, readers, gate_off=gate_off
        )
    with tempfile.TemporaryDirectory(prefix="floods-quiet-") as tmp:
        quiet = await one_run(Path(tmp), 0, per_second, seconds, readers)
    describe("flood", flooded)
    describe("no flood", quiet)
    print(
        f"flooders sent {flooded.flooder_sent} texts each; answered"
        f" {', '.join(map(str, flooded.flooder_answers))} times;"
        f" {flooded.banned} of {flooders} banned as spam"
    )
    worst, calm = max(flooded.waits), max(quiet.waits)
    print(f"readers' longest wait, flood / no flood: {worst:.2f} s / {calm:.2f} s")
    ok = worst <= 3.0 and flooded.too_many_requests == 0 and max(flooded.flooder_answers) <= 15
    print(
        "target (every reader within 3 s, flooders answered ≤ 15 times, no 429):",
        "met" if ok else "MISSED",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flooders", type=int, default=5)
    parser.add_argument("--per-second", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--gate-off", action="store_true", help="the fair queue alone")
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.flooders,
            arguments.per_second,
            arguments.seconds,
            arguments.readers,
            gate_off=arguments.gate_off,
        )
    )
