"""What the fake keeps: the calls it answered, its refusals, the chats and their
messages, the button presses waiting for an answer, the faults a test injected; and what
Telegram has from the start (its service accounts, the kinds of file a bot may send)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .limits import PRIVATE_BURST

# The wall clock as the module found it: Telegram's clock runs on it (FakeTelegram.now), so
# a test may move the bot's clock (time.time) and Telegram's each on its own.
wall_clock = time.time

# The service account Telegram shows as the sender of automatic forwards.
TELEGRAM_SERVICE_USER: dict[str, Any] = {"id": 777000, "is_bot": False, "first_name": "Telegram"}

# What a bot may send again by a file_id it received, each by its own method (sendPhoto,
# sendVideoNote...).
FILE_KINDS = ("photo", "video", "animation", "document", "audio", "voice", "video_note", "sticker")


def file_method(kind: str) -> str:
    return "send" + "".join(part.title() for part in kind.split("_"))


# What a copy takes from the message it copies (copyMessage), and which of it has a caption.
COPIED_CONTENT = (
    "text",
    "entities",
    "photo",
    "video",
    "document",
    "audio",
    "voice",
    "animation",
    "sticker",
    "video_note",
    "location",
    "venue",
    "contact",
    "dice",
    "caption",
    "caption_entities",
)
CAPTIONED_MEDIA = ("photo", "video", "document", "audio", "voice", "animation")


@dataclass
class ApiCall:
    """One request the bot made, as the fake decoded and answered it."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    injected: bool = False
    # When the fake answered, on the monotonic clock: lets tests check retry delays.
    at: float = field(default_factory=time.monotonic)
    # And on the wall clock, for people reading the sandbox's log of refused calls.
    at_wall: float = field(default_factory=wall_clock)

    @property
    def description(self) -> str | None:
        description = self.response.get("description")
        return description if isinstance(description, str) else None


class ApiError(Exception):
    def __init__(
        self,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def not_implemented(what: str) -> ApiError:
    return ApiError(501, f"fake: {what} not implemented")


@dataclass
class Fault:
    method: str
    error_code: int
    description: str
    remaining: int
    chat_id: int | str | None
    retry_after: int | None
    drop_connection: bool
    # Act first, then drop the connection: the answer is lost, as in a timeout.
    after_acting: bool = False


@dataclass
class StoredMessage:
    data: dict[str, Any]
    by_bot: bool


@dataclass
class Interceptor:
    method: str
    callback: Callable[[], None]
    chat_id: int | str | None
    after_acting: bool
    # False: every matching call, until clear_interceptions (a hold).
    once: bool = True


@dataclass
class CallbackQuery:
    created: float
    answered: bool = False


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    linked_chat_id: int | None = None
    bot_status: str = "administrator"
    # Administrator rights the bot was not given here (can_delete_messages, ...).
    bot_rights_withheld: set[str] = field(default_factory=set)
    members: dict[int, str] = field(default_factory=dict)
    # Channels banned from writing here on their own behalf (banChatSenderChat).
    banned_sender_chats: set[int] = field(default_factory=set)
    # The end of a kicked member's ban (banChatMember's until_date), on the fake's clock;
    # a kicked member absent here is banned for good.
    banned_until: dict[int, int] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    # Sends and edits of the last minute: they share the group's budget.
    recent_sends: deque[float] = field(default_factory=deque)
    # A private chat's bucket (private_rate_limit_per_second); full at first.
    private_tokens: float = PRIVATE_BURST
    private_filled_at: float = 0.0
    # A basic group Telegram upgraded to a supergroup: the supergroup's id.
    migrated_to: int | None = None
    # Whether the bot is in privacy mode here: as BotFather's setting was when the bot was
    # added (None: the fake's setting when the chat was made). A change "takes effect"
    # only in groups the bot is added to afterwards (core.telegram.org/bots/features
    # #privacy-mode: "the bot will need to be re-added to the group for this change to
    # take effect"; pyTelegramBotAPI#1327).
    bot_privacy_mode: bool | None = None

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                chat[key] = value
        return chat

    def saved(self) -> dict[str, Any]:
        """What outlives a restart of the sandbox: not the rate limits' running counts."""
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "linked_chat_id": self.linked_chat_id,
            "bot_status": self.bot_status,
            "bot_rights_withheld": sorted(self.bot_rights_withheld),
            "members": [[user_id, status] for user_id, status in self.members.items()],
            "banned_sender_chats": sorted(self.banned_sender_chats),
            "banned_until": [[user_id, until] for user_id, until in self.banned_until.items()],
            "messages": [[s.data, s.by_bot] for s in self.messages.values()],
            "next_message_id": self.next_message_id,
            "migrated_to": self.migrated_to,
            "bot_privacy_mode": self.bot_privacy_mode,
        }

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> Chat:
        fields = dict(saved)
        fields["bot_rights_withheld"] = set(saved["bot_rights_withheld"])
        fields["members"] = dict(saved["members"])
        fields["banned_sender_chats"] = set(saved["banned_sender_chats"])
        fields["banned_until"] = dict(saved["banned_until"])
        fields["messages"] = {
            data["message_id"]: StoredMessage(data, by_bot) for data, by_bot in saved["messages"]
        }
        return cls(**fields)
