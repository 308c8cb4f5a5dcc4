"""The blog's feeds and every entry seen in them."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

from storage.db import fetch_all, fetch_one
from storage.models import FeedState

_COLUMNS = (
    "url, etag, last_modified, first_seen_at, last_fetch_at, last_result, last_error,"
    " failures, admins_told, next_fetch_at, posted, legacy_keys"
)


def _state(row: aiosqlite.Row) -> FeedState:
    return FeedState(
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        first_seen_at=row["first_seen_at"],
        last_fetch_at=row["last_fetch_at"],
        last_result=row["last_result"],
        last_error=row["last_error"],
        failures=row["failures"],
        admins_told=bool(row["admins_told"]),
        next_fetch_at=row["next_fetch_at"],
        posted=row["posted"],
        legacy_keys=bool(row["legacy_keys"]),
    )


async def ensure(conn: aiosqlite.Connection, urls: Sequence[str]) -> None:
    """A row for each configured feed (a feed added to FEED_URLS is fetched at once)."""
    await conn.executemany("INSERT OR IGNORE INTO feeds (url) VALUES (?)", [(url,) for url in urls])


async def get(conn: aiosqlite.Connection, url: str) -> FeedState | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", (url,))
    return _state(row) if row else None


async def all_of(conn: aiosqlite.Connection, urls: Sequence[str]) -> list[FeedState]:
    rows = await fetch_all(
        conn,
        f"SELECT {_COLUMNS} FROM feeds WHERE url IN (SELECT value FROM json_each(?))",
        (_json_list(urls),),
    )
    by_url = {row["url"]: _state(row) for row in rows}
    return [by_url[url] for url in urls if url in by_url]


async def save(conn: aiosqlite.Connection, state: FeedState) -> None:
    await conn.execute(
        "UPDATE feeds SET etag = ?, last_modified = ?, first_seen_at = ?, last_fetch_at = ?,"
        " last_result = ?, last_error = ?, failures = ?, admins_told = ?, next_fetch_at = ?,"
        " posted = ?, legacy_keys = ? WHERE url = ?",
        (
            state.etag,
            state.last_modified,
            state.first_seen_at,
            state.last_fetch_at,
            state.last_result,
            state.last_error,
            state.failures,
            int(state.admins_told),
            state.next_fetch_at,
            state.posted,
            int(state.legacy_keys),
            state.url,
        ),
    )


async def seen_keys(conn: aiosqlite.Connection, url: str, keys: Sequence[str]) -> set[str]:
    """Which of these entries were seen before."""
    rows = await fetch_all(
        conn,
        "SELECT entry_key FROM feed_entries WHERE feed_url = ?"
        " AND entry_key IN (SELECT value FROM json_each(?))",
        (url, _json_list(keys)),
    )
    return {str(row[0]) for row in rows}


async def mark_seen(
    conn: aiosqlite.Connection, url: str, entries: Sequence[tuple[str, int | None]], now: float
) -> None:
    """Entries seen: with the article each became, or None (recorded, not posted)."""
    await conn.executemany(
        "INSERT OR IGNORE INTO feed_entries (feed_url, entry_key, article_id, seen_at)"
        " VALUES (?, ?, ?, ?)",
        [(url, key, article_id, now) for key, article_id in entries],
    )


async def carry_over(
    conn: aiosqlite.Connection, url: str, renamed: Sequence[tuple[str, str]], now: float
) -> None:
    """Entries seen under an old key are seen under the new one too, with the same article:
    (old key, new key) pairs; an old key never seen copies nothing."""
    await conn.executemany(
        "INSERT OR IGNORE INTO feed_entries (feed_url, entry_key, article_id, seen_at)"
        " SELECT feed_url, ?, article_id, ? FROM feed_entries"
        " WHERE feed_url = ? AND entry_key = ?",
        [(new, now, url, old) for old, new in renamed],
    )


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values))
