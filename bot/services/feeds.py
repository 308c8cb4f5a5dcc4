"""The blog's feeds: new entries become articles posted to the channel, as /post makes them.

One entry, one post, ever. An entry is known by its key (guid / Atom id, else its link,
date and title) and recorded as seen in the same transaction as the article it becomes
and its queued channel post: a crash before that commit posts nothing (the next fetch
finds the entry again), a crash after it finds the entry seen. What a feed holds when
first seen is recorded, not posted; after downtime the entries missed are posted oldest
first, a few a poll, so the channel is not flooded.

No Telegram and no HTTP here: bot.services.feed_poller fetches and parses (bot.feeds).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import aiosqlite

from bot.feed_links import normal_link
from bot.feeds import FeedEntry, ParsedFeed
from bot.services import admin_notices, effects
from bot.services.admin_notices import AdminNotice
from bot.services.articles import SUMMARY_MAX_LENGTH, TITLE_MAX_LENGTH, URL_MAX_LENGTH
from bot.settings import Settings
from bot.text import shorten
from storage import articles, feeds
from storage.db import Database
from storage.models import FROM_FEED, FeedState

logger = logging.getLogger(__name__)

# Entries posted per poll when catching up: the channel's readers get the news, not a
# flood (and the channel's minute keeps room).
POSTS_PER_POLL = 5
# The admins hear of a feed that keeps failing after this many failures in a row.
FAILURES_BEFORE_TELLING = 3
# A failing feed is fetched less often: the poll interval doubles per failure, up to this.
MAX_BACKOFF_FACTOR = 16
# An entry published this long before its feed was first seen is the blog's past, not news.
OLD_ENTRY_SLACK = 86400.0


@dataclass(frozen=True)
class FeedPass:
    """What one successful fetch did."""

    posted: tuple[int, ...] = ()
    # Entries recorded without a post at first sight (None: not the first sight).
    first_sight: int | None = None


async def due(db: Database, settings: Settings, now: float) -> list[FeedState]:
    """The configured feeds to fetch now (a feed new to FEED_URLS at once)."""
    async with db.transaction() as conn:
        await feeds.ensure(conn, settings.feed_urls)
        states = await feeds.all_of(conn, settings.feed_urls)
    return [state for state in states if state.next_fetch_at <= now]


async def all_feeds(db: Database, settings: Settings) -> list[FeedState]:
    async with db.transaction() as conn:
        await feeds.ensure(conn, settings.feed_urls)
        return await feeds.all_of(conn, settings.feed_urls)


async def took_entries(
    db: Database,
    settings: Settings,
    url: str,
    parsed: ParsedFeed,
    validators: tuple[str | None, str | None],
    now: float,
) -> FeedPass:
    """A fetch that worked: new entries become articles and channel posts (the first time,
    they are only recorded)."""
    async with db.transaction() as conn:
        state = await _state(conn, url)
        if state.legacy_keys:
            await _carry_over_legacy_keys(conn, url, parsed, now)
        seen = await feeds.seen_keys(conn, url, [entry.key for entry in parsed.entries])
        unseen = [entry for entry in parsed.entries if entry.key not in seen]
        if state.first_seen_at is None:
            await feeds.mark_seen(conn, url, [(entry.key, None) for entry in unseen], now)
            await admin_notices.tell_admins_about_feed(
                conn, settings, AdminNotice.FEED_FIRST_SEEN, url, str(len(unseen)), now
            )
            outcome = FeedPass(first_sight=len(unseen))
        else:
            posted, more_left = await _post_new(conn, settings, url, state, unseen, now)
            outcome = FeedPass(tuple(posted))
            if more_left:
                # The rest go at the next poll, which must see them: with this answer's
                # validators the blog would answer 304 until it published again.
                validators = (state.etag, state.last_modified)
        await _recovered(conn, settings, state, now)
        etag, last_modified = validators
        await feeds.save(
            conn,
            replace(
                _worked(state, settings, now, "ok"),
                etag=etag,
                last_modified=last_modified,
                first_seen_at=state.first_seen_at or now,
                posted=state.posted + len(outcome.posted),
                legacy_keys=False,
            ),
        )
    if outcome.first_sight is not None:
        logger.info(
            "Feed %s: %s existing entries recorded; new ones will be posted",
            url,
            outcome.first_sight,
        )
    elif outcome.posted:
        logger.info("Feed %s: posting articles %s", url, list(outcome.posted))
    return outcome


async def _carry_over_legacy_keys(
    conn: aiosqlite.Connection, url: str, parsed: ParsedFeed, now: float
) -> None:
    """The first successful fetch since migration 0019: entries recorded under the keys of
    before are recorded under today's, so that nothing seen then is posted now.

    Entries without an id were keyed by their link alone, so every entry that shares the
    link of an entry seen (NixOS news) counts as seen this once: the bot took them all
    for that one entry before, and posts the ones that come after.
    """
    renamed = [(entry.legacy_key, entry.key) for entry in parsed.entries if entry.legacy_key]
    await feeds.carry_over(conn, url, renamed, now)
    logger.info("Feed %s: the entries seen before are now known by their new keys", url)


async def _post_new(
    conn: aiosqlite.Connection,
    settings: Settings,
    url: str,
    state: FeedState,
    unseen: list[FeedEntry],
    now: float,
) -> tuple[list[int], bool]:
    """Oldest first, at most POSTS_PER_POLL posts; the rest wait for the next poll (True:
    some do)."""
    posted: list[int] = []
    first_seen_at = state.first_seen_at or now
    for entry in unseen:
        if len(posted) == POSTS_PER_POLL:
            return posted, True
        # Posted by hand with /post already (or taken down on request since): never again.
        # A link other entries share (NixOS news) tells no article apart: not compared.
        existing = await _posted_before(conn, entry.link) if entry.own_link else None
        # Published well before the feed was first seen, yet not in it then: the blog
        # showed more of its past (a longer feed, an old post edited or republished).
        old = entry.published is not None and entry.published < first_seen_at - OLD_ENTRY_SLACK
        if existing is not None or old or len(entry.link) > URL_MAX_LENGTH:
            if existing is None and not old:
                logger.warning("Feed %s: entry %s has a link too long to post", url, entry.key)
            await feeds.mark_seen(conn, url, [(entry.key, existing)], now)
            continue
        article_id = await articles.insert_draft(
            conn,
            entry.link,
            shorten(entry.title, TITLE_MAX_LENGTH),
            shorten(entry.summary, SUMMARY_MAX_LENGTH),
            FROM_FEED,
            now,
            image_url=entry.image_url,
        )
        await effects.post_to_channel(conn, settings, article_id, FROM_FEED, now)
        await feeds.mark_seen(conn, url, [(entry.key, article_id)], now)
        posted.append(article_id)
    return posted, False


async def _posted_before(conn: aiosqlite.Connection, link: str) -> int | None:
    """The first article ever made with `link`, the two compared without tracking
    parameters (an editor's /post of "…?utm_source=x" is the feed's "…" article)."""
    prefix = re.split(r"[?#]", link, maxsplit=1)[0]
    for article_id, url in await articles.ever_with_url_prefix(conn, prefix):
        if normal_link(url) == link:
            return article_id
    return None


async def not_modified(db: Database, settings: Settings, url: str, now: float) -> None:
    """304: nothing new, and the feed works."""
    async with db.transaction() as conn:
        state = await _state(conn, url)
        await _recovered(conn, settings, state, now)
        await feeds.save(conn, _worked(state, settings, now, "not_modified"))


async def failed(db: Database, settings: Settings, url: str, reason: str, now: float) -> None:
    """A fetch or a parse that failed: the feed backs off; one log line per streak, and the
    admins hear of it once it has failed FAILURES_BEFORE_TELLING times in a row."""
    async with db.transaction() as conn:
        state = await _state(conn, url)
        failures = state.failures + 1
        tell = failures >= FAILURES_BEFORE_TELLING and not state.admins_told
        if tell:
            await admin_notices.tell_admins_about_feed(
                conn, settings, AdminNotice.FEED_FAILING, url, reason, now
            )
        factor = min(2**failures, MAX_BACKOFF_FACTOR)
        await feeds.save(
            conn,
            replace(
                state,
                last_fetch_at=now,
                last_result="failed",
                last_error=reason,
                failures=failures,
                admins_told=state.admins_told or tell,
                next_fetch_at=now + settings.feed_poll_seconds * factor,
            ),
        )
    if failures == 1:
        logger.warning("Feed %s failed: %s (retried less often until it works)", url, reason)


async def _state(conn: aiosqlite.Connection, url: str) -> FeedState:
    await feeds.ensure(conn, [url])
    state = await feeds.get(conn, url)
    assert state is not None
    return state


def _worked(state: FeedState, settings: Settings, now: float, result: str) -> FeedState:
    return replace(
        state,
        last_fetch_at=now,
        last_result=result,
        last_error=None,
        failures=0,
        admins_told=False,
        next_fetch_at=now + settings.feed_poll_seconds,
    )


async def _recovered(
    conn: aiosqlite.Connection, settings: Settings, state: FeedState, now: float
) -> None:
    if state.failures == 0:
        return
    logger.info("Feed %s works again after %s failures", state.url, state.failures)
    if state.admins_told:
        await admin_notices.tell_admins_about_feed(
            conn, settings, AdminNotice.FEED_RECOVERED, state.url, "", now
        )
