"""The Combot Anti-Spam list (CAS, https://cas.chat): is this Telegram account a known spammer?

The one call for the spam check: `await checker.check(user_id)`, which answers
`CasVerdict.BANNED`, `NOT_BANNED` or `UNKNOWN` and never raises. Build one `CasChecker`
per process (`CasChecker(settings, db)`, in post_init) and `await checker.close()` at
shutdown.

- With `CAS_CHECK` off (the default) it answers UNKNOWN and sends nothing anywhere.
- When on, only the user id leaves the machine: `GET {CAS_API_URL}/check?user_id=N`.
  CAS answers `{"ok": true, "result": {...}}` for a listed account and
  `{"ok": false, "description": "Record not found."}` for any other (https://cas.chat/api;
  umputun/tg-spam's lib/tgspam/detector.go `isCasSpam` also reads `ok` as "listed").
  Here any other `ok: false` is a failure, not "not banned": that answer is cached.
- Definite answers are kept in SQLite (storage.cas_answers) for `CAS_CACHE_HOURS`, so a
  reader who comes back is not asked about again, even after a restart; checks of one
  user that overlap share one request.
- A check waits at most `CAS_TIMEOUT_SECONDS`. A failure (timeout, refused connection,
  5xx, an answer that is not CAS's) is UNKNOWN, logged once per streak of failures, and
  CAS is not asked again before a back-off (10 s, doubling up to 5 minutes) has passed:
  meanwhile a user in the cache gets its answer, any other UNKNOWN at once.
- Telegram's shared accounts (the `from` of a comment sent as a channel) and ids that are
  not users' answer UNKNOWN without asking.

Call it outside `db.transaction()`: the cache is read under the database's lock (from
inside a transaction the check would wait out its timeout and answer UNKNOWN). The
integration may start it as a task when a message arrives and await it when scoring,
so the request overlaps the rest of intake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from enum import StrEnum

import httpx

from bot import __version__
from bot.settings import Settings
from storage import cas_answers
from storage.db import Database

logger = logging.getLogger(__name__)

USER_AGENT = f"NewsroomCommentsBot/{__version__} (CAS check for a news blog's comments)"
# CAS's answer for a listed account carries its offending messages: a few kilobytes.
MAX_ANSWER_BYTES = 256 * 1024
FIRST_BACKOFF = 10.0
MAX_BACKOFF = 300.0
CLOSE_GRACE = 0.5
# Expired answers are deleted at most this often (a DELETE per check would be waste).
PRUNE_INTERVAL = 3600.0
# Telegram's shared accounts (Telegram's own 777000, Channel_Bot, GroupAnonymousBot):
# `from` of everyone who writes as a channel or as the group; never one person's record.
SHARED_ACCOUNTS = frozenset({777000, 136817688, 1087968824})


class CasVerdict(StrEnum):
    BANNED = "banned"
    NOT_BANNED = "not_banned"
    # CAS_CHECK off, CAS failing or slow, or an id CAS cannot judge: no signal either way.
    UNKNOWN = "unknown"


class CasAnswerError(Exception):
    """CAS gave no usable answer; the message says why in a few words (no user data)."""


def read_answer(body: bytes) -> bool:
    """True if the answer lists the account, False if CAS does not know it.

    Anything else (not JSON, another shape, `ok: false` for another reason) is a failure:
    "not banned" is cached, so it is only believed when CAS says so plainly.
    """
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CasAnswerError("the answer is not JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise CasAnswerError("the answer has no ok field")
    if answer["ok"]:
        return True
    description = answer.get("description")
    if isinstance(description, str) and "not found" in description.lower():
        return False
    raise CasAnswerError("CAS refused the check")


class CasChecker:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        clock: Callable[[], float] = time.time,
        trust_env: bool = True,
    ) -> None:
        self._enabled = settings.cas_check
        self._check_url = f"{settings.cas_api_url}/check"
        self._timeout = settings.cas_timeout_seconds
        self._lifetime = settings.cas_cache_hours * 3600
        self._db = db
        self._clock = clock
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None
        # One request per user at a time; the task also stores the answer, so a caller
        # that stops waiting never leaves it half done.
        self._asking: dict[int, asyncio.Task[CasVerdict]] = {}
        # A streak of failures: the checks that failed, and the back-offs it has cost.
        self._failed_checks = 0
        self._backoffs = 0
        self._retry_at = 0.0
        self._pruned_at = 0.0

    @property
    def enabled(self) -> bool:
        return self._enabled

    async def check(self, user_id: int) -> CasVerdict:
        """Is the account on the CAS list? Answers within CAS_TIMEOUT_SECONDS; never raises."""
        if not self._enabled or user_id <= 0 or user_id in SHARED_ACCOUNTS:
            return CasVerdict.UNKNOWN
        try:
            async with asyncio.timeout(self._timeout):
                return await self._check(user_id)
        except TimeoutError:
            return CasVerdict.UNKNOWN
        except Exception:
            # A bug or a database failure here must not cost the reader their comment.
            logger.exception("The CAS check failed inside the bot")
            return CasVerdict.UNKNOWN

    async def close(self) -> None:
        """Lets checks in flight end (each within the timeout), then closes the client."""
        asking = list(self._asking.values())
        if asking:
            # Each ends within the timeout by itself; the grace covers a loaded loop.
            _, late = await asyncio.wait(asking, timeout=self._timeout + CLOSE_GRACE)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _check(self, user_id: int) -> CasVerdict:
        now = self._clock()
        async with self._db.reading() as conn:
            known = await cas_answers.get(conn, user_id, now - self._lifetime)
        if known is not None:
            return CasVerdict.BANNED if known else CasVerdict.NOT_BANNED
        task = self._asking.get(user_id)
        if task is None:
            if now < self._retry_at:
                return CasVerdict.UNKNOWN
            task = asyncio.create_task(self._ask(user_id), name=f"cas-{user_id}")
            self._asking[user_id] = task
            task.add_done_callback(lambda _: self._asking.pop(user_id, None))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and current is not None and not current.cancelling():
                # close() gave up on the request, not the caller on its check.
                return CasVerdict.UNKNOWN
            raise

    async def _ask(self, user_id: int) -> CasVerdict:
        try:
            async with asyncio.timeout(self._timeout):
                banned = await self._request(user_id)
        except TimeoutError:
            self._failed(f"no answer within {self._timeout:g} s")
            return CasVerdict.UNKNOWN
        except CasAnswerError as failure:
            self._failed(str(failure))
            return CasVerdict.UNKNOWN
        except httpx.HTTPError as error:
            self._failed(_network_failure(error))
            return CasVerdict.UNKNOWN
        self._answered()
        try:
            await self._remember(user_id, banned)
        except Exception:
            # The answer stands; only the cache missed it, and CAS is asked again next time.
            logger.exception("Keeping a CAS answer failed")
        return CasVerdict.BANNED if banned else CasVerdict.NOT_BANNED

    async def _remember(self, user_id: int, banned: bool) -> None:
        now = self._clock()
        # Single statements, not db.transaction(): that would record the Telegram update
        # being handled as done, when only the cache changed.
        async with self._db.reading() as conn:
            await cas_answers.put(conn, user_id, banned, now)
            if now - self._pruned_at >= PRUNE_INTERVAL:
                self._pruned_at = now
                await cas_answers.prune(conn, now - self._lifetime)

    async def _request(self, user_id: int) -> bool:
        if self._client is None:
            self._client = httpx.AsyncClient(
                headers={"User-Agent": USER_AGENT}, trust_env=self._trust_env
            )
        async with self._client.stream(
            "GET", self._check_url, params={"user_id": user_id}, timeout=self._timeout
        ) as response:
            if response.status_code >= 500:
                raise CasAnswerError(f"HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise CasAnswerError("the answer is too large")
        return read_answer(bytes(body))

    def _failed(self, reason: str) -> None:
        self._failed_checks += 1
        now = self._clock()
        if now < self._retry_at:
            # Asked before this back-off began, alongside the check that began it: the
            # same outage, which must not double the back-off once per reader it met.
            return
        self._backoffs += 1
        self._retry_at = now + min(MAX_BACKOFF, FIRST_BACKOFF * 2.0 ** (self._backoffs - 1))
        if self._backoffs == 1:
            logger.warning(
                "The CAS check failed (%s): comments go on without it, and CAS is asked"
                " again after a pause; this is logged once until it answers again",
                reason,
            )

    def _answered(self) -> None:
        if self._failed_checks:
            logger.info("The CAS check answers again, after %d failed checks", self._failed_checks)
        self._failed_checks = 0
        self._backoffs = 0
        self._retry_at = 0.0


def _network_failure(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the connection was closed without an answer"
    return type(error).__name__
