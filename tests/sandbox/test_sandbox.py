"""`python -m bot sandbox` as a newcomer runs it: a process on free ports, its page and its
API answering, the bot answering people through the page's event stream."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox import world

ROOT = Path(__file__).resolve().parents[2]
# A loaded machine (two cores, several test runs) starts Python slowly.
START_SECONDS = 30.0
EVENT_SECONDS = 20.0
# The demo goes through the bot step by step, paced as Telegram paces a group.
DEMO_SECONDS = 120.0

State = dict[str, Any]
# Whose chat a fresh world leaves empty (the admin's holds their /start from the set-up).
ADA = world.READERS[0]


@dataclass
class Sandbox:
    url: str
    seconds_to_start: float
    process: asyncio.subprocess.Process
    data_dir: Path


def _environment() -> dict[str, str]:
    """As a shell runs it: this checkout importable, no test-only switches."""
    env = {key: value for key, value in os.environ.items() if key != "PTB_TIMEDELTA"}
    env["PYTHONPATH"] = str(ROOT)
    return env


# Every sandbox process a test started, killed at its end if the test left it running.
_processes: list[asyncio.subprocess.Process] = []


async def _start(folder: Path, *arguments: str) -> Sandbox:
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        "0",
        *arguments,
        cwd=folder,
        env=_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    _processes.append(process)
    assert process.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(START_SECONDS):
        while True:
            line = (await process.stdout.readline()).decode()
            assert line, f"the sandbox ended before it was ready: {seen}"
            seen.append(line)
            ready = re.search(r"Sandbox ready in [\d.]+ s: open (http://127\.0\.0\.1:\d+)", line)
            if ready:
                return Sandbox(ready[1], time.monotonic() - began, process, folder / "data/sandbox")


async def _stop(sandbox: Sandbox) -> str:
    """Ctrl-C, as a person stops it; returns what it printed after being ready."""
    sandbox.process.send_signal(signal.SIGINT)
    output, _ = await asyncio.wait_for(sandbox.process.communicate(), START_SECONDS)
    assert sandbox.process.returncode == 0, output.decode()
    return output.decode()


@pytest.fixture(autouse=True)
async def _no_sandbox_left_running() -> AsyncIterator[None]:
    """A test that failed halfway leaves no sandbox behind."""
    yield
    while _processes:
        process = _processes.pop()
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    running = await _start(tmp_path)
    try:
        yield running
    finally:
        if running.process.returncode is None:
            assert "Sandbox stopped." in await _stop(running)


async def _send(client: httpx.AsyncClient, user_id: int, chat_id: int, text: str) -> None:
    response = await client.post(
        "/api/send", json={"user_id": user_id, "chat_id": chat_id, "text": text}
    )
    assert response.status_code == 200, response.text


async def _until(client: httpx.AsyncClient, predicate: Callable[[State], Any]) -> Any:
    """Reads the page's event stream until `predicate` holds for the state it sent."""
    last: State = {}
    try:
        async with (
            asyncio.timeout(EVENT_SECONDS),
            client.stream("GET", "/api/events") as response,
        ):
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    last = json.loads(line.removeprefix("data: "))
                    found = predicate(last)
                    if found:
                        return found
    except TimeoutError:
        pass
    raise AssertionError(f"the event stream never showed it; last state's messages: {last}")


def _texts(state: State, chat_id: int, *, by_bot: bool | None = None) -> list[str]:
    return [
        message.get("text", message.get("caption", ""))
        for message in state["messages"].get(str(chat_id), [])
        if by_bot is None or (message.get("from", {}).get("id") == state["bot"]["id"]) == by_bot
    ]


async def test_the_page_and_the_world_answer_on_127_0_0_1(sandbox: Sandbox) -> None:
    """The page is served with its hooks for browser tests; the world has the channel and
    its discussion group, the moderation group, an admin, two moderators and three
    readers, one of them Spanish; the bot's settings are written for that world."""
    print(f"the sandbox was ready {sandbox.seconds_to_start:.2f} s after it was started")
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        page = await client.get("/")
        state = (await client.get("/api/state")).json()
    assert page.status_code == 200
    assert "data-composer" in page.text and "/api/events" in page.text
    roles = [person["role"] for person in state["people"]]
    assert roles.count("admin") == 1 and roles.count("moderator") == 2
    assert roles.count("reader") == 3
    assert [p["language_code"] for p in state["people"] if p["role"] == "reader"].count("es") == 1
    chats = {chat["id"]: chat for chat in state["chats"]}
    assert chats[world.CHANNEL_ID]["linked_chat_id"] == world.DISCUSSION_CHAT_ID
    assert chats[world.MODERATION_CHAT_ID]["bot_status"] == "administrator"
    environment = (sandbox.data_dir / "sandbox.env").read_text()
    assert f"MODERATION_CHAT_ID={world.MODERATION_CHAT_ID}" in environment
    assert "TELEGRAM_API_URL=http://127.0.0.1:" in environment


