"""How long a comment typed under a post is public with THREAD_MODERATION=pre.

    python -m benchmarks.thread_exposure [--comments 10] [--round-trips 0,50,150]

Telegram publishes what a reader types in a post's thread the moment it is sent; nothing
in the Bot API holds it back. The bot takes it down once the update reaches it. The bot
runs as a process (`python -m bot`) against the fake Bot API, and readers who have never
written before type under a post: one at a time, each while the bot's long poll waits (a
quiet thread), then all at once (a busy one). Measured: from the reader's message to the
moment the bot's deleteMessage reaches Telegram. Each run adds a network round trip to
every call (half on the way there, half back; an update travels one way to the waiting
poll): 0 ms is the bot's own work, 50 to 150 ms is a server near Telegram's or far from
it. What no fake shows is added in real life: Telegram's own delay before it hands the
update out.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.intake import percentile, start, stop
from sandbox.bot_api import FakeTelegram
from tests.e2e.harness import populate
from tests.e2e.process import ROOT, bot_environment
from tests.e2e.steps import thread_of
from tests.factories import ADMIN_ID, CHANNEL_ID, DISCUSSION_CHAT_ID

FIRST_READER_ID = 300_000


def deleted_at(telegram: FakeTelegram, message_id: int) -> float | None:
    """When Telegram acted on the bot's deleteMessage of the message (its answer, less the
    way back)."""
    for call in telegram.calls:
        if (
            call.method == "deleteMessage"
            and call.status == 200
            and int(call.params.get("chat_id", 0)) == DISCUSSION_CHAT_ID
            and int(call.params.get("message_id", 0)) == message_id
        ):
            return call.at - telegram.round_trip_seconds / 2
    return None


async def exposures(
    telegram: FakeTelegram, readers: list[int], thread_id: int, *, at_once: bool
) -> list[float]:
    """Milliseconds each reader's message was up in the thread."""
    typed: dict[int, float] = {}
    for number, reader in enumerate(readers):
        if not at_once:
            await telegram.wait_for(telegram.is_polling, timeout=30)
        typed_at = time.monotonic()
        message = telegram.user_sends_text(
            reader,
            f"Comment number {number} from reader {reader}",
            chat_id=DISCUSSION_CHAT_ID,
            reply_to_message_id=thread_id,
        )
        message_id = int(message["message_id"])
        typed[message_id] = typed_at
        if not at_once:
            await telegram.wait_for(functools.partial(deleted_at, telegram, message_id), 30)
    await telegram.wait_for(lambda: all(deleted_at(telegram, m) for m in typed), timeout=120)
    return [((deleted_at(telegram, m) or 0.0) - at) * 1000 for m, at in typed.items()]


async def one_run(comments: int, round_trip_ms: float, workdir: Path) -> dict[str, list[float]]:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        populate(telegram, with_discussion=True)
        readers = list(range(FIRST_READER_ID, FIRST_READER_ID + 2 * comments))
        for reader in readers:
            telegram.add_user(reader, f"Reader {reader}")
        env = bot_environment(telegram, workdir, with_discussion=True, log_level="WARNING")
        env["PYTHONPATH"] = str(ROOT)
        process, _ = await start([sys.executable, "-m", "bot"], env, workdir / "bot.log", telegram)
        try:
            telegram.user_sends_text(ADMIN_ID, "/post https://blog.example/a\nExposure\nx")
            post = await telegram.wait_for_bot_message(CHANNEL_ID, timeout=60)
            thread = await thread_of(telegram, post)
            telegram.round_trip_seconds = round_trip_ms / 1000
            thread_id = thread["message_id"]
            quiet = await exposures(telegram, readers[:comments], thread_id, at_once=False)
            busy = await exposures(telegram, readers[comments:], thread_id, at_once=True)
        finally:
            telegram.round_trip_seconds = 0.0
            await stop(process)
        return {"one at a time": quiet, "all at once": busy}
    finally:
        await telegram.stop()


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.0f} ms, p90 {percentile(values, 0.9):6.0f} ms,"
        f" max {max(values):6.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10)
    parser.add_argument("--round-trips", default="0,50,150", help="milliseconds, comma-separated")
    args = parser.parse_args()
    for round_trip in [float(ms) for ms in args.round_trips.split(",")]:
        with tempfile.TemporaryDirectory() as folder:
            results = await one_run(args.comments, round_trip, Path(folder))
        for how, values in results.items():
            print(f"round trip {round_trip:4.0f} ms, {args.comments} {how}: {summary(values)}")


if __name__ == "__main__":
    asyncio.run(main())
