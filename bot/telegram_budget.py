"""Telegram's budgets, kept in one place that every call to Telegram passes through.

Registered with `ApplicationBuilder().rate_limiter(...)`, so handlers' replies and the
outbox's deliveries are counted alike:
- about 30 messages a second for the bot as a whole (the Bot FAQ); sends and edits here
  are spaced evenly at `per_second`, a little under, since a call leaves a little after
  its place and jitter added to a burst can put more calls in one of Telegram's seconds;
- 20 messages a minute in one group or channel, **sends and edits together** (Telegram's
  maintainer in tdlib/td#2592: "They share the limit"; tdlib/td#3034);
- about one a second in one private chat (the Bot FAQ: "avoid sending more than one
  message per second in a particular chat", short bursts allowed). Readers get a message
  or two at a time, well within a burst; a moderator's private desk is edited after each
  tap, and a tap can come within a second of a decision made elsewhere. So the calls to
  a private chat are spaced once the bot edits a message there (a desk), until a second
  passes without one.

The outbox asks `free_places` before it delivers to a group, so it never waits here for
long; a handler's reply that finds the minute full waits for the next place.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram.ext import BaseRateLimiter

WINDOW_SECONDS = 60.0
# At most this many calls to Telegram in flight at once (getUpdates has a connection of its
# own). A burst waits here, in order, rather than in the HTTP client's pool, whose
# bookkeeping walks every connection and every waiting call each time one moves.
CALLS_IN_FLIGHT = 8
# Between two sends or edits in one private chat; a little over a second, for the jitter
# between a call's place and its arrival.
PRIVATE_CHAT_SPACING = 1.05
# Private chats with a recent edit whose last place is remembered before the stale ones
# are forgotten (a place older than the spacing constrains nothing).
PRIVATE_CHATS_REMEMBERED = 4096

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def counts_as_message(endpoint: str) -> bool:
    """Sends and edits of messages count against Telegram's budgets; answers to button
    presses, membership checks and deletions do not."""
    return endpoint.startswith(("send", "edit", "copyMessage", "forwardMessage"))


def is_group(chat: object) -> bool:
    """Groups and channels have negative ids (or @usernames); people have positive ids."""
    return str(chat).startswith(("-", "@"))


class TelegramBudget(BaseRateLimiter[None]):
    def __init__(
        self,
        per_second: int,
        group_per_minute: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # 0 a second: no overall pacing (the intake benchmark compares raw work per update).
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._group_per_minute = group_per_minute
        self._clock = clock
        self._last_place: float | None = None
        self._group_calls: dict[str, deque[float]] = defaultdict(deque)
        self._group_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._in_flight = asyncio.Semaphore(CALLS_IN_FLIGHT)
        self._private_places: dict[str, float] = {}

    async def initialize(self) -> None:
        """Nothing to open: the budget is in memory, restored from the outbox at start."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def restore(self, calls: Iterable[tuple[str, float]]) -> None:
        """After a restart, the group calls of the last minute that the database records
        still count: Telegram has not forgotten them."""
        for chat, at in sorted(calls, key=lambda call: call[1]):
            if is_group(chat):
                self._group_calls[str(chat)].append(at)

    def free_places(self, chat: object) -> int:
        """How many sends or edits this chat's minute takes now (people: no minute)."""
        if not is_group(chat):
            return self._group_per_minute
        return max(0, self._group_per_minute - len(self._recent(str(chat))))

    def next_place(self, chat: object, *, keep: int = 0) -> float:
        """When (clock time) this chat's minute has more than `keep` places free: with the
        default, when the next send or edit may go."""
        now = self._clock()
        # A minute never has more than all its places free.
        keep = min(keep, self._group_per_minute - 1)
        if self.free_places(chat) > keep:
            return now
        recent = self._recent(str(chat))
        # The calls that must leave the window first are the oldest ones.
        return recent[len(recent) - self._group_per_minute + keep] + WINDOW_SECONDS

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> JSONResult:
        message = counts_as_message(endpoint)
        chat = str(data.get("chat_id"))
        group_place = await self._take_group_place(chat) if message and is_group(chat) else None
        if (
            message
            and group_place is None
            and (chat in self._private_places or endpoint.startswith("edit"))
        ):
            await self._take_private_place(chat)
        async with self._in_flight:
            if message:
                await self._take_overall_place()
            if group_place is not None:
                # Telegram counts the call when it arrives, however long it waited here for
                # its turn: its place in the group's minute is dated now.
                calls = self._group_calls[chat]
                if group_place in calls:
                    calls.remove(group_place)
                calls.append(self._clock())
            return await callback(*args, **kwargs)

    async def _take_group_place(self, chat: str) -> float:
        """Wait for a place in the group's minute and take it; returns when it was taken.

        Taken before a place in flight: a call waiting for a group's full minute must not
        hold up calls to every other chat."""
        # One caller at a time takes a place in a group's minute, so calls side by side
        # never count the same free place.
        async with self._group_locks[chat]:
            wait = self.next_place(chat) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            taken = self._clock()
            self._group_calls[chat].append(taken)
            return taken

    async def _take_private_place(self, chat: str) -> None:
        """Wait for this private chat's next place (taken before a place in flight, as a
        group's is). Its places are remembered while they can constrain the next call."""
        now = self._clock()
        last = self._private_places.get(chat)
        place = now if last is None else max(now, last + PRIVATE_CHAT_SPACING)
        self._private_places[chat] = place
        if len(self._private_places) > PRIVATE_CHATS_REMEMBERED:
            horizon = now - PRIVATE_CHAT_SPACING
            self._private_places = {
                key: at for key, at in self._private_places.items() if at > horizon
            }
        if place > now:
            await asyncio.sleep(place - now)

    async def _take_overall_place(self) -> None:
        if self._interval:
            now = self._clock()
            place = now if self._last_place is None else max(now, self._last_place + self._interval)
            self._last_place = place
            if place > now:
                await asyncio.sleep(place - now)

    def _recent(self, chat: str) -> deque[float]:
        calls = self._group_calls[chat]
        cutoff = self._clock() - WINDOW_SECONDS
        while calls and calls[0] <= cutoff:
            calls.popleft()
        return calls
