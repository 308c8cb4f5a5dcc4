"""bot.cas: the CAS ban list, asked over real HTTP of a fake of its API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot import cas
from bot.cas import CasAnswerError, CasChecker, CasVerdict, read_answer
from storage import cas_answers
from storage.db import Database
from tests.factories import make_settings
from tests.fake_cas import NOT_FOUND, Behaviour, FakeCas, banned_answer

SPAMMER = 5_551_234
READER = 4_440_001
TIMEOUT = 0.5
# Generous next to TIMEOUT: a check that ignores it fails the test instead of hanging it.
TEST_DEADLINE = 5.0


class Clock:
    """The checker's wall clock, moved by the tests instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake_cas() -> AsyncIterator[FakeCas]:
    server = FakeCas()
    server.banned.add(SPAMMER)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_checker(
    fake_cas: FakeCas, db: Database, database_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., CasChecker]]:
    made: list[CasChecker] = []

    def make(**overrides: Any) -> CasChecker:
        values: dict[str, Any] = {
            "cas_check": True,
            "cas_api_url": fake_cas.base_url,
            "cas_timeout_seconds": TIMEOUT,
            "cas_cache_hours": 6,
        }
        values.update(overrides)
        # trust_env=False: a proxy configured in the environment must not see 127.0.0.1.
        checker = CasChecker(
            make_settings(database_path, **values), db, clock=clock, trust_env=False
        )
        made.append(checker)
        return checker

    yield make
    for checker in made:
        await checker.close()


@pytest.fixture
def checker(make_checker: Callable[..., CasChecker]) -> CasChecker:
    return make_checker()


async def check(checker: CasChecker, user_id: int) -> CasVerdict:
    return await asyncio.wait_for(checker.check(user_id), TEST_DEADLINE)


async def test_a_listed_account_is_banned_and_another_is_not(
    checker: CasChecker, fake_cas: FakeCas
) -> None:
    """CAS's two answers: `ok: true` is banned, `ok: false` "Record not found." is not."""
    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert await check(checker, READER) is CasVerdict.NOT_BANNED
    assert fake_cas.asked == [str(SPAMMER), str(READER)]


async def test_a_second_check_of_a_user_asks_nothing(
    checker: CasChecker, fake_cas: FakeCas
) -> None:
    """Answers are cached, the listed and the unlisted alike."""
    await check(checker, SPAMMER)
    await check(checker, READER)

    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert await check(checker, READER) is CasVerdict.NOT_BANNED
    assert fake_cas.asked == [str(SPAMMER), str(READER)]


async def test_after_the_cache_lifetime_cas_is_asked_again(
    checker: CasChecker, fake_cas: FakeCas, clock: Clock
) -> None:
    """An answer older than CAS_CACHE_HOURS is not believed: a reader listed since is seen."""
    assert await check(checker, READER) is CasVerdict.NOT_BANNED
    fake_cas.banned.add(READER)
    clock.now += 6 * 3600 - 1
    assert await check(checker, READER) is CasVerdict.NOT_BANNED
    assert fake_cas.asked == [str(READER)]

    clock.now += 2
    assert await check(checker, READER) is CasVerdict.BANNED
    assert fake_cas.asked == [str(READER), str(READER)]


async def test_the_cache_survives_a_restart(
    make_checker: Callable[..., CasChecker], fake_cas: FakeCas, db: Database
) -> None:
    """A new checker on the same database (the bot restarted) asks CAS nothing it knows."""
    first = make_checker()
    await check(first, SPAMMER)
    await first.close()

    second = make_checker()
    assert await check(second, SPAMMER) is CasVerdict.BANNED
    assert fake_cas.asked == [str(SPAMMER)]


