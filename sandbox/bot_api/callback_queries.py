"""Button presses: the callback query a press sends the bot, and answerCallbackQuery."""

from __future__ import annotations

import time
from typing import Any

from .limits import CALLBACK_QUERY_LIFETIME_SECONDS, MAX_CALLBACK_ANSWER_LENGTH
from .records import ApiError, CallbackQuery, bad_request
from .world import WorldState

QUERY_INVALID_DESCRIPTION = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


class CallbackQueries(WorldState):
    """A person presses a button; the bot answers the query once, in time."""

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
