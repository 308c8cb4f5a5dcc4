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
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.web_request import FileField

from .html_parser import EntityParseError, parse_html, strip_formatted_text, utf16_length
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
    CallbackQuery,
    Chat,
    Fault,
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
    type_fields,
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

T = TypeVar("T")

# The public API takes `timeout=` arguments (ruff's ASYNC109 prefers asyncio.timeout) so that
# tests read like the brief: await fake.wait_for_bot_message(chat, "x", timeout=2).

# How long a held answer waits for the bot to handle the updates its call caused.
HELD_ANSWER_TIMEOUT_SECONDS = 30.0
CONFLICT_DESCRIPTION = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# getUpdates while a webhook is set (quoted in /work/shared/telegram/README.md), and a
# waiting poll that setWebhook ends: tdlib/telegram-bot-api's Client.cpp,
# process_get_updates_query and abort_long_poll.
WEBHOOK_ACTIVE_DESCRIPTION = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
ENDED_BY_SET_WEBHOOK_DESCRIPTION = "Conflict: terminated by setWebhook request"
NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID_DESCRIPTION = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
# The `from` of a message sent on behalf of a channel (sender_chat), kept "for backward
# compatibility" as the Bot API's Message.from says.
CHANNEL_BOT_USER: dict[str, Any] = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}

# An anonymous administrator of a group writes as this bot, with the group itself as
# sender_chat (Telegram's "Remain anonymous" admin right).
GROUP_ANONYMOUS_BOT_USER: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
# Updates a bot gets when getUpdates never named allowed_updates (or named none).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
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
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_GATEWAY_ERRORS = {502: "Bad Gateway", 504: "Gateway Time-out"}