async def test_an_admin_posting_through_the_page_puts_the_article_in_the_channel(
    sandbox: Sandbox,
) -> None:
    """/post from the admin's chat on the page: the article appears in the channel, and
    its automatic forward opens a thread in the discussion group."""
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        await _send(
            client,
            world.ADMIN.id,
            world.ADMIN.id,
            "/post https://blog.example/tram\nThe tram line opens\nTen stops, from Monday.",
        )

        def posted(state: State) -> bool:
            in_channel = any("The tram line opens" in t for t in _texts(state, world.CHANNEL_ID))
            told = any("Posted article #1" in t for t in _texts(state, world.ADMIN.id, by_bot=True))
            return in_channel and told

        state = await _until(client, lambda s: s if posted(s) else None)
    assert any(
        m.get("is_automatic_forward") for m in state["messages"][str(world.DISCUSSION_CHAT_ID)]
    )


async def test_a_spanish_reader_is_answered_in_spanish_through_the_event_stream(
    sandbox: Sandbox,
) -> None:
    """A reader's /start on the page: the bot's answer reaches the page as it happens, in
    the reader's language."""
    lucia = world.READERS[1]
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        await _send(client, lucia.id, lucia.id, "/start")
        answers = await _until(client, lambda s: _texts(s, lucia.id, by_bot=True))
    assert answers[0].startswith("👋 ¡Hola! Recibo comentarios"), answers


