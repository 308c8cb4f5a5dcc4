"""The world behind the fake: its state, and what every part of the fake relies on (the
clock, waiting for a change, finding chats and users and whether the bot may act there,
storing a message, queueing an update)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .records import (
    COPIED_CONTENT,
    TELEGRAM_SERVICE_USER,
    ApiCall,
    ApiError,
    CallbackQuery,
    Chat,
    Fault,
    Interceptor,
    StoredMessage,
    bad_request,
    wall_clock,
)
from .reference import type_fields
from .uploads import StoredFile


class WorldState:
    """The fake's state, all set up here, and the helpers every part uses. The parts (world
    set-up, users, Bot API methods, faults...) are mixins over it; FakeTelegram is them all."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "newsroom_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.group_rate_limit_per_minute: int | None = None
        # Telegram's "about 30 messages a second overall", when a test turns it on.
        self.overall_rate_limit_per_second: int | None = None
        self._overall_sends: deque[float] = deque()
        # "Avoid sending more than one message per second in a particular chat" (the Bot
        # FAQ; README: short bursts allowed), when a test turns it on: sends and edits in
        # one private chat refill at this rate, a burst of PRIVATE_BURST at most.
        self.private_rate_limit_per_second: int | None = None
        # Privacy mode (BotFather's /setprivacy, on by default): getMe's
        # can_read_all_group_messages is its opposite. On, a bot that is a plain member of
        # a group sees only what core.telegram.org/bots/features#privacy-mode lists. Each
        # group keeps the setting the bot was added with (Chat.bot_privacy_mode).
        self.privacy_mode = True
        # When a benchmark turns it on, the network's round trip to Telegram: half of it
        # before the fake acts on a call and half before its answer arrives (a waiting
        # getUpdates, already there, takes the half back with the updates it carries).
        self.round_trip_seconds = 0.0
        # How far Telegram's clock is ahead of the wall clock (move_clock_forward).
        self._clock_ahead = 0.0
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_username.removesuffix("_bot").replace("_", " ").title() + " Bot",
            "username": bot_username,
        }
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, Chat] = {}
        self._blocked_by: set[int] = set()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._waiting_polls = 0
        self._webhook_url = ""
        self._faults: list[Fault] = []
        self._expected_refusals: list[str] = []
        self._interceptors: list[Interceptor] = []
        self._before: list[
            tuple[str, int | str | None, int | None, Callable[[], Awaitable[None]]]
        ] = []
        self._on_delivery: tuple[float, Callable[[], None]] | None = None
        self._answers_held: list[tuple[str, int | str | None]] = []
        self._callback_queries: dict[str, CallbackQuery] = {}
        self._next_query_number = 1
        self._next_file_number = 1
        # Every file a user sent, by file_id: its kind and what a message shows of it. A
        # bot may send a file again by its file_id (sendPhoto, sendSticker...).
        self._files: dict[str, tuple[str, Any]] = {}
        self._unreachable_urls: set[str] = set()
        # Files the bot uploaded, by file_id and by download path (getFile).
        self._uploads: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._returned_bot_messages: dict[int, set[int]] = defaultdict(set)
        self._changed = asyncio.Event()
        self._stopping = False
        self._runner: web.AppRunner | None = None

    def now(self) -> float:
        """Telegram's clock: the wall clock, plus what move_clock_forward added."""
        return wall_clock() + self._clock_ahead

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

    async def _wait(
        self,
        predicate: Callable[[], Any],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {describe()}\n{self._diagnostics()}"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _diagnostics(self) -> str:
        recent = [call for call in self.calls if call.method != "getUpdates"][-15:]
        lines = [
            f"  {call.method} -> {call.status}"
            + (f" {call.description}" if call.description and call.status != 200 else "")
            + (" (injected)" if call.injected else "")
            for call in recent
        ]
        polls = sum(1 for call in self.calls if call.method == "getUpdates")
        return (
            f"last API calls (getUpdates left out, {polls} made; "
            f"{self.pending_updates()} updates pending):\n" + ("\n".join(lines) or "  none")
        )

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def _existing_chat(self, chat_id: int) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"chat {chat_id} does not exist; add it (or let the user write first)")
        return chat

    def _existing_user(self, user_id: int) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"user {user_id} does not exist; call add_user() first")
        return user

    def _add_chat(self, chat: Chat) -> None:
        if chat.id in self._chats:
            raise ValueError(f"chat {chat.id} already exists")
        if chat.bot_privacy_mode is None:
            chat.bot_privacy_mode = self.privacy_mode
        self._chats[chat.id] = chat
        self._notify()

    def _member_status(self, chat: Chat, user_id: int) -> str:
        """A member's status now: a ban whose until_date has passed is over, and Telegram
        shows the person as having left (ChatMemberLeft), free to join and write again."""
        status = chat.members.get(user_id, "left")
        until = chat.banned_until.get(user_id)
        if status == "kicked" and until is not None and until <= self.now():
            del chat.banned_until[user_id]
            chat.members[user_id] = status = "left"
        return status

    def _chat_member(self, user: dict[str, Any], status: str, chat: Chat) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            for f in type_fields("ChatMemberAdministrator"):
                if f.required and f.types == ("Boolean",):
                    member[f.name] = f.name not in {"can_be_edited", "is_anonymous"}
            if chat.type == "channel":
                member.update(can_post_messages=True, can_edit_messages=True)
            else:
                member.update(can_pin_messages=True, can_manage_topics=False)
            if user.get("id") == self.bot_id:
                member.update(dict.fromkeys(chat.bot_rights_withheld & member.keys(), False))
        elif status == "restricted":
            for f in type_fields("ChatMemberRestricted"):
                if f.required and f.types == ("Boolean",):
                    member[f.name] = f.name == "is_member"
            member["until_date"] = 0
        elif status == "kicked":
            member["until_date"] = chat.banned_until.get(user["id"], 0)
        return member

    def _resolve_chat(self, chat_id: Any, *, write: bool = True) -> Chat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self._chats.values():
                if chat.type != "private" and (chat.username or "").lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        if isinstance(chat_id, str):
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise bad_request("chat not found") from None
        found = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if found is None:
            raise bad_request("chat not found")
        if found.migrated_to is not None and write:
            # What a call needing write access to an upgraded group's old id gets
            # (tdlib/telegram-bot-api Client.cpp, check_chat_access; TwiN/gatus#179 quotes
            # sendMessage's answer); python-telegram-bot raises ChatMigrated for it. Calls
            # that only read (getChat, the bot's own getChatMember) get no such word.
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=found.migrated_to,
            )
        return found

    def _same_chat(self, wanted: int | str, given: Any) -> bool:
        if wanted == given:
            return True
        try:
            return self._resolve_chat(wanted).id == self._resolve_chat(given).id
        except ApiError:
            return False

    def _accessible_chat(self, chat_id: Any, *, write: bool = True) -> Chat:
        chat = self._resolve_chat(chat_id, write=write)
        if chat.bot_status in {"kicked", "left"} and chat.type != "private":
            if chat.type == "channel":
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _writable_chat(self, chat_id: Any) -> Chat:
        if isinstance(chat_id, int) and chat_id in self._users and chat_id not in self._chats:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        chat = self._accessible_chat(chat_id)
        if chat.type == "private" and chat.id in self._blocked_by:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _postable_chat(self, chat_id: Any) -> Chat:
        """Where the bot may send a new message: in a channel, only as an administrator
        with Post messages."""
        chat = self._writable_chat(chat_id)
        if chat.type == "channel" and "can_post_messages" in chat.bot_rights_withheld:
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        self._updates.append({"update_id": self._next_update_id, kind: copy.deepcopy(payload)})
        self._next_update_id += 1

    def _enqueue_my_chat_member(
        self, chat: Chat, by: dict[str, Any], old_status: str, new_status: str
    ) -> None:
        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.as_chat(),
                "from": by,
                "date": int(self.now()),
                "old_chat_member": self._chat_member(self.bot_user, old_status, chat),
                "new_chat_member": self._chat_member(self.bot_user, new_status, chat),
            },
        )

    def _store_message(
        self,
        chat: Chat,
        sender: dict[str, Any] | None,
        content: dict[str, Any],
        reply_to: StoredMessage | None,
        *,
        by_bot: bool,
    ) -> StoredMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: dict[str, Any] = {"message_id": message_id}
        if sender is not None:
            data["from"] = copy.deepcopy(sender)
        if chat.type == "channel":
            data["sender_chat"] = chat.as_chat()
        data["date"] = int(self.now())
        data["chat"] = chat.as_chat()
        if reply_to is not None:
            if chat.type == "supergroup":
                # Replies in supergroups belong to the thread of the message they answer,
                # which for comments is the automatic forward of the channel post.
                data["message_thread_id"] = reply_to.data.get(
                    "message_thread_id", reply_to.data["message_id"]
                )
            # The message as it is *now*, not as the person saw it when they began to
            # write: the Bot API server keeps one copy of each message, overwritten on
            # every edit (Client.cpp: on_update_message_edited replaces its reply_markup),
            # and fills reply_to_message from it (get_reply_to_message_info ->
            # get_message) when the reply arrives; /work/shared/telegram/README.md, "What
            # the Bot API server fills in for you". Nested replies are left out.
            replied = copy.deepcopy(reply_to.data)
            replied.pop("reply_to_message", None)
            data["reply_to_message"] = replied
        data.update(copy.deepcopy(content))
        stored = StoredMessage(data=data, by_bot=by_bot)
        chat.messages[message_id] = stored
        return stored

    def _forward_to_discussion_group(self, channel: Chat, post: StoredMessage) -> None:
        if channel.linked_chat_id is None:
            return
        group = self._chats.get(channel.linked_chat_id)
        if group is None:
            return
        content: dict[str, Any] = {
            "sender_chat": channel.as_chat(),
            "is_automatic_forward": True,
            "forward_origin": {
                "type": "channel",
                "chat": channel.as_chat(),
                "message_id": post.data["message_id"],
                "date": post.data["date"],
            },
        }
        # The post's content as it is: a text with its entities, or a photo and caption.
        for key in COPIED_CONTENT:
            if key in post.data:
                content[key] = copy.deepcopy(post.data[key])
        copied = self._store_message(group, TELEGRAM_SERVICE_USER, content, None, by_bot=False)
        # An automatic forward is none of what privacy mode lets through (a command, a
        # reply to the bot, a mention, a service message): a plain member in privacy mode
        # does not get it (/work/shared/telegram/README.md, "What the Bot API server fills
        # in for you"; core.telegram.org/bots/features#privacy-mode).
        seen_by_members = not group.bot_privacy_mode
        if group.bot_status in {"administrator", "creator"} or (
            seen_by_members and group.bot_status in {"member", "restricted"}
        ):
            self._enqueue("message", copied.data)

    def _new_file_ids(self, prefix: str) -> tuple[str, str]:
        number = self._next_file_number
        self._next_file_number += 1
        return f"{prefix}{number:08d}", f"AQAD{number:08d}"

    def _photo_sizes(self) -> list[dict[str, Any]]:
        """A photo as Telegram keeps it: a few sizes, each with a file_id of its own."""
        sizes: list[dict[str, Any]] = []
        for width, height in ((90, 67), (800, 600)):
            file_id, unique_id = self._new_file_ids("AgACAgIAAxkBAA")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": width * height // 10,
                }
            )
        for size in sizes:
            self._files[size["file_id"]] = ("photo", sizes)
        return sizes