async def test_overlapping_checks_of_one_user_share_one_request(
    checker: CasChecker, fake_cas: FakeCas
) -> None:
    """A burst of messages from one account costs CAS one request."""
    verdicts = await asyncio.wait_for(
        asyncio.gather(*(checker.check(SPAMMER) for _ in range(5))), TEST_DEADLINE
    )
    assert verdicts == [CasVerdict.BANNED] * 5
    assert fake_cas.asked == [str(SPAMMER)]


async def test_expired_answers_are_pruned(checker: CasChecker, db: Database, clock: Clock) -> None:
    """The table keeps only answers younger than the lifetime, once an hour at most."""
    await check(checker, READER)
    clock.now += 7 * 3600
    await check(checker, SPAMMER)
    async with db.reading() as conn:
        rows = list(await conn.execute_fetchall("SELECT user_id FROM cas_answers"))
    assert [row[0] for row in rows] == [SPAMMER]


async def test_a_cache_that_cannot_be_written_still_gives_the_answer(
    checker: CasChecker,
    fake_cas: FakeCas,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database refusing the write costs the cache, not the verdict."""

    async def refuse(*_: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(cas_answers, "put", refuse)

    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert fake_cas.asked == [str(SPAMMER)] * 2
    assert [r.getMessage() for r in caplog.records] == ["Keeping a CAS answer failed"] * 2


async def test_closing_ends_a_check_in_flight(checker: CasChecker, fake_cas: FakeCas) -> None:
    """Shutdown waits for a slow CAS no longer than the timeout."""
    fake_cas.behaviour = Behaviour.SLOW
    pending = asyncio.create_task(checker.check(SPAMMER))
    await asyncio.wait_for(fake_cas.request_arrived.wait(), TEST_DEADLINE)
    loop = asyncio.get_running_loop()
    started = loop.time()

    await asyncio.wait_for(checker.close(), TEST_DEADLINE)

    assert loop.time() - started < TIMEOUT + 1.0
    assert await asyncio.wait_for(pending, TEST_DEADLINE) is CasVerdict.UNKNOWN


async def test_a_check_cut_short_by_close_is_unknown(
    checker: CasChecker, fake_cas: FakeCas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shutdown that cancels the request answers its waiting check, not cancels it."""
    monkeypatch.setattr(cas, "CLOSE_GRACE", -TIMEOUT * 0.8)
    fake_cas.behaviour = Behaviour.SLOW
    pending = asyncio.create_task(checker.check(SPAMMER))
    await asyncio.wait_for(fake_cas.request_arrived.wait(), TEST_DEADLINE)

    await asyncio.wait_for(checker.close(), TEST_DEADLINE)

    assert await asyncio.wait_for(pending, TEST_DEADLINE) is CasVerdict.UNKNOWN


# ---------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Behaviour.SERVER_ERROR, "HTTP 502"),
        (Behaviour.GARBAGE, "the answer is not JSON"),
        (Behaviour.CLOSE, "the connection was closed without an answer"),
        (Behaviour.REFUSE, "CAS refused the check"),
    ],
)
async def test_a_failing_cas_is_unknown_at_once(
    make_checker: Callable[..., CasChecker],
    fake_cas: FakeCas,
    caplog: pytest.LogCaptureFixture,
    behaviour: Behaviour,
    reason: str,
) -> None:
    """A 5xx, an answer that is not CAS's, a closed connection: unknown as soon as it is
    known, without waiting out the timeout, and never an exception."""
    checker = make_checker(cas_timeout_seconds=3.0)
    fake_cas.behaviour = behaviour
    loop = asyncio.get_running_loop()
    started = loop.time()

    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN

    assert loop.time() - started < 3.0
    assert fake_cas.asked == [str(SPAMMER)]
    assert [r.getMessage() for r in caplog.records if r.name == "bot.cas"] == [
        f"The CAS check failed ({reason}): comments go on without it, and CAS is asked"
        " again after a pause; this is logged once until it answers again"
    ]


