"""The blog's feed, served over HTTP on 127.0.0.1 for the bot to poll."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web


def atom_entry(number: int, *, image: bool = False, feedburner: bool = False) -> str:
    """Entry `number` as Blogger writes it; `feedburner`: as FeedBurner passes it on, its
    link a feedproxy.google.com redirect and the original (with FeedBurner's utm_
    parameters) in feedburner:origLink."""
    thumbnail = (
        f'<media:thumbnail url="https://blog.example/img/{number}.jpg" height="72" width="72"/>'
        if image
        else ""
    )
    link = f"https://blog.example/2026/12/story-{number}.html"
    original = ""
    if feedburner:
        original = (
            f"<feedburner:origLink>{link}?utm_source=feedburner&amp;utm_medium=feed"
            "</feedburner:origLink>"
        )
        link = f"http://feedproxy.google.com/~r/TheBlog/~3/Xq{number}Lk7mPzR4/story-{number}.html"
    return f"""
  <entry>
    <id>tag:blogger.com,1999:blog-42.post-{number}</id>
    <published>{_published(number)}</published>
    <title type="text">Story {number}: México y EE. UU.</title>
    <content type="html">&lt;p&gt;Relaciones bilaterales, parte {number}.&lt;/p&gt;</content>
    <link rel="alternate" type="text/html" href="{link}"/>
    {thumbnail}{original}
  </entry>"""


def _published(number: int) -> str:
    """Entries are news, whenever the tests run: a few minutes ago, in their order (an
    entry published well before the feed was first seen is not posted)."""
    moment = datetime.now(UTC) - timedelta(minutes=60 - number)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FeedServer:
    """The blog: serves whatever entries (or garbage) the test puts up."""

    entries: list[str] = field(default_factory=list)
    garbage: bool = False
    # Served as it is instead of a feed of the entries.
    raw: bytes | None = None
    url: str = ""
    # Called as each fetch is answered (a crash test kills the bot there).
    on_fetch: Callable[[], None] | None = None

    def body(self) -> bytes:
        if self.garbage:
            return b"<html><body>502 Bad Gateway</body>"
        if self.raw is not None:
            return self.raw
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"'
            ' xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            "<id>tag:blogger.com,1999:blog-42</id><title>The Blog</title>"
            "<updated>2026-12-02T10:00:00Z</updated>" + "".join(reversed(self.entries)) + "</feed>"
        ).encode()


@asynccontextmanager
async def serving_blog() -> AsyncIterator[FeedServer]:
    """The blog's feed on 127.0.0.1, at a port of its own, until the block ends."""
    served = FeedServer()

    async def feed(request: web.Request) -> web.Response:
        if served.on_fetch is not None:
            served.on_fetch()
        return web.Response(body=served.body(), content_type="application/atom+xml")

    app = web.Application()
    app.router.add_get("/feeds/posts/default", feed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    served.url = f"http://127.0.0.1:{port}/feeds/posts/default"
    yield served
    await runner.cleanup()
