"""The sandbox's page server over the local Bot API, in the test's event loop: refused
calls listed with Telegram's reason, and the world saved and loaded whole."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sandbox import world
from sandbox.blog import Blog
from sandbox.bot_api import FakeTelegram
from sandbox.page_server import PageServer, state


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = world.new_telegram()
    await fake.start()
    world.populate(fake)
    yield fake
    await fake.stop()


@pytest.fixture
async def page(telegram: FakeTelegram) -> AsyncIterator[PageServer]:
    server = PageServer(telegram, Blog())
    await server.start(0)
    yield server
    await server.stop()


async def test_a_call_telegram_refuses_is_listed_with_its_error(
    telegram: FakeTelegram, page: PageServer
) -> None:
    """HTML Telegram cannot parse is refused by the local Bot API, and the page's state
    lists the call: its method, chat, text and Telegram's description."""
    async with httpx.AsyncClient() as client:
        refused = await client.post(
            f"{telegram.base_url}{world.TOKEN}/sendMessage",
            json={"chat_id": world.MODERATION_CHAT_ID, "text": "<b>oops", "parse_mode": "HTML"},
        )
        shown = (await client.get(f"{page.url}/api/state")).json()
    assert refused.status_code == 400
    [listed] = shown["refused"]
    assert listed["method"] == "sendMessage"
    assert listed["chat_id"] == world.MODERATION_CHAT_ID
    assert listed["text"] == "<b>oops"
    assert listed["error_code"] == 400
    assert listed["description"].startswith("Bad Request: can't parse entities")


async def test_the_page_is_served_with_a_policy_against_other_scripts(page: PageServer) -> None:
    """The page may run its own script only: nothing from another origin, ever."""
    async with httpx.AsyncClient() as client:
        response = await client.get(page.url)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


async def test_the_world_saved_and_loaded_is_the_same_world(telegram: FakeTelegram) -> None:
    """Chats, messages, bans and the update counter come back whole through JSON: the bot,
    started again on its kept database, meets no update id it handled already."""
    ada = world.READERS[0]
    telegram.user_sends_text(ada.id, "/start")
    telegram.user_sends_text(ada.id, "hello", chat_id=world.DISCUSSION_CHAT_ID)
    telegram.set_member_status(world.DISCUSSION_CHAT_ID, world.READERS[2].id, "kicked")
    saved = json.loads(json.dumps(telegram.saved_world()))

    again = world.new_telegram()
    again.load_world(saved)
    again.user_sends_text(ada.id, "again")

    assert again.chats() == telegram.chats()
    assert again.messages_in(world.DISCUSSION_CHAT_ID) == telegram.messages_in(
        world.DISCUSSION_CHAT_ID
    )
    assert again.chat_member_status(world.DISCUSSION_CHAT_ID, world.READERS[2].id) == "kicked"
    assert [m["text"] for m in again.messages_in(ada.id)] == ["/start", "again"]
    assert again.saved_world()["next_update_id"] == saved["next_update_id"] + 1


def test_the_state_names_every_chat_the_page_draws(telegram: FakeTelegram) -> None:
    """The page draws the channel, both groups and the six private chats from one state."""
    shown = state(telegram)
    ids = {chat["id"] for chat in shown["chats"]}
    assert {world.CHANNEL_ID, world.DISCUSSION_CHAT_ID, world.MODERATION_CHAT_ID} <= ids
    assert [p["id"] for p in shown["people"]] == [p.id for p in world.PEOPLE]


def test_the_bots_settings_point_at_this_machine_whatever_the_shell_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shell set up for the real bot (its token, CAS on, Telegram's address) does not
    make the sandbox's bot reach out: the generated settings win."""
    monkeypatch.setenv("BOT_TOKEN", "987654:real-token")
    monkeypatch.setenv("TELEGRAM_API_URL", "https://api.telegram.org/bot")
    monkeypatch.setenv("CAS_CHECK", "on")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CHANNEL_ID=@real_channel\n")
    environment = world.environment(
        "http://127.0.0.1:5000/bot", tmp_path, "http://127.0.0.1:8080/feed.xml"
    )
    settings = world.settings_from(environment)
    assert settings.telegram_api_url == "http://127.0.0.1:5000/bot"
    assert settings.bot_token.get_secret_value() == world.TOKEN
    assert settings.channel_id == world.CHANNEL_ID
    assert settings.cas_check is False
    assert settings.feed_urls == ["http://127.0.0.1:8080/feed.xml"]


async def test_telegrams_limits_hold_in_the_sandbox(
    telegram: FakeTelegram, page: PageServer
) -> None:
    """The 21st message in a minute to one group is refused with 429, as Telegram refuses
    it, and listed for the page."""
    async with httpx.AsyncClient() as client:
        answers = [
            await client.post(
                f"{telegram.base_url}{world.TOKEN}/sendMessage",
                json={"chat_id": world.MODERATION_CHAT_ID, "text": f"card {number}"},
            )
            for number in range(21)
        ]
        shown = (await client.get(f"{page.url}/api/state")).json()
    assert [answer.status_code for answer in answers] == [200] * 20 + [429]
    assert [call["error_code"] for call in shown["refused"]] == [429]
