"""Setting up the sandbox's world: people, channels and groups and the bot's place in them,
Telegram's clock; and the world saved and loaded across restarts of the sandbox."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .records import Chat
from .reference import type_fields
from .world import WorldState

_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


class WorldSetup(WorldState):
    """What a test or the sandbox sets up: the world, and what Telegram does on its own in it."""

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

    def user_joins(self, chat_id: int, user_id: int) -> None:
        """A user joins a group (again): refused while a ban there holds, as Telegram
        refuses it (USER_BANNED_IN_CHANNEL)."""
        chat = self._existing_chat(chat_id)
        self._existing_user(user_id)
        if self._member_status(chat, user_id) == "kicked":
            raise ValueError(f"user {user_id} is banned in chat {chat_id} and cannot join")
        chat.members[user_id] = "member"
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

    def bot_status_in(self, chat_id: int) -> str:
        return self._existing_chat(chat_id).bot_status

    def chat_member_status(self, chat_id: int, user_id: int) -> str:
        return self._member_status(self._existing_chat(chat_id), user_id)

    def user_deletes_message(self, chat_id: int, message_id: int) -> None:
        """Someone (an admin, in a group) deletes a message; bots get no update for it."""
        chat = self._existing_chat(chat_id)
        if chat.messages.pop(message_id, None) is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        self._notify()

    def age_message(self, chat_id: int, message_id: int, hours: float) -> None:
        """The message was sent `hours` earlier than it says (for the 48-hour rules)."""
        stored = self._existing_chat(chat_id).messages[message_id]
        stored.data["date"] -= int(hours * 3600)

    def move_clock_forward(self, seconds: float) -> None:
        """Time passes for Telegram at once (bans run out, messages age): tests never wait
        for it. Measured from the wall clock as the module found it, so a test that moves
        the bot's clock (time.time) does not move this one twice."""
        self._clock_ahead += seconds
        self._notify()

    def refuse_url(self, url: str) -> None:
        """Telegram cannot fetch this URL (a photo sent by URL): it is refused."""
        self._unreachable_urls.add(url)
