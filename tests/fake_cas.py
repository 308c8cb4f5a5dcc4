"""A fake of the Combot Anti-Spam API on 127.0.0.1, for tests of bot.cas.

It answers `GET /check?user_id=N` as https://cas.chat/api documents: `{"ok": true,
"result": {...}}` for a listed account, `{"ok": false, "description": "Record not
found."}` for any other. A test sets `behaviour` to make it slow, fail with a 5xx,
answer garbage, or close the connection without answering.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from aiohttp import web

NOT_FOUND = {"ok": False, "description": "Record not found."}


class Behaviour(StrEnum):
    ANSWER = "answer"
    SLOW = "slow"
    SERVER_ERROR = "server_error"
    GARBAGE = "garbage"
    CLOSE = "close"
    # `ok: false` for a reason other than "not found": not an answer about the account.
    REFUSE = "refuse"


def banned_answer(user_id: int) -> dict[str, object]:
    """The shape CAS gives for a listed account (https://cas.chat/api, `check`)."""
    return {
        "ok": True,
        "result": {
            "reasons": [1],
            "offenses": 3,
            "messages": [f"spam from {user_id}: earn $500 a day, DM me"],
            "time_added": "2026-12-01T08:15:00.000Z",
        },
    }


class FakeCas:
    def __init__(self) -> None:
        self.banned: set[int] = set()
        self.behaviour = Behaviour.ANSWER
        # How long SLOW waits before answering; a check gives up well before.
        self.delay = 30.0
        # The user_id of every request received, in order (garbled ones as given).
        self.asked: list[str] = []
        # Set for each request received, for tests that wait for one to arrive.
        self.request_arrived = asyncio.Event()
        # While cleared, requests wait here before being answered: a test lets several
        # arrive, then answers them together.
        self.answering = asyncio.Event()
        self.answering.set()
        self._arrivals = asyncio.Condition()
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/check", self._check)
        # handler_cancellation ends a SLOW handler when the client gives up; a short
        # shutdown_timeout keeps stop() fast.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for_requests(self, count: int) -> None:
        """Until `count` requests have arrived in all."""
        async with self._arrivals:
            await self._arrivals.wait_for(lambda: len(self.asked) >= count)

    async def _check(self, request: web.Request) -> web.StreamResponse:
        user_id = request.query.get("user_id", "")
        self.asked.append(user_id)
        self.request_arrived.set()
        async with self._arrivals:
            self._arrivals.notify_all()
        await self.answering.wait()
        if self.behaviour is Behaviour.SLOW:
            await asyncio.sleep(self.delay)
        elif self.behaviour is Behaviour.SERVER_ERROR:
            return web.Response(status=502, text="<html>502 Bad Gateway</html>")
        elif self.behaviour is Behaviour.GARBAGE:
            return web.Response(text="<html>Just a moment...</html>", content_type="text/html")
        elif self.behaviour is Behaviour.CLOSE:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        elif self.behaviour is Behaviour.REFUSE:
            return web.json_response({"ok": False, "description": "Invalid user_id."})
        if user_id.isdigit() and int(user_id) in self.banned:
            return web.json_response(banned_answer(int(user_id)))
        return web.json_response(NOT_FOUND)