class FakeTelegram(WorldState):
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

    def saved_world(self) -> dict[str, Any]:
        """The world as JSON-ready data: people, chats and their messages, the updates the
        bot has not fetched yet, and the counters (update ids above all: the bot remembers
        the ids it handled, and would skip a new update that reused one)."""
        return {
            "users": list(self._users.values()),
            "chats": [chat.saved() for chat in self._chats.values()],
            "blocked_by": sorted(self._blocked_by),
            "updates": self._updates,
            "next_update_id": self._next_update_id,
            "next_query_number": self._next_query_number,
            "next_file_number": self._next_file_number,
            "files": self._files,
            "commands": [
                [scope, language, cmds] for (scope, language), cmds in self._commands.items()
            ],
            "privacy_mode": self.privacy_mode,
            "clock_ahead": self._clock_ahead,
        }

    def load_world(self, saved: dict[str, Any]) -> None:
        """The world saved_world() gave, in a fake that has none yet."""
        if self._users or self._chats:
            raise ValueError("the fake has a world already")
        self._users = {user["id"]: user for user in saved["users"]}
        self._chats = {chat["id"]: Chat.from_saved(chat) for chat in saved["chats"]}
        self._blocked_by = set(saved["blocked_by"])
        self._updates = saved["updates"]
        self._next_update_id = saved["next_update_id"]
        self._next_query_number = saved["next_query_number"]
        self._next_file_number = saved["next_file_number"]
        self._files = {file_id: (kind, shown) for file_id, (kind, shown) in saved["files"].items()}
        self._commands = {(scope, language): cmds for scope, language, cmds in saved["commands"]}
        self.privacy_mode = saved["privacy_mode"]
        self._clock_ahead = saved["clock_ahead"]
        self._notify()

    def chats(self) -> list[dict[str, Any]]:
        """Every chat as getChat names it, with its linked chat and its members' statuses."""
        return [
            {
                **chat.as_chat(),
                "linked_chat_id": chat.linked_chat_id,
                "bot_status": chat.bot_status,
                "members": {str(user_id): status for user_id, status in chat.members.items()},
            }
            for chat in self._chats.values()
        ]

    def users(self) -> list[dict[str, Any]]:
        return copy.deepcopy(list(self._users.values()))

    def blocked_by(self) -> list[int]:
        """The users who blocked the bot: its sends to them are refused with 403."""
        return sorted(self._blocked_by)

    def refused_calls(self) -> list[ApiCall]:
        """The bot's calls Telegram would have refused (faults a test injected left out)."""
        return [call for call in self.errors() if not call.injected and call.status != 0]

    async def next_change(self, timeout: float) -> None:  # noqa: ASYNC109
        """Returns at the next change to the world or the next call, or after `timeout`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        *,
        is_premium: bool = False,
    ) -> dict[str, Any]:
        """A Telegram user; `language_code` is the IETF tag their app sends (es-MX...);
        `is_premium`: a Premium subscriber (longer captions)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if is_premium:
            user["is_premium"] = True
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return copy.deepcopy(user)

    def add_channel(
        self,
        chat_id: int,
        title: str,
        username: str | None = None,
        linked_chat_id: int | None = None,
    ) -> None:
        self._add_chat(
            Chat(
                id=chat_id,
                type="channel",
                title=title,
                username=username,
                linked_chat_id=linked_chat_id,
            )
        )

    def add_group(
        self,
        chat_id: int,
        title: str,
        member_ids: Iterable[int] = (),
        admin_ids: Iterable[int] = (),
        linked_channel_id: int | None = None,
        *,
        basic: bool = False,
    ) -> None:
        """A supergroup (ids -100…), or with `basic` a basic group (small negative ids),
        which Telegram upgrades to a supergroup on its own (upgrade_group)."""
        group = Chat(
            id=chat_id,
            type="group" if basic else "supergroup",
            title=title,
            linked_chat_id=linked_channel_id,
        )
        for user_id in member_ids:
            group.members[user_id] = "member"
        for user_id in admin_ids:
            group.members[user_id] = "administrator"
        self._add_chat(group)

    def upgrade_group(self, chat_id: int, by_user_id: int, new_chat_id: int) -> None:
        """Telegram upgrades a basic group to a supergroup (it grew, or an admin made its
        history visible): a new chat with a new id, the same members; the old id answers
        every call with migrate_to_chat_id. The bot hears its membership of the new chat
        first (the worst order for it), then the two service messages: migrate_to_chat_id
        in the old chat and migrate_from_chat_id in the new (TelegramBots/Telegram.Bot#171,
        defstudio/telegraph#692)."""
        old = self._existing_chat(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups are upgraded")
        by = self._existing_user(by_user_id)
        new = Chat(
            id=new_chat_id,
            type="supergroup",
            title=old.title,
            linked_chat_id=old.linked_chat_id,
            bot_status=old.bot_status,
            bot_rights_withheld=set(old.bot_rights_withheld),
            members=dict(old.members),
            bot_privacy_mode=old.bot_privacy_mode,
        )
        self._add_chat(new)
        if old.bot_status not in {"left", "kicked"}:
            self._enqueue_my_chat_member(new, by, "left", old.bot_status)
        moved_to = self._store_message(old, by, {"migrate_to_chat_id": new.id}, None, by_bot=False)
        moved_from = self._store_message(
            new, by, {"migrate_from_chat_id": old.id}, None, by_bot=False
        )
        old.migrated_to = new.id
        if old.bot_status not in {"left", "kicked"}:
            # Service messages reach a bot whatever its privacy mode.
            self._enqueue("message", moved_to.data)
            self._enqueue("message", moved_from.data)
        self._notify()

    def remove_bot_from(self, chat_id: int) -> None:
        chat = self._existing_chat(chat_id)
        old_status = chat.bot_status
        chat.bot_status = "kicked"
        remover = next(
            (
                self._users[user_id]
                for user_id, status in chat.members.items()
                if status in {"creator", "administrator"} and user_id in self._users
            ),
            None,
        )
        if remover is not None:
            self._enqueue_my_chat_member(chat, remover, old_status, "kicked")
        self._notify()

    def user_adds_bot(self, user_id: int, chat_id: int, status: str = "member") -> None:
        """A member adds the bot to a group (or makes it admin): a my_chat_member update."""
        chat = self._existing_chat(chat_id)
        user = self._existing_user(user_id)
        old_status = chat.bot_status
        chat.bot_status = status
        if old_status in {"left", "kicked"}:
            # Added (again): from now on, as BotFather's privacy setting is now.
            chat.bot_privacy_mode = self.privacy_mode
        self._enqueue_my_chat_member(chat, user, old_status, status)
        self._notify()

    def demote_bot(self, chat_id: int, by_user_id: int) -> None:
        """An admin takes the bot's administrator rights away; it stays a plain member. It
        hears so by a my_chat_member update (/work/shared/telegram/README.md, "What the Bot
        API server fills in for you"); in privacy mode it sees little from then on."""
        chat = self._existing_chat(chat_id)
        by = self._existing_user(by_user_id)
        old_status = chat.bot_status
        if old_status not in {"administrator", "creator"}:
            raise ValueError(f"the bot is {old_status} in chat {chat_id}, not an administrator")
        chat.bot_status = "member"
        self._enqueue_my_chat_member(chat, by, old_status, "member")
        self._notify()

    def expire_pending_updates(self) -> None:
        """Updates not fetched are kept 24 hours at most (the Bot API's getUpdates: "they
        will not be kept longer than 24 hours"): a bot down for longer never hears of what
        happened meanwhile."""
        self._updates.clear()
        self._notify()

    def user_deletes_message(self, chat_id: int, message_id: int) -> None:
        """Someone (an admin, in a group) deletes a message; bots get no update for it."""
        chat = self._existing_chat(chat_id)
        if chat.messages.pop(message_id, None) is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        self._notify()

    def withhold_bot_right(self, chat_id: int, right: str) -> None:
        """The bot stays an administrator of the chat but without `right`."""
        if right not in {f.name for f in type_fields("ChatMemberAdministrator")}:
            raise ValueError(f"{right!r} is not an administrator right")
        self._existing_chat(chat_id).bot_rights_withheld.add(right)
        self._notify()

    def grant_bot_right(self, chat_id: int, right: str) -> None:
        """An admin gives the bot a right it was withheld."""
        self._existing_chat(chat_id).bot_rights_withheld.discard(right)
        self._notify()

    def age_message(self, chat_id: int, message_id: int, hours: float) -> None:
        """The message was sent `hours` earlier than it says (for the 48-hour rules)."""
        stored = self._existing_chat(chat_id).messages[message_id]
        stored.data["date"] -= int(hours * 3600)

    def chat_member_status(self, chat_id: int, user_id: int) -> str:
        return self._member_status(self._existing_chat(chat_id), user_id)

    def move_clock_forward(self, seconds: float) -> None:
        """Time passes for Telegram at once (bans run out, messages age): tests never wait
        for it. Measured from the wall clock as the module found it, so a test that moves
        the bot's clock (time.time) does not move this one twice."""
        self._clock_ahead += seconds
        self._notify()

    def user_joins(self, chat_id: int, user_id: int) -> None:
        """A user joins a group (again): refused while a ban there holds, as Telegram
        refuses it (USER_BANNED_IN_CHANNEL)."""
        chat = self._existing_chat(chat_id)
        self._existing_user(user_id)
        if self._member_status(chat, user_id) == "kicked":
            raise ValueError(f"user {user_id} is banned in chat {chat_id} and cannot join")
        chat.members[user_id] = "member"
        self._notify()

    def bot_status_in(self, chat_id: int) -> str:
        return self._existing_chat(chat_id).bot_status

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        if status not in _MEMBER_STATUSES:
            raise ValueError(
                f"unknown member status {status!r}; use one of {sorted(_MEMBER_STATUSES)}"
            )
        chat = self._existing_chat(chat_id)
        if user_id == self.bot_id:
            chat.bot_status = status
        else:
            self._existing_user(user_id)
            chat.members[user_id] = status
            chat.banned_until.pop(user_id, None)
        self._notify()

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, chat_id, content, reply_to_message_id)

    def user_edits_text(
        self, user_id: int, message_id: int, text: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user edits one of their text messages: an `edited_message` update."""
        chat = self._existing_chat(user_id if chat_id is None else chat_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.by_bot or stored.data.get("from", {}).get("id") != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
        stored.data["text"] = text
        stored.data["edit_date"] = int(self.now())
        if self._bot_receives(chat, stored.data, None):
            self._enqueue("edited_message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def user_sends_sticker(
        self, user_id: int, chat_id: int | None = None, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        file_id, unique_id = self._new_file_ids("CAACAgIAAxkBAA")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
        }
        self._files[file_id] = ("sticker", sticker)
        return self._user_message(user_id, chat_id, {"sticker": sticker}, reply_to_message_id)

    def channel_sends_text(
        self, channel_id: int, text: str, chat_id: int, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """Someone writes in a group on behalf of a channel they own ("send as")."""
        channel = self._existing_chat(channel_id)
        chat = self._existing_chat(chat_id)
        if channel.id in chat.banned_sender_chats:
            raise ValueError(f"channel {channel_id} is banned in chat {chat_id} and cannot write")
        reply_to = chat.messages.get(reply_to_message_id) if reply_to_message_id else None
        content = {"sender_chat": channel.as_chat(), "text": text}
        stored = self._store_message(chat, CHANNEL_BOT_USER, content, reply_to, by_bot=False)
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def editor_posts_in_channel(self, channel_id: int, text: str) -> dict[str, Any]:
        """Someone posts in a channel by hand, not through the bot: Telegram copies the post
        into the channel's linked discussion group as it copies the bot's (README "Channels
        and their discussion groups"). No channel_post update: the bot does not ask for them."""
        channel = self._existing_chat(channel_id)
        if channel.type != "channel":
            raise ValueError(f"chat {channel_id} is not a channel")
        stored = self._store_message(channel, None, {"text": text}, None, by_bot=False)
        self._forward_to_discussion_group(channel, stored)
        self._notify()
        return copy.deepcopy(stored.data)

    def anonymous_admin_sends_text(
        self, chat_id: int, text: str, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """An administrator who remains anonymous writes in a group: the message comes from
        GroupAnonymousBot, signed by the group itself (sender_chat)."""
        chat = self._existing_chat(chat_id)
        if chat.type != "supergroup":
            raise ValueError("anonymous admins write in supergroups only")
        reply_to = chat.messages.get(reply_to_message_id) if reply_to_message_id else None
        content: dict[str, Any] = {"sender_chat": chat.as_chat(), "text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        stored = self._store_message(
            chat, GROUP_ANONYMOUS_BOT_USER, content, reply_to, by_bot=False
        )
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def sender_chat_is_banned(self, chat_id: int, channel_id: int) -> bool:
        return channel_id in self._existing_chat(chat_id).banned_sender_chats

    def user_sends_location(
        self,
        user_id: int,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        location = {"latitude": 19.4326, "longitude": -99.1332}
        return self._user_message(user_id, chat_id, {"location": location}, reply_to_message_id)

    def user_sends_photo(
        self,
        user_id: int,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        *,
        media_group_id: str | None = None,
        same_photo_as: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`media_group_id`: one picture of an album (Telegram sends each as a message of
        its own, all with the album's media_group_id). `same_photo_as`: the picture of that
        message sent again, whose file_unique_id is the same ("supposed to be the same over
        time and for different bots", core.telegram.org/bots/api#photosize)."""
        sizes = same_photo_as["photo"] if same_photo_as is not None else self._photo_sizes()
        content: dict[str, Any] = {"photo": sizes}
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        if caption is not None:
            premium = self._existing_user(user_id).get("is_premium", False)
            limit = MAX_PREMIUM_CAPTION_LENGTH if premium else MAX_CAPTION_LENGTH
            if len(caption) > limit:
                raise ValueError(f"Telegram lets this user send captions of {limit} at most")
            content["caption"] = caption
            entities = self._command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self._user_message(user_id, chat_id, content, reply_to_message_id)

    def user_presses_button(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Presses a button; `data` is sent as given, so tests can forge presses."""
        user = self._existing_user(user_id)
        chat = self._existing_chat(chat_id)
        stored = chat.messages.get(message_id)
        if stored is None:
            raise ValueError(f"message {message_id} does not exist in chat {chat_id}")
        query_id = str(self.bot_id * 1_000_000 + self._next_query_number)
        self._next_query_number += 1
        self._callback_queries[query_id] = CallbackQuery(created=time.monotonic())
        query = {
            "id": query_id,
            "from": user,
            "message": stored.data,
            "chat_instance": str(abs(chat_id) * 7919 + 104729),
            "data": data,
        }
        self._enqueue("callback_query", query)
        self._notify()
        return query_id

    def user_blocks_bot(self, user_id: int) -> None:
        user = self._existing_user(user_id)
        self._blocked_by.add(user_id)
        chat = self._chats.get(user_id)
        if chat is not None:
            self._enqueue_my_chat_member(chat, user, "member", "kicked")
        self._notify()

    def messages_in(self, chat_id: int) -> list[dict[str, Any]]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [copy.deepcopy(stored.data) for stored in chat.messages.values()]

    def bot_messages_in(self, chat_id: int) -> list[dict[str, Any]]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [copy.deepcopy(s.data) for s in chat.messages.values() if s.by_bot]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        chat = self._chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        return copy.deepcopy(stored.data) if stored else None

    def errors(self) -> list[ApiCall]:
        """Every call not answered with ok=true, injected faults included."""
        return [call for call in self.calls if call.status != 200]

    def bad_requests(self) -> list[ApiCall]:
        """400 answers the bot earned, less those a test caused on purpose (see expect_...)."""
        return [
            call
            for call in self.calls
            if call.status == 400
            and not call.injected
            and not any(part in (call.description or "") for part in self._expected_refusals)
        ]

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

    def clear_interceptions(self) -> None:
        """Forget interceptors and delivery callbacks that have not fired, and holds (the
        calls held so far are never answered nor acted on)."""
        self._interceptors.clear()
        self._answers_held.clear()
        self._on_delivery = None

    def after_next_delivery(self, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` `delay` seconds after getUpdates next hands out updates."""
        self._on_delivery = (delay, callback)

    def expect_bad_request(self, description_part: str) -> None:
        """A test that deletes a message makes the bot meet what it cannot foresee: Telegram
        sends bots no update when a message is deleted, so the next edit is refused."""
        self._expected_refusals.append(description_part)

    def is_polling(self) -> bool:
        """True while a getUpdates long poll is waiting for updates."""
        return self._waiting_polls > 0

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> T:
        """Waits until `predicate()` returns something truthy, and returns it.

        The predicate is re-evaluated after every API call and every user action.
        """
        result: T = await self._wait(predicate, timeout, lambda: f"predicate {predicate!r}")
        return result

    async def wait_for_bot_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The first bot message in the chat that no earlier call returned, whose text
        (or caption) contains `contains`."""
        returned = self._returned_bot_messages[chat_id]

        def find() -> StoredMessage | None:
            chat = self._chats.get(chat_id)
            if chat is None:
                return None
            for stored in chat.messages.values():
                if not stored.by_bot or stored.data["message_id"] in returned:
                    continue
                text = stored.data.get("text", stored.data.get("caption", ""))
                if contains is None or contains in text:
                    return stored
            return None

        def describe() -> str:
            texts = [
                (m["message_id"], m.get("text", m.get("caption")))
                for m in self.bot_messages_in(chat_id)
            ]
            return (
                f"a new bot message in chat {chat_id} containing {contains!r}; "
                f"bot messages there now: {texts}; already returned: {sorted(returned)}"
            )

        found: StoredMessage = await self._wait(find, timeout, describe)
        returned.add(found.data["message_id"])
        return copy.deepcopy(found.data)

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

    def send_raw_update(self, kind: str, payload: dict[str, Any]) -> None:
        """An update exactly as given, for the bot's handling of what it cannot read (a
        field python-telegram-bot requires is missing, as a newer Bot API may allow)."""
        self._enqueue(kind, payload)
        self._notify()

    def set_webhook(self, url: str) -> None:
        """Someone sets a webhook for the token (another deployment, a curl by hand): a
        waiting getUpdates ends with 409, and every later one answers 409 until
        deleteWebhook. Updates stay queued: the fake posts nothing to `url`."""
        if not url:
            raise ValueError("a webhook needs a url; deleteWebhook removes one")
        self._webhook_url = url
        # Ends the waiting poll, as setWebhook does on the real server.
        self._poll_generation += 1
        self._notify()

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

    async def _until_handled(self, update_ids: range) -> None:
        """Until no update of `update_ids` waits: a later getUpdates confirmed them all."""
        # Wakes the waiting poll: the updates were queued while acting.
        self._notify()
        await self._wait(
            lambda: not any(update["update_id"] in update_ids for update in self._updates),
            HELD_ANSWER_TIMEOUT_SECONDS,
            lambda: f"the bot to handle updates {list(update_ids)}",
        )

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

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed_updates

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        # Refused before anything else, so it neither ends a waiting poll nor confirms
        # updates by its offset (the real server checks the webhook first too).
        if self._webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE_DESCRIPTION)
        # As on the real server, a new poll ends the one still waiting, which then
        # answers 409; this is what two bot instances sharing a token see.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                # Ended by a newer poll, or (a webhook now set) by set_webhook.
                raise ApiError(
                    409,
                    ENDED_BY_SET_WEBHOOK_DESCRIPTION if self._webhook_url else CONFLICT_DESCRIPTION,
                )
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            if self._updates or self._stopping:
                if self._updates and self._on_delivery is not None:
                    delay, callback = self._on_delivery
                    self._on_delivery = None
                    # After the answer is on its way: the bot has the updates, then this.
                    loop.call_later(delay, callback)
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._waiting_polls += 1
            self._notify()
            changed = self._changed
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
            finally:
                self._waiting_polls -= 1

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

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
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

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        query = self._callback_queries.get(query_id)
        expired = query is not None and (
            time.monotonic() - query.created > CALLBACK_QUERY_LIFETIME_SECONDS
        )
        if query is None or query.answered or expired:
            raise ApiError(400, QUERY_INVALID_DESCRIPTION)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[query_id] = dict(params)
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

    def refuse_url(self, url: str) -> None:
        """Telegram cannot fetch this URL (a photo sent by URL): it is refused."""
        self._unreachable_urls.add(url)

    def _command_entities(self, text: str) -> list[dict[str, Any]]:
        match = _COMMAND.match(text)
        if match is None:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_length(match.group(0))}]

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        content: dict[str, Any],
        reply_to_message_id: int | None,
    ) -> dict[str, Any]:
        user = self._existing_user(user_id)
        if chat_id is None or chat_id == user_id:
            chat = self._chats.get(user_id)
            if chat is None:
                chat = Chat(
                    id=user_id,
                    type="private",
                    username=user.get("username"),
                    first_name=user["first_name"],
                    last_name=user.get("last_name"),
                    bot_status="member",
                )
                self._chats[user_id] = chat
            # Writing to a bot one blocked unblocks it, as "Restart" does in the apps.
            self._blocked_by.discard(user_id)
        else:
            chat = self._existing_chat(chat_id)
            if chat.type == "channel":
                raise ValueError("users do not post in channels; the bot does (sendMessage)")
            status = self._member_status(chat, user_id)
            if user_id not in chat.members:
                status = chat.members[user_id] = "member"
            if status in {"left", "kicked"}:
                raise ValueError(f"user {user_id} is {status} in chat {chat_id} and cannot write")
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None:
                raise ValueError(f"message {reply_to_message_id} does not exist in chat {chat.id}")
        stored = self._store_message(chat, user, content, reply_to, by_bot=False)
        if self._bot_receives(chat, stored.data, reply_to):
            self._enqueue("message", stored.data)
        self._notify()
        return copy.deepcopy(stored.data)

    def _bot_receives(
        self, chat: Chat, message: dict[str, Any], reply_to: StoredMessage | None
    ) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status in {"administrator", "creator"}:
            return True
        if chat.bot_status not in {"member", "restricted"}:
            return False
        if not chat.bot_privacy_mode:
            return True
        # Privacy mode (core.telegram.org/bots/features#privacy-mode): a bot that is not an
        # admin sees commands meant for it (/queue@bot), general commands only if it was
        # the last bot to write in the group (this fake knows one bot: if it ever wrote
        # there), replies to its messages, and mentions.
        text = message.get("text", message.get("caption", ""))
        command = _COMMAND.match(text)
        addressed = command is not None and (
            (command.group(1) is None and any(stored.by_bot for stored in chat.messages.values()))
            or (command.group(1) or "").lower() == f"@{self.bot_username}".lower()
        )
        return (
            addressed
            or (reply_to is not None and reply_to.by_bot)
            or f"@{self.bot_username}".lower() in text.lower()
        )


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
