"""Storage at scale: the bot's per-action queries on a database of a busy newsroom.

    python -m benchmarks.storage [--submissions 1000000] [--articles 10000] [--pending 100000]

Fills a fresh SQLite file (same migrations as the bot) with submissions spread over the
articles and readers, a tenth of them pending, plus a delivered outbox; then times each
query the bot runs on every action, through aiosqlite as the bot does, and prints the
median and p99 per query and the database's size on disk. The plans are asserted by
tests/storage/test_query_plans.py; this measures what they cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from storage.db import Database
from tests.storage.test_query_plans import HOT_QUERIES

READERS = 50_000
REPEATS = 300


def fill(path: Path, submissions: int, articles: int, pending: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles (id, url, title, status, channel_message_id, created_by,"
        " created_at) VALUES (?, 'https://blog.example/a', ?, 'published', ?, 1, 0)",
        ((n, f"Article {n}", n) for n in range(1, articles + 1)),
    )
    conn.executemany(
        "INSERT INTO readers (user_id, first_name, updated_at) VALUES (?, ?, 0)",
        ((n, f"Reader {n}") for n in range(1, READERS + 1)),
    )
    rng = random.Random(7)
    first_pending = submissions - pending

    def rows() -> Iterator[tuple[object, ...]]:
        for n in range(1, submissions + 1):
            status = "pending" if n > first_pending else rng.choice(("approved", "rejected"))
            yield (
                n,
                rng.randint(1, READERS),
                rng.randint(1, articles),
                f"Comment number {n} with some words in it",
                status,
                float(n),
                n,
            )

    conn.executemany(
        "INSERT INTO submissions (id, kind, user_id, article_id, text, status, created_at,"
        " source_message_id) VALUES (?, 'comment', ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.executemany(
        "INSERT INTO outbox (action, chat_key, payload, status, next_attempt_at, created_at)"
        " VALUES ('send_card', '-100', '{}', ?, ?, 0)",
        (
            ("delivered" if n < submissions - 200 else "pending", float(n))
            for n in range(submissions)
        ),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def parameters_for(name: str, articles: int) -> tuple[object, ...]:
    rng = random.random
    if name == "article view, latest approved":
        return (int(rng() * articles) + 1, 10)
    if name == "approved count":
        return (int(rng() * articles) + 1,)
    if name == "decision":
        return (int(rng() * 1000) + 1,)
    if name == "flood and repeat check":
        return ("x", int(rng() * READERS) + 1, 0.0)
    if name == "what comments meet on arrival":
        # One comment (the batch of a quiet moment), its reader's last 10% of history recent.
        return (json.dumps([[int(rng() * READERS) + 1, int(rng() * 1000), "x", 900_000.0]]),)
    if name == "submission of a reader's message":
        return (int(rng() * READERS) + 1, int(rng() * 1000))
    return HOT_QUERIES[name][1]


async def measure(path: Path, articles: int) -> None:
    db = await Database.open(path)
    try:
        print(f"{'query':<36} {'median ms':>9} {'p99 ms':>8}")
        for name in sorted(HOT_QUERIES):
            sql = HOT_QUERIES[name][0]
            timings = []
            for _ in range(REPEATS):
                arguments = parameters_for(name, articles)
                started = time.perf_counter()
                if sql.startswith("UPDATE"):
                    # Timed and rolled back: the table stays as filled.
                    async with db.reading() as conn:
                        await conn.execute("BEGIN")
                        await conn.execute(sql, arguments)
                        await conn.execute("ROLLBACK")
                else:
                    async with db.reading() as conn:
                        await conn.execute_fetchall(sql, arguments)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            print(
                f"{name:<36} {statistics.median(timings):9.3f} "
                f"{timings[int(len(timings) * 0.99)]:8.3f}"
            )
    finally:
        await db.close()


async def main(submissions: int, articles: int, pending: int) -> None:
    with tempfile.TemporaryDirectory(prefix="storage-bench-") as tmp:
        path = Path(tmp) / "bot.sqlite3"
        await (await Database.open(path)).close()
        started = time.perf_counter()
        fill(path, submissions, articles, pending)
        print(
            f"filled {submissions:,} submissions over {articles:,} articles"
            f" ({pending:,} pending) in {time.perf_counter() - started:.1f} s;"
            f" database size {path.stat().st_size / 2**20:.0f} MB"
        )
        await measure(path, articles)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--pending", type=int, default=100_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.submissions, arguments.articles, arguments.pending))