async def test_a_slow_cas_is_unknown_after_the_timeout(
    checker: CasChecker, fake_cas: FakeCas
) -> None:
    """No answer within CAS_TIMEOUT_SECONDS: the comment waits no longer than that."""
    fake_cas.behaviour = Behaviour.SLOW
    loop = asyncio.get_running_loop()
    started = loop.time()

    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN

    waited = loop.time() - started
    assert fake_cas.asked == [str(SPAMMER)]
    # The upper bound allows for a loaded machine's event loop, not for a second request.
    assert TIMEOUT * 0.9 <= waited < TIMEOUT + 1.0


async def test_nobody_listening_is_unknown(make_checker: Callable[..., CasChecker]) -> None:
    """A refused connection (CAS_API_URL wrong, or the network down) is unknown."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    checker = make_checker(cas_api_url=f"http://127.0.0.1:{port}")

    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN


async def test_failures_are_not_cached_and_are_retried_after_a_back_off(
    checker: CasChecker, fake_cas: FakeCas, clock: Clock
) -> None:
    """While CAS fails, checks answer unknown without asking it; after the back-off it is
    asked again, and its answer then is believed."""
    fake_cas.behaviour = Behaviour.SERVER_ERROR
    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN
    assert await check(checker, READER) is CasVerdict.UNKNOWN
    assert fake_cas.asked == [str(SPAMMER)]

    fake_cas.behaviour = Behaviour.ANSWER
    clock.now += cas.FIRST_BACKOFF - 1
    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN
    assert fake_cas.asked == [str(SPAMMER)]

    clock.now += 1
    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert await check(checker, READER) is CasVerdict.NOT_BANNED
    assert fake_cas.asked == [str(SPAMMER), str(SPAMMER), str(READER)]


async def test_the_back_off_doubles_while_cas_keeps_failing(
    checker: CasChecker, fake_cas: FakeCas, clock: Clock
) -> None:
    """10 s, then 20 s, ... up to MAX_BACKOFF: a dead CAS is asked rarely."""
    fake_cas.behaviour = Behaviour.GARBAGE
    await check(checker, SPAMMER)
    clock.now += cas.FIRST_BACKOFF
    await check(checker, SPAMMER)
    assert len(fake_cas.asked) == 2

    clock.now += cas.FIRST_BACKOFF * 2 - 1
    await check(checker, SPAMMER)
    assert len(fake_cas.asked) == 2
    clock.now += 1
    await check(checker, SPAMMER)
    assert len(fake_cas.asked) == 3


async def test_checks_failing_together_count_as_one_failure(
    checker: CasChecker, fake_cas: FakeCas, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A wave of readers met by one outage backs off FIRST_BACKOFF, not 2^n times it."""
    caplog.set_level(logging.INFO, logger="bot.cas")
    fake_cas.behaviour = Behaviour.SERVER_ERROR
    fake_cas.answering.clear()
    readers = [READER + n for n in range(5)]
    checks = asyncio.gather(*(checker.check(reader) for reader in readers))
    await asyncio.wait_for(fake_cas.wait_for_requests(len(readers)), TEST_DEADLINE)
    fake_cas.answering.set()
    verdicts = await asyncio.wait_for(checks, TEST_DEADLINE)
    assert verdicts == [CasVerdict.UNKNOWN] * 5
    assert sorted(fake_cas.asked) == sorted(str(reader) for reader in readers)
    assert len([r for r in caplog.records if r.name == "bot.cas"]) == 1

    fake_cas.behaviour = Behaviour.ANSWER
    clock.now += cas.FIRST_BACKOFF
    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    assert "after 5 failed checks" in caplog.records[-1].getMessage()


