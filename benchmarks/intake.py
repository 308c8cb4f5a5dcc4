"""Intake under a burst: the bot beside a bare echo bot, on the same fake Bot API.

    python -m benchmarks.intake [--readers 1000] [--runs 3] [--paced]

Both bots run as separate processes (`python -m bot`, `python -m benchmarks.echo_bot`)
against the fake Bot API from the tests, which enforces Telegram's 20 messages a minute
per group, edits counted. Unpaced (the default), neither bot paces its sends and the fake
sets no overall limit: what is compared is the work each bot does per update. With
--paced, the fake enforces Telegram's 30 messages a second overall, the echo bot keeps to
it with python-telegram-bot's AIORateLimiter and this bot with its own budget (at its
default MESSAGES_PER_SECOND); the floor is readers / 30 seconds, and every 429 is counted.
For each run and each bot: N readers send one message at the same moment; we
measure the seconds until every reader was answered, updates per second, the latency
from an update being available to the reader's answer (p50, p99), the CPU time each
bot used per update (all its threads), its peak RSS, and the time from process start to
its first getUpdates. Medians over the runs are
printed, and last the ratio bot throughput / echo throughput: this machine is shared and
noisy, so the ratio is what counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.factories import ADMIN_ID, CHANNEL_ID

FIRST_READER_ID = 100_000
ACK_MARK = "awaits moderation"
TIMEOUT = 600.0


@dataclass(frozen=True)
class RunResult:
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float
    # The bot's own CPU time (all its threads) per update during the burst.
    cpu_ms_per_update: float
    first_poll_s: float
    too_many_requests: int


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start(
    command: list[str], env: dict[str, str], log: Path, telegram: FakeTelegram
) -> tuple[asyncio.subprocess.Process, float]:
    """Starts a bot; returns it and the seconds until its first getUpdates was waiting."""
    started = time.monotonic()
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=log.parent, env=env, stdout=out, stderr=out
        )
    await telegram.wait_for(telegram.is_polling, timeout=60)
    return process, time.monotonic() - started


async def burst(
    telegram: FakeTelegram, readers: list[int], text: str, answered: str | None
) -> tuple[float, list[float]]:
    """All readers send at once; returns total seconds and each reader's latency."""
    sent_at: dict[int, float] = {}
    answered_at: dict[int, float] = {}
    scanned = len(telegram.calls)
    start_time = time.monotonic()
    for reader in readers:
        sent_at[reader] = time.monotonic()
        telegram.user_sends_text(reader, text)

    def all_answered() -> bool:
        nonlocal scanned
        calls = telegram.calls
        for call in calls[scanned:]:
            if call.method != "sendMessage" or call.status != 200:
                continue
            chat = int(call.params.get("chat_id", 0))
            if (
                chat in sent_at
                and chat not in answered_at
                and (answered is None or answered in str(call.params.get("text", "")))
            ):
                answered_at[chat] = call.at
        scanned = len(calls)
        return len(answered_at) == len(readers)

    await telegram.wait_for(all_answered, timeout=TIMEOUT)
    total = max(answered_at.values()) - start_time
    return total, [(answered_at[r] - sent_at[r]) * 1000 for r in readers]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), timeout=60)


# Telegram's overall budget, as the fake enforces it with --paced.
OVERALL_PER_SECOND = 30


