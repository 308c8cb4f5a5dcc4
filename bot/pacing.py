"""Keeping within Telegram's budget for groups, so normal operation meets no 429."""

from __future__ import annotations

from collections import defaultdict, deque

# Telegram lets a bot send about 20 messages a minute into one group (or channel).
GROUP_MESSAGES_PER_MINUTE = 20
WINDOW_SECONDS = 60.0
# And about 30 messages a second overall, to everyone together.
MESSAGES_PER_SECOND = 30


def is_group(chat_key: str) -> bool:
    """Groups and channels have negative ids (or @usernames); people have positive ids."""
    return chat_key.startswith(("-", "@"))


class GroupPacer:
    """A sliding minute per group: the next call waits for a free place in it."""

    def __init__(self, per_minute: int = GROUP_MESSAGES_PER_MINUTE) -> None:
        self._per_minute = per_minute
        self._calls: dict[str, deque[float]] = defaultdict(deque)

    def next_slot(self, chat_key: str, now: float) -> float:
        """When a call to this chat may go: `now`, or when the oldest call leaves the window."""
        if not is_group(chat_key):
            return now
        calls = self._calls[chat_key]
        while calls and calls[0] <= now - WINDOW_SECONDS:
            calls.popleft()
        if len(calls) < self._per_minute:
            return now
        return calls[0] + WINDOW_SECONDS

    def free_slots(self, chat_key: str, now: float) -> int:
        """How many more calls this chat's minute takes now (people: as many as wanted)."""
        if not is_group(chat_key):
            return self._per_minute
        calls = self._calls[chat_key]
        while calls and calls[0] <= now - WINDOW_SECONDS:
            calls.popleft()
        return max(0, self._per_minute - len(calls))

    def record(self, chat_key: str, now: float) -> None:
        if is_group(chat_key):
            self._calls[chat_key].append(now)


class OverallPacer:
    """A sliding second for the bot as a whole; 0 per second means no pacing."""

    def __init__(self, per_second: int = MESSAGES_PER_SECOND) -> None:
        self._per_second = per_second
        self._calls: deque[float] = deque()

    def take_slot(self, now: float) -> float:
        """Reserves the next place and returns when it is: `now`, or up to a second later.

        The place is taken at once, so calls running side by side never share one.
        """
        if self._per_second <= 0:
            return now
        calls = self._calls
        while calls and calls[0] <= now - 1.0:
            calls.popleft()
        at = now if len(calls) < self._per_second else calls[-self._per_second] + 1.0
        calls.append(at)
        return at
