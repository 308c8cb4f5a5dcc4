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
import math
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from .callback_queries import QUERY_INVALID_DESCRIPTION, CallbackQueries
from .faults import FaultInjection
from .html_parser import EntityParseError, parse_html, strip_formatted_text, utf16_length
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
from .markup import MarkupError, validate_reply_markup
from .records import (
    CAPTIONED_MEDIA,
    COPIED_CONTENT,
    FILE_KINDS,
    TELEGRAM_SERVICE_USER,
    ApiCall,
    ApiError,
    Chat,
    Interceptor,
    StoredMessage,
    bad_request,
    file_method,
    not_implemented,
)
from .reference import (
    ParameterError,
    canonical_method_name,
    decode_parameter,
    method_fields,
)
from .setup import WorldSetup
from .updates import (
    CONFLICT_DESCRIPTION,
    ENDED_BY_SET_WEBHOOK_DESCRIPTION,
    HELD_ANSWER_TIMEOUT_SECONDS,
    WEBHOOK_ACTIVE_DESCRIPTION,
    Updates,
)
from .uploads import (
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    READ_LIMIT_BYTES,
    TOO_LARGE_DESCRIPTION,
    StoredFile,
    Upload,
    UploadTooLargeError,
)
from .users import CHANNEL_BOT_USER, GROUP_ANONYMOUS_BOT_USER, UserActions
from .world import WorldState

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

NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# Telegram's FAQ: a bot "can't send more than 20 messages per minute to the same group".
# Edits share that budget with sends: Telegram's maintainer in tdlib/td#2592 ("They share
# the limit") and tdlib/td#3034. The overall 30 a second counts them too.
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        *(file_method(kind) for kind in FILE_KINDS),
    }
)
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class FakeTelegram(
    WorldSetup, UserActions, CallbackQueries, Inspection, FaultInjection, Updates, WorldState
):
    """The fake Bot API server and the world behind it. See the module docstring."""

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

    def _return_true(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > MAX_BOT_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._postable_chat(params["chat_id"])
        text, entities = self._formatted_text(params)
        markup = _reply_markup(params)
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, "sendMessage")
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        if markup is not None:
            content["reply_markup"] = markup
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        if chat.type == "channel":
            self._forward_to_discussion_group(chat, stored)
        return stored.data

    def _send_file(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto, sendSticker...: a file sent again by its file_id, or a document
        uploaded (other uploads are not modelled). Telegram refuses an id it never issued
        ("wrong file identifier/HTTP URL specified", go-telegram-bot-api/telegram-bot-api#576)
        and one of another kind ("type of file mismatch", irazasyed/telegram-bot-sdk#541)."""
        chat = self._postable_chat(params["chat_id"])
        file_id = params.get(kind)
        if isinstance(file_id, Upload) and kind == "document":
            # A refused call leaves no file behind: the caption is checked first.
            if "caption" in params:
                self._caption_of(params)
            file_id = self._store_upload(file_id)
        if not isinstance(file_id, str):
            raise not_implemented(f"uploading a {kind}")
        if kind == "photo" and re.match(r"https?://", file_id):
            # Telegram fetches a photo's URL itself; one it cannot fetch (or that is not an
            # image) is refused with the same words as an unknown file_id.
            if file_id in self._unreachable_urls:
                raise bad_request("wrong file identifier/HTTP URL specified")
            self._files[file_id] = ("photo", self._photo_sizes())
        if file_id not in self._files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        file_kind, shown = self._files[file_id]
        if file_kind != kind:
            raise bad_request("type of file mismatch")
        content: dict[str, Any] = {kind: copy.deepcopy(shown)}
        # sendSticker and sendVideoNote take no caption (Telegram ignores what a method
        # does not take).
        if "caption" in params and kind in CAPTIONED_MEDIA:
            caption, entities = self._caption_of(params)
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, file_method(kind))
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        if chat.type == "channel":
            self._forward_to_discussion_group(chat, stored)
        return stored.data

    def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """copyMessage: the content of a message, sent anew (no link to the original); a
        new caption replaces the old one on media that carry captions."""
        chat = self._postable_chat(params["chat_id"])
        source = self._accessible_chat(params["from_chat_id"]).messages.get(params["message_id"])
        if source is None:
            raise bad_request("message to copy not found")
        content = {
            key: copy.deepcopy(source.data[key]) for key in COPIED_CONTENT if key in source.data
        }
        if not content:
            raise bad_request("message can't be copied")
        if "caption" in params:
            # Stickers and round videos carry no caption (assumed refused, as sending one
            # with a caption is not possible in the apps either).
            if not any(kind in content for kind in CAPTIONED_MEDIA):
                raise bad_request("message can't be copied: this message has no caption")
            caption, entities = self._formatted_text({**params, "text": params["caption"]})
            if len(caption) > MAX_CAPTION_LENGTH:
                raise bad_request("message caption is too long")
            content["caption"] = caption
            content.pop("caption_entities", None)
            if entities:
                content["caption_entities"] = entities
        elif len(content.get("caption", "")) > MAX_CAPTION_LENGTH:
            # A Premium reader's long caption, kept by the copy, would be the bot's own:
            # assumed refused as a bot's caption that long is (a bot's stay at 1024).
            raise bad_request("message caption is too long")
        markup = _reply_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        reply_to = self._replied_message(chat, params)
        self._check_rate_limit(chat, "copyMessage")
        sender = None if chat.type == "channel" else self.bot_user
        stored = self._store_message(chat, sender, content, reply_to, by_bot=True)
        return {"message_id": stored.data["message_id"]}

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted_text(params)
        markup = _reply_markup(params)
        unchanged = (
            stored.data["text"] == text
            and stored.data.get("entities", []) == entities
            and stored.data.get("reply_markup") == markup
        )
        if unchanged:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageText")
        stored.data["text"] = text
        _set_or_drop(stored.data, "entities", entities or None)
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        if not any(kind in stored.data for kind in CAPTIONED_MEDIA):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted_text({**params, "text": params.get("caption", "")})
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        if (
            stored.data.get("caption", "") == caption
            and stored.data.get("caption_entities", []) == entities
        ):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageCaption")
        _set_or_drop(stored.data, "caption", caption or None)
        _set_or_drop(stored.data, "caption_entities", entities or None)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, stored = self._editable_message(params)
        markup = _reply_markup(params)
        if stored.data.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._check_rate_limit(chat, "editMessageReplyMarkup")
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(self.now())
        self._notify()
        return stored.data

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._accessible_chat(params["chat_id"])
        message_id = params["message_id"]
        stored = chat.messages.get(message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        # The Bot API's deleteMessage: nothing older than 48 hours; in a group, others'
        # messages only as an administrator with can_delete_messages.
        too_old = int(self.now()) - stored.data["date"] > DELETE_WITHIN_SECONDS
        others_in_group = chat.type in {"group", "supergroup"} and not stored.by_bot
        may_delete_others = (
            chat.bot_status in {"administrator", "creator"}
            and "can_delete_messages" not in chat.bot_rights_withheld
        )
        if too_old or (others_in_group and not may_delete_others):
            raise bad_request("message can't be deleted")
        del chat.messages[message_id]
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction: "typing…" for a few seconds; no message, no place in a budget."""
        self._writable_chat(params["chat_id"])
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params["user_id"]
        # The bot's own membership needs read access only; others' need the member list
        # (Client.cpp, process_get_chat_member_query).
        chat = self._accessible_chat(params["chat_id"], write=user_id != self.bot_id)
        if user_id == self.bot_id:
            if chat.migrated_to is not None:
                # An upgraded group's member list is gone ("member list is inaccessible in
                # deactivated groups", Client.cpp): TDLib finds nobody there and answers
                # "left" (ChatManager::finish_get_chat_participant).
                return self._chat_member(self.bot_user, "left", chat)
            return self._chat_member(self.bot_user, chat.bot_status, chat)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = self._member_status(chat, user_id)
        return self._chat_member(user, status, chat)

    def _caption_of(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        caption, entities = self._formatted_text({**params, "text": params.get("caption", "")})
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption, entities

    def _store_upload(self, upload: Upload) -> str:
        """A document the bot uploaded: kept as Telegram keeps it, under a new file_id, and
        shown in its message with the name and type it was sent with."""
        if not upload.data:
            raise bad_request("file must be non-empty")
        file_id, unique_id = self._new_file_ids("BQACAgIAAxkBAA")
        stored = StoredFile(file_id, unique_id, f"documents/file_{len(self._uploads)}", upload.data)
        self._uploads[file_id] = stored
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }
        self._files[file_id] = ("document", document)
        return file_id

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile: where to download a file. Only files the bot uploaded are modelled."""
        stored = self._uploads.get(str(params["file_id"]))
        if stored is None:
            if params["file_id"] in self._files:
                raise not_implemented("downloading files users sent")
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.as_file()

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=404, text="Not Found")
        path = request.match_info["path"]
        for stored in self._uploads.values():
            if stored.file_path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404, text="Not Found")

    def uploaded_document(self, message: dict[str, Any]) -> bytes:
        """The bytes of the document a bot's message carries, as uploaded."""
        return self._uploads[message["document"]["file_id"]].data

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        # Read access: an upgraded group answers as the basic group it was, with no word
        # of its supergroup (ChatFullInfo has no migrate_to_chat_id).
        chat = self._accessible_chat(params["chat_id"], write=False)
        info: dict[str, Any] = {
            **chat.as_chat(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.linked_chat_id is not None:
            info["linked_chat_id"] = chat.linked_chat_id
        return info

    def _restricting_chat(self, params: dict[str, Any]) -> Chat:
        """The chat, if the bot may ban and unban there (can_restrict_members)."""
        chat = self._accessible_chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        may_restrict = (
            chat.bot_status in {"administrator", "creator"}
            and "can_restrict_members" not in chat.bot_rights_withheld
        )
        if not may_restrict:
            raise bad_request("not enough rights to restrict/unrestrict chat member")
        return chat

    def _restrictable_member(self, params: dict[str, Any]) -> tuple[Chat, int]:
        chat = self._restricting_chat(params)
        user_id = params["user_id"]
        if user_id not in self._users:
            raise bad_request("user not found")
        if self._member_status(chat, user_id) in {"creator", "administrator"}:
            raise bad_request("user is an administrator of the chat")
        return chat, user_id

    def _ban_chat_member(self, params: dict[str, Any]) -> bool:
        chat, user_id = self._restrictable_member(params)
        chat.members[user_id] = "kicked"
        # "If user is banned for more than 366 days or less than 30 seconds from the
        # current time they are considered to be banned forever" (banChatMember's
        # until_date, bot-api-10.0.json); banning again replaces the end.
        until = params.get("until_date")
        ahead = until - self.now() if until else 0
        if until and BAN_SHORTEST_SECONDS <= ahead <= BAN_LONGEST_SECONDS:
            chat.banned_until[user_id] = until
        else:
            chat.banned_until.pop(user_id, None)
        return True

    def _unban_chat_member(self, params: dict[str, Any]) -> bool:
        chat, user_id = self._restrictable_member(params)
        if self._member_status(chat, user_id) == "kicked" or not params.get("only_if_banned"):
            chat.members[user_id] = "left"
            chat.banned_until.pop(user_id, None)
        return True

    def _ban_chat_sender_chat(self, params: dict[str, Any]) -> bool:
        chat = self._restricting_chat(params)
        self._resolve_chat(params["sender_chat_id"])
        chat.banned_sender_chats.add(params["sender_chat_id"])
        return True

    def _unban_chat_sender_chat(self, params: dict[str, Any]) -> bool:
        chat = self._restricting_chat(params)
        chat.banned_sender_chats.discard(params["sender_chat_id"])
        return True

    def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._accessible_chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        return True

    def _editable_message(self, params: dict[str, Any]) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise not_implemented("editing inline messages")
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._writable_chat(params["chat_id"])
        stored = chat.messages.get(params["message_id"])
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _formatted_text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = params["text"]
        text = raw if isinstance(raw, str) else json.dumps(raw)
        entities: list[dict[str, Any]] = []
        given_entities = params.get("entities")
        parse_mode = params.get("parse_mode")
        if given_entities:
            entities = _checked_entities(given_entities, text)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    text, entities = parse_html(text, self._users.get)
                except EntityParseError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
            elif mode in {"markdown", "markdownv2"}:
                raise not_implemented(f"parse_mode {parse_mode}")
            else:
                raise bad_request(f"unsupported parse_mode {parse_mode}")
        text, entities = strip_formatted_text(text, entities)
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def _replied_message(self, chat: Chat, params: dict[str, Any]) -> StoredMessage | None:
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        if "chat_id" in reply and self._resolve_chat(reply["chat_id"]).id != chat.id:
            raise not_implemented("replies to a message in another chat")
        stored = chat.messages.get(reply["message_id"])
        if stored is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return stored

    def _check_rate_limit(self, chat: Chat, method: str) -> None:
        self._check_overall_rate_limit(method)
        if method not in _RATE_LIMITED_METHODS:
            return
        if chat.type == "private":
            self._check_private_rate_limit(chat)
            return
        limit = self.group_rate_limit_per_minute
        if limit is None:
            return
        now = time.monotonic()
        while chat.recent_sends and now - chat.recent_sends[0] >= RATE_LIMIT_WINDOW_SECONDS:
            chat.recent_sends.popleft()
        if len(chat.recent_sends) >= limit:
            wait = RATE_LIMIT_WINDOW_SECONDS - (now - chat.recent_sends[0])
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        chat.recent_sends.append(now)

    def _check_private_rate_limit(self, chat: Chat) -> None:
        """A bucket of PRIVATE_BURST messages, refilled at the rate set."""
        rate = self.private_rate_limit_per_second
        if rate is None:
            return
        now = time.monotonic()
        tokens = min(PRIVATE_BURST, chat.private_tokens + (now - chat.private_filled_at) * rate)
        chat.private_filled_at = now
        if tokens < 1:
            chat.private_tokens = tokens
            retry_after = max(1, math.ceil((1 - tokens) / rate))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        chat.private_tokens = tokens - 1

    def _check_overall_rate_limit(self, method: str) -> None:
        limit = self.overall_rate_limit_per_second
        if limit is None or method not in _RATE_LIMITED_METHODS:
            return
        now = time.monotonic()
        sends = self._overall_sends
        while sends and now - sends[0] >= 1.0:
            sends.popleft()
        if len(sends) >= limit:
            raise ApiError(429, "Too Many Requests: retry after 1", 1)
        sends.append(now)


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


def _reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return validate_reply_markup(params.get("reply_markup"))
    except MarkupError as exc:
        raise bad_request(str(exc)) from None


def _checked_entities(entities: Any, text: str) -> list[dict[str, Any]]:
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    total = utf16_length(text)
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or "type" not in entity:
            raise bad_request("can't parse MessageEntity JSON object")
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request("entity beginning or end is out of text bounds")
    return [dict(e) for e in entities]


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
