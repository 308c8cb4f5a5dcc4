"""Faults injected into the bot's own code: a storage function that fails a few times."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest


@dataclass
class Failures:
    # Calls still to fail.
    left: int


def fail_first(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    name: str,
    times: int,
    error: Exception | None = None,
) -> Failures:
    """`owner.name` (an async function) raises `error` (a locked database by default) on
    its first `times` calls, then works again."""
    original = getattr(owner, name)
    failures = Failures(times)

    async def failing(*args: object, **kwargs: object) -> object:
        if failures.left:
            failures.left -= 1
            raise error or sqlite3.OperationalError("database is locked")
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return failures
