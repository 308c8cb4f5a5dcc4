"""Telegram's flood limits on sends and edits, when a test turns them on: per group, per
private chat, and overall."""

from __future__ import annotations

import math
import time

from .limits import PRIVATE_BURST, RATE_LIMIT_WINDOW_SECONDS
from .records import FILE_KINDS, ApiError, Chat, file_method
from .world import WorldState

# Telegram's FAQ: a bot "can't send more than 20 messages per minute to the same group".
# Edits share that budget with sends: Telegram's maintainer in tdlib/td#2592 ("They share
# the limit") and tdlib/td#3034. The overall 30 a second counts them too.
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


class RateLimits(WorldState):
    """The checks a send or an edit passes before it counts: a 429 with retry_after if not."""

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
