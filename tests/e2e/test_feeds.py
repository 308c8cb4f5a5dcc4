"""New articles from the blog's feed reach the channel by themselves: a local HTTP server
serves the feed, the bot polls it every half second."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.settings import Settings
from tests.e2e.harness import populate, running_bot
from tests.e2e.steps import Message, post_article
from tests.factories import ADMIN_ID, CHANNEL_ID, make_settings
from tests.fake_telegram import FakeTelegram


def atom_entry(number: int, *, image: bool = False) -> str:
    thumbnail = (
        f'<media:thumbnail url="https://blog.example/img/{number}.jpg" height="72" width="72"/>'
        if image
        else ""
    )
    return f"""
  <entry>
    <id>tag:blogger.com,1999:blog-42.post-{number}</id>
    <published>2026-12-0{number}T10:00:00Z</published>
    <title type="text">Story {number}: México y EE. UU.</title>
    <content type="html">&lt;p&gt;Relaciones bilaterales, parte {number}.&lt;/p&gt;</content>
    <link rel="alternate" type="text/html" href="https://blog.example/2026/12/story-{number}.html"/>
    {thumbnail}
  </entry>"""


@dataclass
class FeedServer:
    """The blog: serves whatever entries (or garbage) the test puts up."""

    entries: list[str] = field(default_factory=list)
    garbage: bool = False
    url: str = ""

    def body(self) -> str:
        if self.garbage:
            return "<html><body>502 Bad Gateway</body>"
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
            "<id>tag:blogger.com,1999:blog-42</id><title>The Blog</title>"
            "<updated>2026-12-02T10:00:00Z</updated>" + "".join(reversed(self.entries)) + "</feed>"
        )


@pytest.fixture
async def blog() -> AsyncIterator[FeedServer]:
    served = FeedServer()

    async def feed(request: web.Request) -> web.Response:
        return web.Response(
            text=served.body(), content_type="application/atom+xml", charset="utf-8"
        )

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


def feed_settings(telegram: FakeTelegram, database_path: Path, blog: FeedServer) -> Settings:
    populate(telegram, with_discussion=False)
    # Admins have opened the bot (they hear about the feed).
    telegram.user_sends_text(ADMIN_ID, "/start")
    return make_settings(
        database_path,
        telegram_api_url=telegram.base_url,
        feed_urls=blog.url,
        feed_poll_seconds=0.5,
    )


def channel_posts(telegram: FakeTelegram) -> list[Message]:
    return telegram.bot_messages_in(CHANNEL_ID)


async def test_existing_entries_are_recorded_and_new_ones_posted_once_with_their_image(
    telegram: FakeTelegram, database_path: Path, blog: FeedServer
) -> None:
    blog.entries = [atom_entry(1), atom_entry(2)]
    settings = feed_settings(telegram, database_path, blog)
    async with running_bot(settings):
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="existing entries")
        assert "2 existing entries recorded" in told["text"]
        blog.entries.append(atom_entry(3, image=True))
        photo = await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 3")
        # An entry posted by hand with /post first is not posted again from the feed.
        telegram.user_sends_text(
            ADMIN_ID, "/post https://blog.example/2026/12/story-4.html\nStory 4, by hand"
        )
        await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 4, by hand")
        blog.entries += [atom_entry(4), atom_entry(5)]
        await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 5")
        telegram.user_sends_text(ADMIN_ID, "/feeds")
        listing = await telegram.wait_for_bot_message(ADMIN_ID, contains="feed")
    assert photo["photo"]
    assert "México y EE. UU." in photo["caption"]
    assert "Relaciones bilaterales, parte 3." in photo["caption"]
    assert [
        str(m.get("text") or m.get("caption")).split("\n")[0] for m in channel_posts(telegram)
    ] == ["Story 3: México y EE. UU.", "Story 4, by hand", "Story 5: México y EE. UU."]
    assert blog.url in listing["text"] and "2 posted" in listing["text"]
    # Nobody asked for a feed's post: no "Posted article" to anyone.
    assert not [m for m in telegram.bot_messages_in(ADMIN_ID) if "Story 3" in m["text"]]


async def test_a_failing_feed_is_told_once_and_its_recovery_too(
    telegram: FakeTelegram, database_path: Path, blog: FeedServer
) -> None:
    blog.entries = [atom_entry(1)]
    settings = feed_settings(telegram, database_path, blog)
    settings = settings.model_copy(update={"feed_poll_seconds": 0.05})
    async with running_bot(settings):
        await telegram.wait_for_bot_message(ADMIN_ID, contains="existing entries")
        blog.garbage = True
        failing = await telegram.wait_for_bot_message(ADMIN_ID, contains="failed", timeout=10)
        blog.garbage = False
        await telegram.wait_for_bot_message(ADMIN_ID, contains="works again", timeout=10)
        _, post = await post_article(telegram)
    assert blog.url in failing["text"]
    assert post["message_id"]
    assert len([m for m in telegram.bot_messages_in(ADMIN_ID) if "failed" in m["text"]]) == 1
