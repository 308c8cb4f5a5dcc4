"""`python -m bot sandbox`: the local Bot API, the bot pointed at it, and the page.

Everything listens on 127.0.0.1 and nothing leaves the machine. What the world holds (the
local Bot API's chats and messages) and the bot's database are kept under data/sandbox/
between runs; --fresh starts over.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.logging_setup import configure_logging
from bot.polling import stop_on_signals
from sandbox import world
from sandbox.blog import Blog
from sandbox.bot_api import FakeTelegram
from sandbox.demo import fill
from sandbox.page_server import PageServer

DATA_DIR = Path("data/sandbox")
WORLD_FILE = "world.json"
ENV_FILE = "sandbox.env"
# As long as the bot may take to start against a local API on a loaded machine.
BOT_START_SECONDS = 30.0
# The demo goes through the bot step by step, paced as Telegram paces a group.
DEMO_SECONDS = 300.0
SAVE_EVERY_SECONDS = 2.0
# A killed sandbox's world file may be a moment behind the bot's database, which remembers
# the update ids it handled: the next ids start this far ahead, never on one it handled.
UPDATE_ID_MARGIN = 1000


@dataclass(frozen=True)
class Options:
    port: int = 8080
    fresh: bool = False
    demo: bool = False


def run(options: Options) -> int:
    began = time.monotonic()
    data_dir = DATA_DIR.resolve()
    if options.fresh:
        _forget(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    saved = _saved_world(data_dir)
    if saved is None:
        # A database without its world would name posts and cards that are not there.
        _forget(data_dir)
    try:
        asyncio.run(_serve(options, data_dir, saved, began))
    except PortTakenError as error:
        print(
            f"Cannot start the sandbox: port {options.port} of 127.0.0.1 is taken ({error}). "
            "Is the sandbox running already? --port chooses another.",
            file=sys.stderr,
        )
        return 1
    return 0


class PortTakenError(Exception):
    pass


async def _serve(
    options: Options, data_dir: Path, saved: dict[str, Any] | None, began: float
) -> None:
    stopping = asyncio.Event()
    stop_on_signals(stopping)
    telegram = world.new_telegram()
    blog = Blog()
    page = PageServer(telegram, blog)
    # The page first: its port is the one a person chose, and may be taken.
    try:
        await page.start(options.port)
    except OSError as error:
        raise PortTakenError(error.strerror) from error
    await telegram.start()
    if saved is None:
        world.populate(telegram)
    else:
        telegram.load_world({**saved, "next_update_id": saved["next_update_id"] + UPDATE_ID_MARGIN})
    environment = world.environment(telegram.base_url, data_dir, f"{page.url}/feed.xml")
    _write_environment(data_dir / ENV_FILE, environment)
    settings = world.settings_from(environment)
    configure_logging(settings)
    bot_app = build_application(settings)
    started = asyncio.Event()
    bot = asyncio.create_task(bot_app.serve(stopping, poll_timeout=5, started=started))
    saving = asyncio.create_task(_keep_saving(telegram, data_dir))
    try:
        await _until_first(started.wait(), bot, within=BOT_START_SECONDS)
        if bot.done():
            bot.result()
        if not started.is_set():
            raise TimeoutError(f"the bot did not start within {BOT_START_SECONDS:.0f} s")
        print(
            f"Sandbox ready in {time.monotonic() - began:.1f} s: open {page.url}\n"
            f"  the bot @{world.BOT_USERNAME} runs against a local Bot API at {telegram.base_url}"
            f"\n  its settings: {data_dir / ENV_FILE}; its database and world: {data_dir}\n"
            "  Ctrl-C stops it (what happened is kept; --fresh starts over).",
            flush=True,
        )
        if options.demo and saved is None:
            await _demo(telegram, blog, stopping)
        elif options.demo:
            print("The world of the last run is kept: --demo fills a new one (add --fresh).")
        await stopping.wait()
    finally:
        stopping.set()
        await asyncio.wait_for(bot, timeout=20)
        saving.cancel()
        await page.stop()
        _save_world(data_dir, telegram.saved_world())
        await telegram.stop()
        print("Sandbox stopped.", flush=True)


async def _until_first(
    awaitable: Coroutine[Any, Any, Any], task: asyncio.Task[None], within: float
) -> None:
    """Until `awaitable` is done, or `task` ended (it failed), or `within` seconds passed."""
    waiting = asyncio.ensure_future(awaitable)
    try:
        await asyncio.wait({waiting, task}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()


async def _demo(telegram: FakeTelegram, blog: Blog, stopping: asyncio.Event) -> None:
    """Fills the world, unless Ctrl-C comes first; a step the bot never answered is told,
    and the sandbox goes on."""
    filling = asyncio.create_task(fill(telegram, blog))
    await _until_first(stopping.wait(), filling, within=DEMO_SECONDS)
    if not filling.done():
        filling.cancel()
        return
    try:
        filling.result()
    except AssertionError as error:
        print(f"The demo stopped halfway: {error}", file=sys.stderr)
        return
    print("Demo ready: articles, comments waiting, a contact message, a spam wave.", flush=True)


async def _keep_saving(telegram: FakeTelegram, data_dir: Path) -> None:
    """The world written again a moment after it changes: a sandbox killed rather than
    stopped loses a few seconds of it at most."""
    written = ""
    while True:
        await telegram.next_change(SAVE_EVERY_SECONDS)
        await asyncio.sleep(SAVE_EVERY_SECONDS)
        saved = telegram.saved_world()
        now = json.dumps(saved, ensure_ascii=False)
        if now != written:
            _save_world(data_dir, saved)
            written = now


def _forget(data_dir: Path) -> None:
    for path in data_dir.glob("*"):
        if path.is_file():
            path.unlink()


def _saved_world(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / WORLD_FILE
    if not path.exists():
        return None
    saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return saved


def _save_world(data_dir: Path, saved: dict[str, Any]) -> None:
    """Written whole then renamed: a Ctrl-C twice never leaves half a world."""
    path = data_dir / WORLD_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _write_environment(path: Path, environment: dict[str, str]) -> None:
    lines = [
        "# The sandbox's settings, generated at each start for its world (not read back):",
        "# the bot reads them as it would read a .env.",
        *(f"{key}={value}" for key, value in environment.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
