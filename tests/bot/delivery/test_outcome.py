"""What the worker does after each kind of failure: a table of cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.outcome import (
    MAX_BACKOFF,
    MAX_INTERNAL_FAILURES,
    NOT_READY_ATTEMPTS,
    Next,
    NotReadyError,
    classify,
)

CASES = [
    # error, attempts so far, to the moderation chat?, next, delay, counts, flags
    (RetryAfter(timedelta(seconds=7)), 0, False, Next.HOLD_CHAT, 7.0, False, ""),
    (TimedOut(), 0, False, Next.HOLD_CHAT, 1.0, True, ""),
    (NetworkError("Bad Gateway"), 3, False, Next.HOLD_CHAT, 8.0, True, ""),
    (NetworkError("Bad Gateway"), 30, False, Next.HOLD_CHAT, MAX_BACKOFF, True, ""),
    (Forbidden("bot was blocked by the user"), 0, False, Next.GIVE_UP, 0.0, True, ""),
    (BadRequest("message to edit not found"), 0, True, Next.GIVE_UP, 0.0, True, ""),
    (Forbidden("bot was kicked"), 0, True, Next.HOLD_CHAT, 5.0, True, "unreachable"),
    (BadRequest("Chat not found"), 1, True, Next.HOLD_CHAT, 10.0, True, "unreachable"),
    # Upgraded to a supergroup: the chat's rows go to the new id and are tried at once.
    (ChatMigrated(-100123), 0, True, Next.HOLD_CHAT, 0.0, False, "moved"),
    (NotReadyError("no copy yet", 5.0), 0, False, Next.RETRY, 5.0, True, ""),
    (NotReadyError("no copy yet", 5.0), NOT_READY_ATTEMPTS - 1, False, Next.GIVE_UP, 0, True, ""),
    (KeyError("title"), 0, False, Next.RETRY, 1.0, True, "internal"),
    (ValueError("bad"), MAX_INTERNAL_FAILURES - 1, True, Next.GIVE_UP, 0.0, True, "internal"),
]


@pytest.mark.parametrize(
    ("error", "attempts", "moderation", "expected", "delay", "counts", "flags"), CASES
)
def test_each_failure_has_one_outcome(
    error: BaseException,
    attempts: int,
    moderation: bool,
    expected: Next,
    delay: float,
    counts: bool,
    flags: str,
) -> None:
    outcome = classify(error, attempts, to_moderation_chat=moderation)
    assert (outcome.next, outcome.delay, outcome.counts) == (expected, delay, counts)
    assert outcome.moderation_chat_unreachable == (flags == "unreachable")
    assert outcome.internal == (flags == "internal")
    assert (outcome.moved_to is not None) == (flags == "moved")
    assert outcome.reason
