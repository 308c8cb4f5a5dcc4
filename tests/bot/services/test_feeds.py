"""The blog's feeds at the service level: what a fetch records and queues."""

from __future__ import annotations

import calendar
import contextlib
import re
import sqlite3
from pathlib import Path

from bot.feeds import FeedEntry, ParsedFeed, parse
from bot.services import articles, feeds
from bot.services.articles import PostRequest
from bot.settings import Settings
from storage.db import Database, _migrations
from tests.bot.services.test_comments import rows

URL = "https://blog.example/feeds/posts/default"
NO_VALIDATORS: tuple[str | None, str | None] = (None, None)


def entry(number: int, *, title: str | None = None, image: str | None = None) -> FeedEntry:
    return FeedEntry(
        key=f"tag:blogger.com,1999:blog-1.post-{number}",
        title=title or f"Story {number}",
        link=f"https://blog.example/2026/12/story-{number}.html",
        summary=f"Summary of story {number}.",
        image_url=image,
        published=1_796_000_000.0 + number,
    )


def feed(*entries: FeedEntry) -> ParsedFeed:
    return ParsedFeed("The Blog", tuple(entries))


async def posts_queued(db: Database) -> list[object]:
    return [
        row[0]
        for row in await rows(
            db,
            "SELECT json_extract(payload, '$.article_id') FROM outbox"
            " WHERE action = 'channel_post' ORDER BY id",
        )
    ]


async def test_first_sight_records_without_posting_then_new_entries_are_posted_once(
    db: Database, settings: Settings
) -> None:
    """What the feed holds when first seen is recorded and the admins told; a new entry
    becomes an article and one channel post; the same entries again (reordered, or an
    entry updated later) post nothing more."""
    settings = settings.model_copy(update={"feed_urls": [URL]})
    first = await feeds.took_entries(db, settings, URL, feed(entry(1), entry(2)), ("e1", None), 1.0)
    assert first.first_sight == 2 and first.posted == ()
    assert await posts_queued(db) == []
    told = await rows(db, "SELECT json_extract(payload, '$.detail') FROM outbox")
    assert told == [("2",)] * len(settings.admin_ids)

    second = await feeds.took_entries(
        db,
        settings,
        URL,
        feed(entry(1), entry(2), entry(3, image="https://x.example/3.jpg")),
        NO_VALIDATORS,
        2.0,
    )
    assert len(second.posted) == 1
    article = await articles.get_article(db, second.posted[0])
    assert article is not None
    assert (article.title, article.url, article.image_url) == (
        "Story 3",
        "https://blog.example/2026/12/story-3.html",
        "https://x.example/3.jpg",
    )
    updated = entry(3, title="Story 3, updated")
    again = await feeds.took_entries(
        db, settings, URL, feed(updated, entry(2), entry(1)), NO_VALIDATORS, 3.0
    )
    assert again.posted == ()
    assert await posts_queued(db) == [second.posted[0]]
    [(etag, posted)] = await rows(db, "SELECT etag, posted FROM feeds")
    assert (etag, posted) == (None, 1)


async def test_catching_up_posts_five_a_poll_oldest_first_and_skips_hand_posted_links(
    db: Database, settings: Settings
) -> None:
    """After downtime: at most five posts a poll, oldest first; the rest next time; an
    entry whose link was posted by hand with /post (or taken down since) is not posted."""
    settings = settings.model_copy(update={"feed_urls": [URL]})
    await feeds.took_entries(db, settings, URL, feed(), NO_VALIDATORS, 1.0)
    hand_posted = await articles.create_draft(db, PostRequest(entry(2).link, "By hand", ""), 1, 1.5)
    backlog = feed(*(entry(n) for n in range(1, 9)))
    first = await feeds.took_entries(db, settings, URL, backlog, NO_VALIDATORS, 2.0)
    second = await feeds.took_entries(db, settings, URL, backlog, NO_VALIDATORS, 3.0)
    titles = [
        row[0]
        for row in await rows(db, "SELECT title FROM articles WHERE created_by = 0 ORDER BY id")
    ]
    assert len(first.posted) == feeds.POSTS_PER_POLL
    assert titles == [f"Story {n}" for n in (1, 3, 4, 5, 6, 7, 8)]
    assert len(second.posted) == 2
    [(article_id,)] = await rows(
        db, "SELECT article_id FROM feed_entries WHERE entry_key LIKE '%post-2'"
    )
    assert article_id == hand_posted.id