async def one_run(kind: str, readers_count: int, workdir: Path, *, paced: bool) -> RunResult:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        populate(telegram, with_discussion=False)
        telegram.group_rate_limit_per_minute = 20
        if paced:
            telegram.overall_rate_limit_per_second = OVERALL_PER_SECOND
        readers = list(range(FIRST_READER_ID, FIRST_READER_ID + readers_count))
        for reader in readers:
            telegram.add_user(reader, f"Reader {reader}")
        env = bot_environment(telegram, workdir, with_discussion=False, log_level="WARNING")
        if kind == "echo":
            command = [sys.executable, "-m", "benchmarks.echo_bot"]
            env["ECHO_PACED"] = "1" if paced else "0"
        else:
            command = [sys.executable, "-m", "bot"]
            if not paced:
                # The baseline does not pace its sends and the fake sets no overall limit,
                # so the bot's pacing is off too: what is measured is the work per update.
                env["MESSAGES_PER_SECOND"] = "0"
        env["PYTHONPATH"] = str(ROOT)
        process, first_poll = await start(command, env, workdir / f"{kind}.log", telegram)
        try:
            if kind == "bot":
                # Not measured: an article, and every reader opening it from its link.
                telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/a\nBurst\nx")
                post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
                link = post["reply_markup"]["inline_keyboard"][0][0]["url"]
                payload = link.rsplit("=", 1)[1]
                await burst(telegram, readers, f"/start {payload}", "Send your comment")
            cpu_before = cpu_seconds(process.pid)
            total, latencies = await burst(
                telegram,
                readers,
                "A comment from the burst",
                ACK_MARK if kind == "bot" else None,
            )
            cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / readers_count
            rss = peak_rss_mb(process.pid)
        finally:
            await stop(process)
        if kind == "bot":
            await check_every_comment_stored_once(workdir, readers_count)
        return RunResult(
            total,
            readers_count / total,
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
            rss,
            cpu_ms,
            first_poll,
            sum(1 for call in telegram.calls if call.status == 429),
        )
    finally:
        await telegram.stop()


async def check_every_comment_stored_once(workdir: Path, expected: int) -> None:
    async with (
        aiosqlite.connect(workdir / "db" / "bot.sqlite3") as conn,
        conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT user_id), SUM(status = 'pending') FROM submissions"
        ) as cursor,
    ):
        row = await cursor.fetchone()
    assert row is not None
    stored, authors, pending = row
    if (stored, authors, pending) != (expected, expected, expected):
        raise SystemExit(
            f"FAIL: {stored} comments stored from {authors} readers, {pending} pending;"
            f" expected {expected} of each"
        )


def report(name: str, results: list[RunResult]) -> float:
    def median(field: str) -> float:
        return float(statistics.median(float(getattr(r, field)) for r in results))

    print(
        f"{name:>5}: {median('seconds'):7.2f} s until all answered, "
        f"{median('per_second'):7.1f} updates/s, p50 {median('p50_ms'):7.1f} ms, "
        f"p99 {median('p99_ms'):7.1f} ms, peak RSS {median('peak_rss_mb'):5.1f} MB, "
        f"CPU {median('cpu_ms_per_update'):4.2f} ms/update, "
        f"start→first getUpdates {median('first_poll_s'):4.2f} s, "
        f"429s (most in a run) {max(r.too_many_requests for r in results)}"
    )
    return median("per_second")


async def main(readers: int, runs: int, *, paced: bool) -> None:
    mode = f"paced (fake enforces {OVERALL_PER_SECOND}/s)" if paced else "unpaced"
    print(f"{readers} readers, {runs} runs each, {mode}, median shown; {os.cpu_count()} cores")
    results: dict[str, list[RunResult]] = {"echo": [], "bot": []}
    for run in range(runs):
        for kind in ("echo", "bot"):
            with tempfile.TemporaryDirectory(prefix=f"intake-{kind}-") as tmp:
                results[kind].append(await one_run(kind, readers, Path(tmp), paced=paced))
            last = results[kind][-1]
            print(
                f"  run {run + 1} {kind}: {last.seconds:.2f} s, {last.per_second:.1f} updates/s,"
                f" {last.cpu_ms_per_update:.2f} ms CPU/update, {last.too_many_requests} 429s",
                flush=True,
            )
    echo = report("echo", results["echo"])
    bot = report("bot", results["bot"])
    print(f"ratio bot/echo throughput: {bot / echo:.2f}")
    if paced:
        floor = readers / OVERALL_PER_SECOND
        worst = max(r.seconds for r in results["bot"])
        print(
            f"bot: slowest run {worst:.2f} s = {worst / floor:.2f}× the floor of {floor:.0f} s"
            f" ({readers} / {OVERALL_PER_SECOND} a second)"
        )
    print(f"every comment stored exactly once and pending: yes ({readers} of {readers})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paced", action="store_true", help="Telegram's 30/s enforced")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.readers, arguments.runs, paced=arguments.paced))
