"""What tests read back: the chats and their messages, the bot's calls and refusals, and
waiting for something to happen."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from typing import Any, TypeVar

from .records import ApiCall, StoredMessage
from .world import WorldState

T = TypeVar("T")

# The public API takes `timeout=` arguments (ruff's ASYNC109 prefers asyncio.timeout) so that
# tests read like the brief: await fake.wait_for_bot_message(chat, "x", timeout=2).


class Inspection(WorldState):
    """Reading the world and the calls back, and waiting for the bot."""

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

    def refused_calls(self) -> list[ApiCall]:
        """The bot's calls Telegram would have refused (faults a test injected left out)."""
        return [call for call in self.errors() if not call.injected and call.status != 0]

    def bad_requests(self) -> list[ApiCall]:
        """400 answers the bot earned, less those a test caused on purpose (see expect_...)."""
        return [
            call
            for call in self.calls
            if call.status == 400
            and not call.injected
            and not any(part in (call.description or "") for part in self._expected_refusals)
        ]

    def expect_bad_request(self, description_part: str) -> None:
        """A test that deletes a message makes the bot meet what it cannot foresee: Telegram
        sends bots no update when a message is deleted, so the next edit is refused."""
        self._expected_refusals.append(description_part)

    def is_polling(self) -> bool:
        """True while a getUpdates long poll is waiting for updates."""
        return self._waiting_polls > 0

    async def next_change(self, timeout: float) -> None:  # noqa: ASYNC109
        """Returns at the next change to the world or the next call, or after `timeout`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

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