async def test_a_failure_streak_is_logged_once_with_no_user_data(
    checker: CasChecker, fake_cas: FakeCas, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """One warning when CAS starts failing, one line when it answers again, and the
    next streak is logged anew."""
    caplog.set_level(logging.INFO, logger="bot.cas")
    fake_cas.behaviour = Behaviour.SERVER_ERROR
    for _ in range(3):
        assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN
        clock.now += cas.MAX_BACKOFF
    assert len(fake_cas.asked) == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "HTTP 502" in warnings[0].getMessage()

    fake_cas.behaviour = Behaviour.ANSWER
    assert await check(checker, SPAMMER) is CasVerdict.BANNED
    fake_cas.behaviour = Behaviour.CLOSE
    assert await check(checker, READER) is CasVerdict.UNKNOWN

    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in lines] == [logging.WARNING, logging.INFO, logging.WARNING]
    assert "after 3 failed checks" in lines[1][1]
    assert all(str(SPAMMER) not in text and str(READER) not in text for _, text in lines)


# ----------------------------------------------------------------------------- when off


async def test_with_cas_check_off_nothing_is_asked(
    make_checker: Callable[..., CasChecker], fake_cas: FakeCas
) -> None:
    """CAS_CHECK off (the default): unknown for everyone, no request, no HTTP client."""
    checker = make_checker(cas_check=False)

    assert await check(checker, SPAMMER) is CasVerdict.UNKNOWN
    assert await check(checker, READER) is CasVerdict.UNKNOWN

    assert fake_cas.asked == []
    assert checker._client is None


async def test_telegrams_shared_accounts_are_never_asked_about(
    checker: CasChecker, fake_cas: FakeCas
) -> None:
    """`from` of a comment sent as a channel is Channel_Bot, everyone's: no verdict on it."""
    for shared in [*sorted(cas.SHARED_ACCOUNTS), 0, -1001234567890]:
        assert await check(checker, shared) is CasVerdict.UNKNOWN
    assert fake_cas.asked == []


def test_cas_check_is_off_by_default(database_path: Path) -> None:
    """A new install sends nothing to CAS until an admin turns it on."""
    settings = make_settings(database_path)
    assert settings.cas_check is False
    assert settings.cas_api_url == "https://api.cas.chat"
    assert settings.cas_timeout_seconds == 2.0


def test_cas_settings_are_read_as_written(database_path: Path) -> None:
    """`CAS_CHECK=on` turns it on; a trailing slash on the URL does not double."""
    settings = make_settings(database_path, cas_check="on", cas_api_url="https://cas.example/")
    assert settings.cas_check is True
    assert settings.cas_api_url == "https://cas.example"


@pytest.mark.parametrize(
    ("key", "value"),
    [("cas_api_url", "api.cas.chat"), ("cas_timeout_seconds", 0), ("cas_cache_hours", -1)],
)
def test_a_bad_cas_setting_is_refused(database_path: Path, key: str, value: object) -> None:
    """A CAS URL that is not http(s), or a timeout or lifetime that is not positive."""
    with pytest.raises(ValidationError, match=key):
        make_settings(database_path, **{key: value})


# ------------------------------------------------------------------- reading the answer


@pytest.mark.parametrize(
    ("body", "banned"),
    [
        (banned_answer(SPAMMER), True),
        # tg-spam notes CAS may list an account with no result details.
        ({"ok": True}, True),
        (NOT_FOUND, False),
        ({"ok": False, "description": "record not found"}, False),
    ],
)
def test_cas_answers_are_read(body: dict[str, object], banned: bool) -> None:
    """Both documented shapes, tolerant of what a listed account's details hold."""
    assert read_answer(json.dumps(body).encode()) is banned


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>Just a moment...</html>",
        b"\xff\xfe",
        b"[true]",
        b'{"ok": "true"}',
        b'{"result": {}}',
        b'{"ok": false}',
        b'{"ok": false, "description": "Too many requests"}',
    ],
)
def test_anything_else_is_a_failure(body: bytes) -> None:
    """Only CAS's plain "not found" means not banned: that answer is cached."""
    with pytest.raises(CasAnswerError):
        read_answer(body)