async def test_failures_back_off_tell_the_admins_once_and_recovery_is_told(
    db: Database, settings: Settings
) -> None:
    settings = settings.model_copy(update={"feed_urls": [URL], "feed_poll_seconds": 10.0})
    for attempt in range(feeds.FAILURES_BEFORE_TELLING + 2):
        await feeds.failed(db, settings, URL, "HTTP 503", 100.0 + attempt)
    [(failures, next_fetch_at, told)] = await rows(
        db, "SELECT failures, next_fetch_at, admins_told FROM feeds"
    )
    assert failures == feeds.FAILURES_BEFORE_TELLING + 2
    assert next_fetch_at == 104.0 + 10.0 * feeds.MAX_BACKOFF_FACTOR
    assert told == 1
    notices = await rows(db, "SELECT json_extract(payload, '$.notice') FROM outbox")
    assert notices == [("feed_failing",)] * len(settings.admin_ids)
    await feeds.not_modified(db, settings, URL, 200.0)
    notices = await rows(db, "SELECT json_extract(payload, '$.notice') FROM outbox ORDER BY id")
    assert notices[-len(settings.admin_ids) :] == [("feed_recovered",)] * len(settings.admin_ids)
    [(failures, next_fetch_at, result)] = await rows(
        db, "SELECT failures, next_fetch_at, last_result FROM feeds"
    )
    assert (failures, next_fetch_at, result) == (0, 210.0, "not_modified")
    assert [state.url for state in await feeds.due(db, settings, 210.0)] == [URL]
    assert await feeds.due(db, settings, 209.0) == []


async def test_a_backlog_is_fetched_unconditionally_until_it_is_posted(
    db: Database, settings: Settings
) -> None:
    """While entries wait for the next poll, the answer's ETag is not kept: the blog would
    answer 304 to it and the rest would wait for its next article."""
    settings = settings.model_copy(update={"feed_urls": [URL]})
    await feeds.took_entries(db, settings, URL, feed(), ("e0", None), 1.0)
    backlog = feed(*(entry(n) for n in range(1, 9)))
    await feeds.took_entries(db, settings, URL, backlog, ("e1", None), 2.0)
    assert await rows(db, "SELECT etag FROM feeds") == [("e0",)]
    await feeds.took_entries(db, settings, URL, backlog, ("e1", None), 3.0)
    assert await rows(db, "SELECT etag, posted FROM feeds") == [("e1", 8)]


async def test_old_entries_that_appear_later_are_recorded_not_posted(
    db: Database, settings: Settings
) -> None:
    """The blog lengthens its feed or republishes an old post: entries published well
    before the feed was first seen are its past, not news."""
    settings = settings.model_copy(update={"feed_urls": [URL]})
    first_seen = 1_796_000_000.0
    await feeds.took_entries(db, settings, URL, feed(entry(9)), NO_VALIDATORS, first_seen)
    old = FeedEntry(
        "tag:old", "Old story", "https://blog.example/2020/old.html", "", None, 1_600_000_000.0
    )
    outcome = await feeds.took_entries(
        db, settings, URL, feed(old, entry(9), entry(10)), NO_VALIDATORS, first_seen + 60
    )
    assert len(outcome.posted) == 1
    assert await rows(
        db, "SELECT entry_key, article_id FROM feed_entries WHERE entry_key = ?", ("tag:old",)
    ) == [("tag:old", None)]


# ------------------------------------------------------------- real feeds, keys and links

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"


def utc(year: int, month: int, day: int, hour: int = 0) -> float:
    return float(calendar.timegm((year, month, day, hour, 0, 0, 0, 0, 0)))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def without_newest(body: bytes, count: int, tag: bytes = b"item") -> bytes:
    """The feed as it was before its `count` newest entries (feeds list newest first)."""
    return re.sub(rb"<%s>.*?</%s>" % (tag, tag), b"", body, count=count, flags=re.DOTALL)