async def test_a_button_tapped_on_the_page_is_answered(sandbox: Sandbox) -> None:
    """A tap on one of the bot's buttons reaches the bot as a callback query, and the
    page hears the bot's answer to the tap."""
    ada = world.READERS[0]
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        await _send(client, ada.id, ada.id, "/start")

        def welcome(state: State) -> State | None:
            messages: list[State] = state["messages"].get(str(ada.id), [])
            return next((m for m in messages if m.get("reply_markup")), None)

        message = await _until(client, welcome)
        contact = next(
            button["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for button in row
            if button["callback_data"].startswith("ct:")
        )
        tapped = await client.post(
            "/api/press",
            json={
                "user_id": ada.id,
                "chat_id": ada.id,
                "message_id": message["message_id"],
                "data": contact,
            },
        )
        assert tapped.json()["answer"] is not None
        await _until(client, lambda s: any("name" in t for t in _texts(s, ada.id, by_bot=True)))


async def test_what_people_cannot_do_is_refused_with_the_reason(sandbox: Sandbox) -> None:
    """Writing in a private chat of someone else's, or replying to a message that is
    not there, is refused as Telegram's apps would not allow it."""
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        refused = await client.post(
            "/api/send",
            json={"user_id": 2001, "chat_id": world.CHANNEL_ID, "text": "hello channel"},
        )
        missing = await client.post(
            "/api/send",
            json={"user_id": 2001, "chat_id": 2001, "text": "re", "reply_to": 999},
        )
    assert refused.status_code == 400 and "channel" in refused.json()["error"]
    assert missing.status_code == 400 and "999" in missing.json()["error"]


async def test_the_world_is_kept_between_runs_and_fresh_starts_over(tmp_path: Path) -> None:
    """Stopped with Ctrl-C and started again, the sandbox shows what happened before (and
    the bot goes on from it); --fresh forgets it."""
    first = await _start(tmp_path)
    async with httpx.AsyncClient(base_url=first.url) as client:
        await _send(client, ADA.id, ADA.id, "/start")
        await _until(client, lambda s: _texts(s, ADA.id, by_bot=True))
    assert "Sandbox stopped." in await _stop(first)

    again = await _start(tmp_path)
    try:
        async with httpx.AsyncClient(base_url=again.url) as client:
            kept = (await client.get("/api/state")).json()
            await _send(client, ADA.id, ADA.id, "/help")
            await _until(client, lambda s: len(_texts(s, ADA.id, by_bot=True)) >= 2)
    finally:
        await _stop(again)
    assert _texts(kept, ADA.id)[0] == "/start"

    fresh = await _start(tmp_path, "--fresh")
    try:
        async with httpx.AsyncClient(base_url=fresh.url) as client:
            forgotten = (await client.get("/api/state")).json()
    finally:
        await _stop(fresh)
    assert _texts(forgotten, ADA.id) == []


async def test_demo_fills_the_desks_through_the_bot(tmp_path: Path) -> None:
    """--demo: articles (one from the sandbox's own feed), comments waiting (one typed
    under a post), a contact message, a spam wave the bot took down, the review desk."""
    demo = await _start(tmp_path, "--demo")
    try:
        assert demo.process.stdout is not None
        async with asyncio.timeout(DEMO_SECONDS):
            while b"Demo ready" not in (line := await demo.process.stdout.readline()):
                assert line, "the sandbox ended before the demo was ready"
        async with httpx.AsyncClient(base_url=demo.url) as client:
            shown = (await client.get("/api/state")).json()
    finally:
        await _stop(demo)
    posts = _texts(shown, world.CHANNEL_ID)
    assert len(posts) == 3 and any("Storm warning" in post for post in posts)
    cards = _texts(shown, world.MODERATION_CHAT_ID, by_bot=True)
    assert sum(card.startswith("💬 Comment #") for card in cards) == 3
    assert any(card.startswith("✉️ Contact message #") for card in cards)
    assert any("Review desk" in card for card in cards)
    assert not any("Earn $500" in text for text in _texts(shown, world.DISCUSSION_CHAT_ID))


async def test_a_port_taken_is_said_plainly(tmp_path: Path) -> None:
    """--port on a port something else holds: a sentence saying so, no traceback."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            str(holder.getsockname()[1]),
            cwd=tmp_path,
            env=_environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), START_SECONDS)
    finally:
        holder.close()
    assert process.returncode == 1
    assert "Cannot start the sandbox: port" in err.decode()
    assert "Traceback" not in err.decode() + out.decode()


async def test_a_killed_sandbox_comes_back_with_its_world(tmp_path: Path) -> None:
    """Killed rather than stopped (a closed terminal, a crash), the sandbox still starts
    again on what happened: the world is written a moment after each change."""
    first = await _start(tmp_path)
    async with httpx.AsyncClient(base_url=first.url) as client:
        await _send(client, ADA.id, ADA.id, "/start")
        await _until(client, lambda s: _texts(s, ADA.id, by_bot=True))
    saved = first.data_dir / "world.json"
    deadline = time.monotonic() + EVENT_SECONDS
    # The file sends no events: look again every 50 ms.
    while not (saved.exists() and "Welcome" in saved.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, "the world was never written"
        await asyncio.sleep(0.05)
    first.process.kill()
    await first.process.wait()

    again = await _start(tmp_path)
    try:
        async with httpx.AsyncClient(base_url=again.url) as client:
            await _send(client, ADA.id, ADA.id, "/help")
            shown = await _until(
                client, lambda s: s if len(_texts(s, ADA.id, by_bot=True)) >= 2 else None
            )
    finally:
        await _stop(again)
    assert _texts(shown, ADA.id)[0] == "/start"
    assert "Welcome" in _texts(shown, ADA.id)[1]


async def test_the_bot_runs_where_the_sandbox_is_not_shipped(tmp_path: Path) -> None:
    """The Docker image copies bot/, handlers/, storage/ and locales/ only: `python -m bot`
    there reads its settings as ever, and only `sandbox` says it is not there."""
    for folder in ("bot", "handlers", "storage", "locales"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(tmp_path)}
    image = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(image.communicate(), START_SECONDS)
    assert image.returncode == 2, err.decode()
    assert err.decode().startswith("Configuration error"), err.decode()
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(sandbox.communicate(), START_SECONDS)
    assert sandbox.returncode == 2
    assert "Traceback" not in err.decode() and "sandbox" in err.decode()


@pytest.mark.parametrize(
    ("dot_env", "token", "arguments", "runs"),
    [
        (False, None, [], "-m bot sandbox"),
        (True, None, [], "-m bot"),
        (False, "123:abc", [], "-m bot"),
        (False, None, ["backup", "copy.sqlite3"], "-m bot backup copy.sqlite3"),
    ],
)
async def test_run_bot_starts_the_sandbox_when_nothing_is_set_up(
    tmp_path: Path, dot_env: bool, token: str | None, arguments: list[str], runs: str
) -> None:
    """scripts/run-bot with no .env and no BOT_TOKEN runs the sandbox; otherwise the bot,
    or the command given. (setup-venv and Python are stand-ins that say what was run.)"""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run-bot", tmp_path / "scripts" / "run-bot")
    (tmp_path / "scripts" / "setup-venv").write_text("#!/bin/sh\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text('#!/bin/sh\necho "ran: $*"\n')
    for stand_in in ("scripts/setup-venv", ".venv/bin/python"):
        (tmp_path / stand_in).chmod(0o755)
    if dot_env:
        (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\n")
    env = {"PATH": os.environ["PATH"], **({"BOT_TOKEN": token} if token else {})}
    script = await asyncio.create_subprocess_exec(
        str(tmp_path / "scripts" / "run-bot"),
        *arguments,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(script.communicate(), START_SECONDS)
    assert script.returncode == 0
    assert out.decode().splitlines()[-1] == f"ran: {runs}"
