"""Keeping within Telegram's budget for groups, so normal operation meets no 429."""

from __future__ import annotations

from collections import defaultdict, deque

# Telegram lets a bot send about 20 messages a minute into one group (or channel).
GROUP_MESSAGES_PER_MINUTE = 20
WINDOW_SECONDS = 60.0
# And about 30 messages a second overall, to everyone together; 25 leaves a margin.
MESSAGES_PER_SECOND = 25


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
    """The bot as a whole sends at most `per_second` messages a second, spaced evenly.

    Even spacing rather than bursts of `per_second`: a call leaves a little after its
    place (the event loop is busy with others), and jitter added to a burst can put more
    calls in one of Telegram's seconds than it allows. 0 per second means no pacing.
    """

    def __init__(self, per_second: int = MESSAGES_PER_SECOND) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._last: float | None = None

    def next_slot(self, now: float) -> float:
        """When a call may go: `now`, or one interval after the last place handed out."""
        if self._last is None:
            return now
        return max(now, self._last + self._interval)

    def take_slot(self, now: float) -> float:
        """Reserves the next place and returns when it is.

        The place is taken at once, so calls running side by side never share one.
        """
        if self._interval == 0.0:
            return now
        self._last = self.next_slot(now)
        return self._last
