"""New articles from the blog's feed reach the channel by themselves: a local HTTP server
serves the feed, the bot polls it every half second."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.bot_api import FakeTelegram
from tests.e2e.blog_feed import FeedServer, atom_entry, serving_blog
from tests.e2e.harness import populate, running_bot
from tests.e2e.steps import Message, post_article
from tests.factories import ADMIN_ID, CHANNEL_ID, make_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture
async def blog() -> AsyncIterator[FeedServer]:
    async with serving_blog() as served:
        yield served


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
        await telegram.wait_for_bot_message(ADMIN_ID, contains="1 existing entry recorded")
        blog.garbage = True
        failing = await telegram.wait_for_bot_message(ADMIN_ID, contains="failed", timeout=3)
        blog.garbage = False
        await telegram.wait_for_bot_message(ADMIN_ID, contains="works again", timeout=3)
        _, post = await post_article(telegram)
    assert blog.url in failing["text"]
    assert post["message_id"]
    assert len([m for m in telegram.bot_messages_in(ADMIN_ID) if "failed" in m["text"]]) == 1


async def test_an_image_telegram_cannot_fetch_leaves_the_post_as_text(
    telegram: FakeTelegram, database_path: Path, blog: FeedServer
) -> None:
    telegram.expect_bad_request("wrong file identifier")
    telegram.refuse_url("https://blog.example/img/2.jpg")
    blog.entries = [atom_entry(1)]
    settings = feed_settings(telegram, database_path, blog)
    async with running_bot(settings):
        await telegram.wait_for_bot_message(ADMIN_ID, contains="1 existing entry recorded")
        blog.entries.append(atom_entry(2, image=True))
        post = await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 2")
    assert "photo" not in post
    assert "Relaciones bilaterales, parte 2." in post["text"]
    assert [c.status for c in telegram.calls if c.method == "sendPhoto"] == [400]


def links_in(message: Message) -> list[str]:
    entities = message.get("entities") or message.get("caption_entities") or []
    return [entity["url"] for entity in entities if entity["type"] == "text_link"]


async def test_a_feedburner_entry_posted_by_hand_first_goes_out_once_with_its_own_link(
    telegram: FakeTelegram, database_path: Path, blog: FeedServer
) -> None:
    """The blog's feed goes through FeedBurner: feedproxy links, the original one (with
    FeedBurner's utm_ parameters) in feedburner:origLink. The editor posted story 2 with
    /post: it is not posted again; story 3 is posted with the article's own link."""
    blog.entries = [atom_entry(1, feedburner=True)]
    settings = feed_settings(telegram, database_path, blog)
    async with running_bot(settings):
        await telegram.wait_for_bot_message(ADMIN_ID, contains="1 existing entry recorded")
        telegram.user_sends_text(
            ADMIN_ID, "/post https://blog.example/2026/12/story-2.html\nStory 2, by hand"
        )
        await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 2, by hand")
        blog.entries += [atom_entry(2, feedburner=True), atom_entry(3, feedburner=True)]
        story_3 = await telegram.wait_for_bot_message(CHANNEL_ID, contains="Story 3")
    assert [str(m.get("text")).split("\n")[0] for m in channel_posts(telegram)] == [
        "Story 2, by hand",
        "Story 3: México y EE. UU.",
    ]
    assert "https://blog.example/2026/12/story-3.html" in links_in(story_3)


async def test_a_new_feed_with_no_items_and_an_html_entity_is_recorded_not_failing(
    telegram: FakeTelegram, database_path: Path, blog: FeedServer
) -> None:
    """A hand-written feed with &nbsp; and no items yet: the admins hear it was recorded,
    never that it fails."""
    blog.raw = (FIXTURES / "new_blog_rss2.xml").read_bytes()
    settings = feed_settings(telegram, database_path, blog)
    async with running_bot(settings):
        told = await telegram.wait_for_bot_message(ADMIN_ID, contains="existing entries")
        telegram.user_sends_text(ADMIN_ID, "/feeds")
        listing = await telegram.wait_for_bot_message(ADMIN_ID, contains=blog.url)
    assert "0 existing entries recorded" in told["text"]
    assert "failed" not in listing["text"]