async def articles_posted(db: Database) -> list[tuple[object, ...]]:
    return await rows(db, "SELECT url, title FROM articles WHERE created_by = 0 ORDER BY id")


async def test_nixos_news_items_sharing_one_link_are_each_posted(
    db: Database, settings: Settings
) -> None:
    """NixOS news: no guid, every item links the news page. Each new item is posted, even
    though that link was posted before."""
    url = "https://nixos.org/news-rss.xml"
    settings = settings.model_copy(update={"feed_urls": [url]})
    body = fixture("nixos_news_rss2.xml")
    await feeds.took_entries(
        db, settings, url, parse(without_newest(body, 2), url), NO_VALIDATORS, utc(2024, 10, 1)
    )

    outcome = await feeds.took_entries(
        db, settings, url, parse(body, url), NO_VALIDATORS, utc(2024, 11, 30, 12)
    )
    again = await feeds.took_entries(
        db, settings, url, parse(body, url), NO_VALIDATORS, utc(2024, 11, 30, 13)
    )

    assert len(outcome.posted) == 2
    assert again.posted == ()
    assert [title for _, title in await articles_posted(db)] == [
        "Nix 2.25 released",
        "NixOS 24.11 released",
    ]


async def test_entries_with_an_empty_link_are_each_posted_with_their_own_address(
    db: Database, settings: Settings
) -> None:
    """WordPress's href="" link posts: not posted as the feed's own address, and the second
    is not taken for the first."""
    url = "https://notasdelbravo.example/feed/atom/"
    settings = settings.model_copy(update={"feed_urls": [url]})
    body = fixture("wordpress_atom_empty_links.xml")
    await feeds.took_entries(
        db,
        settings,
        url,
        parse(without_newest(body, 2, b"entry"), url),
        NO_VALIDATORS,
        utc(2025, 3, 11),
    )

    outcome = await feeds.took_entries(
        db, settings, url, parse(body, url), NO_VALIDATORS, utc(2025, 3, 14, 15)
    )

    assert len(outcome.posted) == 2
    assert [link for link, _ in await articles_posted(db)] == [
        "https://notasdelbravo.example/?p=14846",
        "https://notasdelbravo.example/?p=14848",
    ]


async def test_feedburner_entries_posted_by_hand_first_are_not_posted_again(
    db: Database, settings: Settings
) -> None:
    """The editor posted both articles with /post, one with a utm_ link of their own; the
    feed gives feedproxy links and feedburner:origLink: nothing is posted twice."""
    url = "http://feeds.feedburner.com/DiarioFrontera"
    settings = settings.model_copy(update={"feed_urls": [url]})
    await feeds.took_entries(db, settings, url, feed(), NO_VALIDATORS, utc(2025, 3, 13))
    by_hand = [
        await articles.create_draft(db, PostRequest(link, "By hand", ""), 1, utc(2025, 3, 14))
        for link in (
            "https://diariofrontera.example/2025/03/13/agua-conchos/",
            "https://diariofrontera.example/2025/03/14/aduana-nogales-tomate/"
            "?utm_source=twitter&utm_medium=social",
        )
    ]

    outcome = await feeds.took_entries(
        db,
        settings,
        url,
        parse(fixture("feedburner_rss2.xml"), url),
        NO_VALIDATORS,
        utc(2025, 3, 14, 18),
    )

    assert outcome.posted == ()
    assert await posts_queued(db) == []
    assert await rows(db, "SELECT article_id FROM feed_entries ORDER BY article_id") == [
        (by_hand[0].id,),
        (by_hand[1].id,),
    ]


async def test_a_medium_story_posted_by_hand_is_not_posted_again(
    db: Database, settings: Settings
) -> None:
    """Medium adds ?source=rss… to its links; the editor posted the story's own link."""
    url = "https://medium.com/@lucia.pena/feed"
    settings = settings.model_copy(update={"feed_urls": [url]})
    await feeds.took_entries(db, settings, url, feed(), NO_VALIDATORS, utc(2025, 3, 14))
    story = "https://medium.com/@lucia.pena/what-the-border-wait-times-dont-tell-you-3f2a1b0c9d8e"
    await articles.create_draft(db, PostRequest(story, "By hand", ""), 1, utc(2025, 3, 14, 19))

    outcome = await feeds.took_entries(
        db,
        settings,
        url,
        parse(fixture("medium_rss2.xml"), url),
        NO_VALIDATORS,
        utc(2025, 3, 14, 20),
    )

    assert outcome.posted == ()


