"""What a test makes go wrong, or makes happen while a call is in flight: errors and
dropped connections, calls held or never answered, callbacks before a call or after a
delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .records import ApiCall, ApiError, Fault, Interceptor
from .reference import canonical_method_name
from .world import WorldState

_GATEWAY_ERRORS = {502: "Bad Gateway", 504: "Gateway Time-out"}


class FaultInjection(WorldState):
    """Faults, interceptions and holds a test sets up, and how the HTTP layer takes them."""

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        times: int = 1,
        chat_id: int | str | None = None,
        retry_after: int | None = None,
        drop_connection: bool = False,
        after_acting: bool = False,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`) fail: with `error_code`, or
        with the connection dropped (before the server acts, or `after_acting`: the client
        never learns that Telegram did what it asked, as when its answer times out)."""
        canonical = canonical_method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._faults.append(
            Fault(
                method=canonical,
                error_code=error_code,
                description=description,
                remaining=times,
                chat_id=chat_id,
                retry_after=retry_after,
                drop_connection=drop_connection or after_acting,
                after_acting=after_acting,
            )
        )

    def clear_faults(self) -> None:
        """Forget injected faults that have not run out: call it only while no call is in
        flight (a stopped bot), so that no call meets the fault by chance."""
        self._faults.clear()

    def before_next(
        self,
        method: str,
        callback: Callable[[], Awaitable[None]],
        *,
        chat_id: int | str | None = None,
        message_id: int | None = None,
    ) -> None:
        """On the next `method` call (to `chat_id`, about `message_id`), await `callback`
        first, then act and answer as usual: what people do while a call is in flight."""
        canonical = canonical_method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._before.append((canonical, chat_id, message_id, callback))

    def deliver_updates_before_answering(
        self, method: str, *, chat_id: int | str | None = None
    ) -> None:
        """On the next `method` call (to `chat_id`), act, then answer only once the bot has
        handled the updates the call caused (a later getUpdates confirmed them): the
        automatic forward of a channel post can reach the bot before the sendMessage
        answer does (/work/shared/telegram/README.md: "Nothing orders a send's answer and
        the update it causes elsewhere")."""
        canonical = canonical_method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._answers_held.append((canonical, chat_id))

    def intercept_next(
        self,
        method: str,
        callback: Callable[[], None],
        *,
        chat_id: int | str | None = None,
        after_acting: bool = False,
    ) -> None:
        """On the next `method` call (to `chat_id`), run `callback` and never answer: before
        the server acts, or after it acted (the answer lost on the way, as in a crash)."""
        canonical = canonical_method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._interceptors.append(Interceptor(canonical, callback, chat_id, after_acting))

    def hold(self, method: str, *, chat_id: int | str | None = None) -> None:
        """Every `method` call (to `chat_id`) from now on waits, never acted on nor answered,
        until clear_interceptions(). A crash test holds the calls it does not kill at, so
        that none is in flight at the kill: one Telegram acted on but whose answer the bot
        had not heard yet would be sent again after the restart (the window no bot can
        close, since the Bot API has no idempotency key), whatever the test meant to check."""
        canonical = canonical_method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        self._interceptors.append(Interceptor(canonical, lambda: None, chat_id, False, once=False))

    def after_next_delivery(self, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` `delay` seconds after getUpdates next hands out updates."""
        self._on_delivery = (delay, callback)

    def clear_interceptions(self) -> None:
        """Forget interceptors and delivery callbacks that have not fired, and holds (the
        calls held so far are never answered nor acted on)."""
        self._interceptors.clear()
        self._answers_held.clear()
        self._on_delivery = None

    def _take_interceptor(self, method: str, params: dict[str, Any]) -> Interceptor | None:
        for interceptor in self._interceptors:
            if interceptor.method == method and (
                interceptor.chat_id is None
                or self._same_chat(interceptor.chat_id, params.get("chat_id"))
            ):
                if interceptor.once:
                    self._interceptors.remove(interceptor)
                return interceptor
        return None

    def _take_held_answer(self, method: str, params: dict[str, Any]) -> bool:
        for held in self._answers_held:
            wanted_method, wanted_chat = held
            if wanted_method == method and (
                wanted_chat is None or self._same_chat(wanted_chat, params.get("chat_id"))
            ):
                self._answers_held.remove(held)
                return True
        return False

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self._faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and not self._same_chat(
                fault.chat_id, params.get("chat_id")
            ):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    async def _run_before(self, method: str, params: dict[str, Any]) -> None:
        """Await the callback before_next set for this call, if one did."""
        for waiting in list(self._before):
            wanted_method, wanted_chat, wanted_message, callback = waiting
            if (
                wanted_method == method
                and (wanted_chat is None or self._same_chat(wanted_chat, params.get("chat_id")))
                and (wanted_message is None or params.get("message_id") == wanted_message)
            ):
                self._before.remove(waiting)
                await callback()
                break

    def _answer_fault(
        self, request: web.Request, method: str, params: dict[str, Any], fault: Fault
    ) -> web.StreamResponse:
        error = ApiError(fault.error_code, fault.description, fault.retry_after)
        if fault.drop_connection:
            self._record(ApiCall(method, params, 0, {}, injected=True))
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        self._record(ApiCall(method, params, fault.error_code, error.body(), injected=True))
        if fault.error_code in _GATEWAY_ERRORS:
            # Gateways in front of the API answer with their own HTML page, not JSON.
            phrase = _GATEWAY_ERRORS[fault.error_code]
            page = (
                f"<html>\r\n<head><title>{fault.error_code} {phrase}</title></head>\r\n"
                f"<body>\r\n<center><h1>{fault.error_code} {phrase}</h1></center>\r\n"
                "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            )
            return web.Response(status=fault.error_code, text=page, content_type="text/html")
        return web.json_response(error.body(), status=fault.error_code)
