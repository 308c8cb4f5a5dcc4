"""A strict fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

The bot under test talks to it exactly as to api.telegram.org; tests set up the world
(users, the channel, the discussion group), act as users, and read back what the bot
did. Anything the real server refuses is refused here with the real description, and
any method the fake does not implement answers 501 so that a test fails loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from .bot_profile import BotProfile
from .callback_queries import QUERY_INVALID_DESCRIPTION, CallbackQueries
from .faults import FaultInjection
from .files import FileMethods
from .inspection import Inspection
from .limits import (
    BAN_LONGEST_SECONDS,
    BAN_SHORTEST_SECONDS,
    CALLBACK_QUERY_LIFETIME_SECONDS,
    DELETE_WITHIN_SECONDS,
    MAX_BOT_COMMANDS,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_PREMIUM_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    PRIVATE_BURST,
    RATE_LIMIT_WINDOW_SECONDS,
)
from .members import MemberMethods
from .messages import NOT_MODIFIED_DESCRIPTION
from .records import (
    FILE_KINDS,
    TELEGRAM_SERVICE_USER,
    ApiCall,
    ApiError,
    Interceptor,
    bad_request,
    file_method,
    not_implemented,
)
from .reference import ParameterError, canonical_method_name, decode_parameter, method_fields
from .setup import WorldSetup
from .updates import (
    CONFLICT_DESCRIPTION,
    ENDED_BY_SET_WEBHOOK_DESCRIPTION,
    HELD_ANSWER_TIMEOUT_SECONDS,
    WEBHOOK_ACTIVE_DESCRIPTION,
    Updates,
)
from .uploads import (
    MAX_UPLOAD_BYTES,
    READ_LIMIT_BYTES,
    TOO_LARGE_DESCRIPTION,
    Upload,
    UploadTooLargeError,
)
from .users import CHANNEL_BOT_USER, GROUP_ANONYMOUS_BOT_USER, UserActions

# What the module offered when it was the whole fake, kept importable from here.
__all__ = [
    "BAN_LONGEST_SECONDS",
    "BAN_SHORTEST_SECONDS",
    "CALLBACK_QUERY_LIFETIME_SECONDS",
    "CHANNEL_BOT_USER",
    "CONFLICT_DESCRIPTION",
    "DELETE_WITHIN_SECONDS",
    "ENDED_BY_SET_WEBHOOK_DESCRIPTION",
    "GROUP_ANONYMOUS_BOT_USER",
    "HELD_ANSWER_TIMEOUT_SECONDS",
    "MAX_BOT_COMMANDS",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CAPTION_LENGTH",
    "MAX_PREMIUM_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "NOT_MODIFIED_DESCRIPTION",
    "PRIVATE_BURST",
    "QUERY_INVALID_DESCRIPTION",
    "RATE_LIMIT_WINDOW_SECONDS",
    "TELEGRAM_SERVICE_USER",
    "WEBHOOK_ACTIVE_DESCRIPTION",
    "ApiCall",
    "FakeTelegram",
]


class FakeTelegram(
    WorldSetup,
    UserActions,
    CallbackQueries,
    Inspection,
    FaultInjection,
    Updates,
    FileMethods,
    MemberMethods,
    BotProfile,
):
    """The fake Bot API server and the world behind it. See the module docstring.

    Its parts are mixins over WorldState (the state, in world.py): what tests set up
    (setup.py), what users do (users.py, callback_queries.py), what tests read back
    (inspection.py) and make go wrong (faults.py), and the Bot API methods (updates.py,
    messages.py, files.py, members.py, bot_profile.py; rate_limits.py paces the sends).
    This class serves them over HTTP.
    """

    @functools.cached_property
    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """The methods the fake implements, by name; getUpdates is awaited apart."""
        return {
            "getMe": self._get_me,
            "logOut": self._return_true,
            "close": self._return_true,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "copyMessage": self._copy_message,
            **{file_method(kind): functools.partial(self._send_file, kind) for kind in FILE_KINDS},
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "leaveChat": self._leave_chat,
            "banChatMember": self._ban_chat_member,
            "unbanChatMember": self._unban_chat_member,
            "banChatSenderChat": self._ban_chat_sender_chat,
            "unbanChatSenderChat": self._unban_chat_sender_chat,
        }

    async def start(self) -> None:
        app = web.Application(client_max_size=READ_LIMIT_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # Downloads (getFile's file_path): https://api.telegram.org/file/bot<token>/<file_path>
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation ends a long poll whose client went away, as the real
        # server forgets it; a short shutdown_timeout keeps stop() fast.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        self._stopping = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        requested = request.match_info["method"]
        if request.match_info["token"] != self.token:
            error = ApiError(401, "Unauthorized")
            return self._answer(ApiCall(requested, {}, 401, error.body()))
        try:
            raw = await _read_parameters(request)
        except UploadTooLargeError:
            error = ApiError(413, TOO_LARGE_DESCRIPTION)
            return self._answer(ApiCall(requested, {}, 413, error.body()))
        except ValueError as exc:
            error = bad_request(str(exc))
            return self._answer(ApiCall(requested, {}, 400, error.body()))
        method = canonical_method_name(requested)
        if method is None:
            return self._answer(ApiCall(requested, raw, 404, ApiError(404, "Not Found").body()))

        try:
            params = _decode_parameters(method, raw)
        except ApiError as error:
            return self._answer(ApiCall(method, raw, error.error_code, error.body()))

        interceptor = self._take_interceptor(method, params)
        if interceptor is not None:
            return await self._intercept(request, method, params, interceptor)

        await self._run_before(method, params)

        fault = self._take_fault(method, params)
        if fault is not None:
            if fault.after_acting:
                with contextlib.suppress(ApiError):
                    await self._dispatch(method, params)
            return self._answer_fault(request, method, params, fault)

        held = self._take_held_answer(method, params)
        first_caused = self._next_update_id
        one_way = self.round_trip_seconds / 2
        if one_way and method != "getUpdates":
            await asyncio.sleep(one_way)
        try:
            result = await self._dispatch(method, params)
        except ApiError as error:
            return self._answer(ApiCall(method, params, error.error_code, error.body()))
        if held:
            await self._until_handled(range(first_caused, self._next_update_id))
        if one_way and (method != "getUpdates" or result):
            await asyncio.sleep(one_way)
        return self._answer(ApiCall(method, params, 200, {"ok": True, "result": result}))

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            _check_required(method, params)
            return await self._get_updates(params)
        handler = self._handlers.get(method)
        if handler is None:
            raise not_implemented(f"method {method}")
        _check_required(method, params)
        return copy.deepcopy(handler(params))

    def _answer(self, call: ApiCall) -> web.Response:
        self._record(call)
        return web.json_response(
            call.response, status=call.status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False)
        )

    async def _intercept(
        self, request: web.Request, method: str, params: dict[str, Any], interceptor: Interceptor
    ) -> web.StreamResponse:
        """Run the test's callback (a crash, typically) before or after the server acts; the
        client never gets an answer either way."""
        if interceptor.after_acting:
            try:
                result = await self._dispatch(method, params)
                self._record(
                    ApiCall(method, params, 200, {"ok": True, "result": result}, injected=True)
                )
            except ApiError as error:
                self._record(ApiCall(method, params, error.error_code, error.body()))
        else:
            self._record(ApiCall(method, params, 0, {}, injected=True))
        interceptor.callback()
        # Never answer: the client waits, as it would for a server that went quiet, until it
        # dies or gives up. (Dropping the connection would let it move on before the kill
        # lands, which a real crash does not allow.)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def _read_parameters(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        uploaded = 0
        for key, value in form.items():
            if isinstance(value, FileField):
                data = value.file.read()
                uploaded += len(data)
                params[key] = Upload(value.filename, value.content_type, data)
            else:
                params[key] = value if isinstance(value, str) else value.decode("utf-8", "replace")
        if uploaded > MAX_UPLOAD_BYTES:
            raise UploadTooLargeError
        return params
    body = await request.read()
    if not body.strip():
        return params
    try:
        decoded = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("can't parse request body as JSON") from None
    if not isinstance(decoded, dict):
        raise ValueError("JSON body must be an object")
    params.update(decoded)
    return params


def _decode_parameters(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    fields = {f.name: f for f in method_fields(method)}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            params[name] = decode_parameter(fields.get(name), value)
        except ParameterError as exc:
            raise bad_request(str(exc)) from None
    return params


def _check_required(method: str, params: dict[str, Any]) -> None:
    for f in method_fields(method):
        if f.required and params.get(f.name) in (None, ""):
            if f.name == "text":
                raise bad_request("message text is empty")
            if f.name == "message_id":
                raise bad_request("message identifier is not specified")
            raise bad_request(f"{f.name} is empty")