def database_before_entry_keys(path: Path, feeds_seen: dict[str, list[str]]) -> None:
    """A database file as the bot left it before migration 0019: each feed first seen on
    1 October 2024, its entries recorded under the keys of then."""
    upgrade = next(version for version, script in _migrations() if "legacy_keys" in script)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        for version, script in _migrations():
            if version < upgrade:
                connection.executescript(
                    f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
        for url, keys in feeds_seen.items():
            connection.execute(
                "INSERT INTO feeds (url, first_seen_at, last_result) VALUES (?, ?, 'ok')",
                (url, utc(2024, 10, 1)),
            )
            connection.executemany(
                "INSERT INTO feed_entries (feed_url, entry_key, article_id, seen_at)"
                " VALUES (?, ?, NULL, ?)",
                [(url, key, utc(2024, 10, 1)) for key in keys],
            )
        connection.commit()


def with_newer_item(body: bytes, item: bytes) -> bytes:
    return body.replace(b"<item>", item + b"<item>", 1)


async def test_feeds_recorded_before_the_new_keys_post_nothing_old_after_an_upgrade(
    database_path: Path, settings: Settings
) -> None:
    """Entries without an id were keyed by their link (NixOS: one key for every item;
    FeedBurner: its feedproxy link). After the upgrade the same feeds post nothing they
    held, and what comes after them is posted."""
    nixos, burner = "https://nixos.org/news-rss.xml", "http://feeds.feedburner.com/DiarioFrontera"
    settings = settings.model_copy(update={"feed_urls": [nixos, burner]})
    nixos_body = fixture("nixos_news_rss2.xml")
    # A FeedBurner feed whose blog gives no guid.
    burner_body = re.sub(rb"<guid[^>]*>[^<]*</guid>", b"", fixture("feedburner_rss2.xml"))
    database_before_entry_keys(
        database_path,
        {
            nixos: ["https://nixos.org/news.html"],
            burner: [
                "http://feedproxy.google.com/~r/DiarioFrontera/~3/kTeeGj4FnwU/",
                "http://feedproxy.google.com/~r/DiarioFrontera/~3/OZarlirMG7w/",
            ],
        },
    )
    db = await Database.open(database_path)
    try:
        held = [
            await feeds.took_entries(
                db, settings, url, parse(body, url), NO_VALIDATORS, utc(2025, 3, 14, 18)
            )
            for url, body in ((nixos, nixos_body), (burner, burner_body))
        ]
        newer = [
            await feeds.took_entries(
                db,
                settings,
                url,
                parse(with_newer_item(body, item), url),
                NO_VALIDATORS,
                utc(2025, 3, 14, 19),
            )
            for url, body, item in (
                (
                    nixos,
                    nixos_body,
                    b"<item><title>NixOS 25.05 beta</title>"
                    b"<link>https://nixos.org/news.html</link>"
                    b"<pubDate>Fri, 14 Mar 2025 00:00:00 GMT</pubDate></item>",
                ),
                (
                    burner,
                    burner_body,
                    b"<item><title>Nuevo horario en Lukeville</title>"
                    b"<link>http://feedproxy.google.com/~r/DiarioFrontera/~3/Xq1Lk7mPzR4/</link>"
                    b"<pubDate>Fri, 14 Mar 2025 18:30:00 +0000</pubDate><feedburner:origLink>"
                    b"https://diariofrontera.example/2025/03/14/lukeville/</feedburner:origLink>"
                    b"</item>",
                ),
            )
        ]
        flags = await rows(db, "SELECT legacy_keys FROM feeds ORDER BY url")
    finally:
        await db.close()

    assert [outcome.posted for outcome in held] == [(), ()]
    assert [len(outcome.posted) for outcome in newer] == [1, 1]
    assert flags == [(0,), (0,)]
