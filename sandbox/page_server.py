"""The sandbox's page and its small API, on 127.0.0.1: what people in the world see and do.

GET /                the page (sandbox/page/index.html: no build step, nothing fetched)
GET /api/state       the world now: chats, their messages as the Bot API shows them,
                     people, and the calls Telegram would have refused
GET /api/events      the same, as server-sent events, each time it changes
POST /api/send       {user_id, chat_id, text, reply_to?}: someone writes
POST /api/press      {user_id, chat_id, message_id, data}: someone taps a button;
                     answers with the bot's answerCallbackQuery (text, show_alert)
POST /api/block      {user_id}: someone blocks the bot (writing to it again unblocks)
GET /feed.xml        the blog's feed (sandbox.blog), which the bot polls
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox import world
from sandbox.blog import Blog
from sandbox.bot_api import ApiCall, FakeTelegram

PAGE = Path(__file__).with_name("page") / "index.html"
# A browser reconnects to an event stream left silent; a comment line every 15 s keeps it.
KEEPALIVE_SECONDS = 15.0
# What a burst of calls changes is sent once: the bot's answer and its edits together.
SETTLE_SECONDS = 0.05
# How long a tap waits for the bot's answerCallbackQuery before the page is told none came.
CALLBACK_ANSWER_SECONDS = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def state(telegram: FakeTelegram) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data."""
    chats = telegram.chats()
    return {
        "bot": {"id": telegram.bot_id, "username": telegram.bot_username},
        "channel_id": world.CHANNEL_ID,
        "discussion_chat_id": world.DISCUSSION_CHAT_ID,
        "moderation_chat_id": world.MODERATION_CHAT_ID,
        "people": world.people_view(),
        "users": telegram.users(),
        "blocked_by": telegram.blocked_by(),
        "chats": chats,
        "messages": {str(chat["id"]): telegram.messages_in(chat["id"]) for chat in chats},
        "refused": [_refused(call) for call in telegram.refused_calls()],
    }


def _refused(call: ApiCall) -> dict[str, Any]:
    text = call.params.get("text", call.params.get("caption"))
    return {
        "method": call.method,
        "chat_id": call.params.get("chat_id"),
        "text": text[:300] if isinstance(text, str) else None,
        "error_code": call.response.get("error_code", call.status),
        "description": call.description,
        "at": call.at_wall,
    }


class PageServer:
    def __init__(self, telegram: FakeTelegram, blog: Blog) -> None:
        self._telegram = telegram
        self._blog = blog
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, port: int) -> None:
        app = web.Application(middlewares=[_refusing_bad_input])
        app.router.add_get("/", self._page)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/events", self._events)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/block", self._block)
        app.router.add_get("/feed.xml", self._feed)
        # A short shutdown_timeout: open event streams would otherwise hold Ctrl-C up.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        # 127.0.0.1 only: the page acts as anyone in the world, so it is for this machine.
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        try:
            await site.start()
        except OSError:
            await self.stop()
            raise
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(
            body=PAGE.read_bytes(),
            content_type="text/html",
            charset="utf-8",
            # The page runs its own script and nothing else: no inline handlers, no
            # other origin; a message's HTML is never inserted as HTML anyway.
            headers={
                "Content-Security-Policy": (
                    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data:"
                )
            },
        )

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(state(self._telegram), dumps=_dumps)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        sent = ""
        # The page went away (a reload, a closed tab): the stream ends with it.
        with contextlib.suppress(ConnectionResetError):
            while True:
                now = _dumps(state(self._telegram))
                if now != sent:
                    await response.write(f"event: state\ndata: {now}\n\n".encode())
                    sent = now
                else:
                    await response.write(b": still here\n\n")
                await self._telegram.next_change(KEEPALIVE_SECONDS)
                await asyncio.sleep(SETTLE_SECONDS)
        return response

    async def _send(self, request: web.Request) -> web.Response:
        body = await _json(request)
        reply_to = body.get("reply_to")
        message = self._telegram.user_sends_text(
            int(body["user_id"]),
            str(body["text"]),
            chat_id=int(body["chat_id"]),
            reply_to_message_id=int(reply_to) if reply_to else None,
        )
        return web.json_response({"message": message}, dumps=_dumps)

    async def _press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        query_id = self._telegram.user_presses_button(
            int(body["user_id"]), int(body["chat_id"]), int(body["message_id"]), str(body["data"])
        )
        try:
            answer = await self._telegram.wait_for(
                lambda: self._telegram.callback_answers.get(query_id), CALLBACK_ANSWER_SECONDS
            )
        except AssertionError:
            # Telegram's app spins a while, then gives up: so does the page.
            answer = None
        return web.json_response({"query_id": query_id, "answer": answer}, dumps=_dumps)

    async def _block(self, request: web.Request) -> web.Response:
        body = await _json(request)
        self._telegram.user_blocks_bot(int(body["user_id"]))
        return web.json_response({"blocked": True})

    async def _feed(self, request: web.Request) -> web.Response:
        return web.Response(body=self._blog.atom(), content_type="application/atom+xml")


@web.middleware
async def _refusing_bad_input(request: web.Request, handler: Handler) -> web.StreamResponse:
    """What Telegram's apps would not let a person do (write where they are not a member,
    reply to a message that is gone) is answered 400 with the reason, for the page to show."""
    try:
        return await handler(request)
    except (ValueError, KeyError, TypeError) as error:
        return web.json_response({"error": str(error)}, status=400)


async def _json(request: web.Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise TypeError("the body must be a JSON object")
    return body


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
