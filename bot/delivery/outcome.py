"""What happened to one delivery, and what the worker does next: a pure function of the
error, tested with a table of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

# Waits double from their base up to this.
MAX_BACKOFF = 300.0
# A row whose delivery fails inside the bot (a bug in rendering, a missing key) is tried
# this many times, then given up, so that it never blocks its chat for good.
MAX_INTERNAL_FAILURES = 5
# A thread post waits for Telegram to copy the channel post into the discussion group:
# first 5 s, doubling to MAX_BACKOFF; after 15 tries (about 50 minutes) the copy is not
# coming (the post predates DISCUSSION_CHAT_ID, or the group is not linked).
NOT_READY_ATTEMPTS = 15


class NotReadyError(Exception):
    """Deliver this row again later: what it needs is not there yet."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


class Next(StrEnum):
    # Try this row again at `delay`; the chat's later rows may go meanwhile.
    RETRY = "retry"
    # Try again at `delay`, and the whole chat waits with it (keeps the chat's order).
    HOLD_CHAT = "hold_chat"
    # Settle the row as failed; it is never tried again.
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Outcome:
    next: Next
    reason: str
    delay: float = 0.0
    # Whether this try counts towards the row's attempts (a 429 is not the row's fault).
    counts: bool = True
    # The moderation chat refused the bot: admins are told, and the cards wait for it.
    moderation_chat_unreachable: bool = False
    # A failure of the bot itself, not of Telegram: admins are told when it gives up.
    internal: bool = False
    # Telegram upgraded the group to a supergroup with this id (migrate_to_chat_id): the
    # chat's rows go there and are tried again at once.
    moved_to: int | None = None


def backoff(base: float, attempts: int) -> float:
    return float(min(MAX_BACKOFF, base * 2 ** min(attempts, 10)))


def classify(error: BaseException, attempts: int, *, to_moderation_chat: bool) -> Outcome:
    """What to do after `error`, on a row already tried `attempts` times."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Outcome(Next.HOLD_CHAT, f"429 retry after {seconds:.0f}s", seconds, counts=False)
    if isinstance(error, ChatMigrated):
        # python-telegram-bot raises this, not BadRequest, for "group chat was upgraded to
        # a supergroup chat": retried forever under the old id, nothing would ever go.
        return Outcome(
            Next.HOLD_CHAT,
            f"group moved to {error.new_chat_id}",
            counts=False,
            moved_to=int(error.new_chat_id),
        )
    if isinstance(error, NotReadyError):
        if attempts + 1 >= NOT_READY_ATTEMPTS:
            return Outcome(Next.GIVE_UP, str(error))
        # Waiting for this row's own precondition: other rows for the chat may go ahead.
        return Outcome(Next.RETRY, str(error), backoff(error.delay, attempts))
    if isinstance(error, BadRequest | Forbidden):
        lowered = error.message.lower()
        if to_moderation_chat and (isinstance(error, Forbidden) or "chat not found" in lowered):
            # Cards must reach moderators eventually: wait for the chat to come back.
            return Outcome(
                Next.HOLD_CHAT,
                error.message,
                backoff(5.0, attempts),
                moderation_chat_unreachable=True,
            )
        # Refused for good: a reader who blocked the bot, a message that is gone.
        return Outcome(Next.GIVE_UP, error.message)
    if isinstance(error, NetworkError):
        # Timeouts, 5xx answers and dropped connections: Telegram may act later, try again.
        return Outcome(Next.HOLD_CHAT, error.message, backoff(1.0, attempts))
    if isinstance(error, TelegramError):
        # What is left: 401, 409, a migrated group. The row is not at fault, so it waits for
        # the operator to fix the bot.
        return Outcome(Next.HOLD_CHAT, error.message, backoff(1.0, attempts))
    reason = f"{type(error).__name__}: {error}"
    if attempts + 1 >= MAX_INTERNAL_FAILURES:
        return Outcome(Next.GIVE_UP, reason, internal=True)
    return Outcome(Next.RETRY, reason, backoff(1.0, attempts), internal=True)
