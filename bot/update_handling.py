"""Handling the updates a poll fetched: each person's in order, different people's
alongside, and an update that fails kept apart, so that it holds back nobody else.

An update whose handling fails (the database refused it, a bug, an input nobody foresaw)
is stored in `held_updates`, together with whatever its person sent after it in the
batch, and the batch is confirmed all the same: everyone else's updates flow on. Held
updates are tried again after 0.5 s, 1 s, 2 s… (30 s at most), each person's in order:
what a person sends while one of theirs is held waits behind it rather than overtake it
(a contact form's answers make sense only in the order they were given). After
MAX_HANDLING_ATTEMPTS the update is passed over, logged by its ids and kind only (its
text is a person's words). A person has MAX_HELD_PER_PERSON updates held at most: what
they send beyond that is passed over too, so that one whose every update fails cannot
fill the disk. Before, a failed update held back its whole batch, and every later one,
while it was retried; one reader sending failing updates again and again stalled the
bot for everyone, with waits growing to 30 s.

A batch is confirmed, and the next one fetched, once every person's queue in it is done,
so a person who sent many updates at once (a flood of button presses, each a few calls
to Telegram) would hold everyone's next updates back for as long as theirs take one
after another. Past HANDLING_TIME_BUDGET, a queue starts no more of its updates: the rest
are held as if behind a failed one, and handled after the next poll, a budget at a time.

If the failure cannot be stored (the database is what failed), the batch is left
unconfirmed and fetched again: nothing is confirmed to Telegram that is not kept here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.logging_setup import update_kinds
from storage import held_updates, processed_updates
from storage.db import Database
from storage.held_updates import HeldUpdate

logger = logging.getLogger(__name__)

# Tries of one update before it is passed over, so that one update can never keep its
# person's later ones waiting for ever.
MAX_HANDLING_ATTEMPTS = 5
# Updates of one person kept at most: what they send beyond it while theirs keep failing
# is passed over, so that nobody can fill the database through a failure they found.
MAX_HELD_PER_PERSON = 100
# How long one batch's handling (or one round of held updates) goes on starting one
# person's next update: seconds, so that updates fetched after it wait about that long.
HANDLING_TIME_BUDGET = 1.0
FIRST_RETRY_WAIT = 0.5
MAX_RETRY_WAIT = 30.0


def retry_wait(attempts: int) -> float:
    """The wait after an update's `attempts`-th failure: 0.5 s, 1 s, 2 s…, 30 s at most."""
    return min(MAX_RETRY_WAIT, FIRST_RETRY_WAIT * 2.0 ** (attempts - 1))


def order_key(update: Update) -> int:
    """Updates from one person (or chat) are handled in order; others run alongside."""
    message = update.message or update.edited_message
    if message is not None and message.sender_chat is not None:
        # Sent as a channel, or by an anonymous admin as the group: `from` is one of
        # Telegram's shared accounts (Channel_Bot, GroupAnonymousBot; 777000 for automatic
        # forwards), the same for everyone who writes so; the chat they write as is theirs.
        return message.sender_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return 0


class HeldUpdatesError(Exception):
    """The database failed while held updates were tried again (each failure is logged)."""


@dataclass(frozen=True)
class Fetched:
    update: Update
    # As Telegram sent it: what is kept if its handling fails.
    raw: dict[str, Any]


@dataclass(frozen=True)
class _Attempt:
    handled: bool
    press_answered: bool


class UpdateHandling:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        db: Database,
    ) -> None:
        self._application = application
        self._db = db
        # Failed tries of updates not held: a batch fetched again because holding failed.
        self._failures: dict[int, int] = {}
        # Presses among them that the error handler answered already.
        self._answered_presses: set[int] = set()

    async def handle_batch(self, batch: Sequence[Fetched]) -> int:
        """Handle what in the batch is not handled yet, holding what fails and what its
        person sent after it; returns how many were held. Raises if the database failed
        (to read, or to hold what failed): the batch must then be fetched again rather
        than confirmed."""
        update_ids = [fetched.update.update_id for fetched in batch]
        fresh = await processed_updates.unprocessed(self._db, update_ids)
        async with self._db.reading() as conn:
            waiting = await held_updates.held_per_person(conn)
            # Kept already: the batch is fetched again after a crash.
            fresh -= await held_updates.held_among(conn, update_ids)
        queues: dict[int, list[Fetched]] = defaultdict(list)
        # The updates of people with updates held wait behind those, held too.
        unhandled: list[Fetched] = []
        for fetched in batch:
            if fetched.update.update_id not in fresh:
                continue
            person = order_key(fetched.update)
            if person in waiting:
                unhandled.append(fetched)
            else:
                queues[person].append(fetched)
        # Every queue runs to its end, whatever happens to the others: none may still be
        # running when the batch is fetched again, or one update could run twice at once.
        deadline = time.monotonic() + HANDLING_TIME_BUDGET
        left = await asyncio.gather(
            *(self._handle_in_order(queue, deadline) for queue in queues.values())
        )
        unhandled += [fetched for queue in left for fetched in queue]
        if unhandled:
            await self._hold(unhandled, waiting)
        return len(unhandled)

    async def _handle_in_order(self, queue: list[Fetched], deadline: float) -> list[Fetched]:
        """One person's updates in order, up to the first that fails, or the first not
        started by `deadline` (time.monotonic()): it and those after it are returned, to
        be held."""
        for index, fetched in enumerate(queue):
            if index and time.monotonic() > deadline:
                return queue[index:]
            update_id = fetched.update.update_id
            attempt = await self._attempt(
                fetched.update,
                self._failures.get(update_id, 0),
                press_answered=update_id in self._answered_presses,
            )
            if attempt.handled:
                self._forget(update_id)
                continue
            attempts = self._failures.get(update_id, 0) + 1
            self._failures[update_id] = attempts
            if attempt.press_answered:
                self._answered_presses.add(update_id)
            if attempts < MAX_HANDLING_ATTEMPTS or not await self._pass_over(
                update_id, order_key(fetched.update), fetched.raw, attempts
            ):
                return queue[index:]
            self._forget(update_id)
        return []

    async def _hold(self, unhandled: list[Fetched], waiting: dict[int, int]) -> None:
        """Keep the updates, but none of a person's beyond MAX_HELD_PER_PERSON: those are
        passed over, recorded as handled with the rest."""
        now = time.time()
        held = []
        kept = Counter(waiting)
        passed_over: dict[int, list[Fetched]] = defaultdict(list)
        for fetched in unhandled:
            update_id = fetched.update.update_id
            person = order_key(fetched.update)
            if kept[person] >= MAX_HELD_PER_PERSON:
                passed_over[person].append(fetched)
                continue
            kept[person] += 1
            attempts = self._failures.get(update_id, 0)
            held.append(
                HeldUpdate(
                    update_id,
                    person,
                    fetched.raw,
                    attempts,
                    # Never tried: due as soon as it is its person's first.
                    now + retry_wait(attempts) if attempts else 0.0,
                    update_id in self._answered_presses,
                )
            )
        dropped_ids = [
            fetched.update.update_id for dropped in passed_over.values() for fetched in dropped
        ]
        async with self._db.transaction() as conn:
            await held_updates.hold(conn, held)
            await processed_updates.record(conn, dropped_ids, now)
        for fetched in unhandled:
            self._forget(fetched.update.update_id)
        for person, dropped in passed_over.items():
            logger.error(
                "Passing over updates %s (%s) from %s: %s of theirs are held already",
                [fetched.update.update_id for fetched in dropped],
                "; ".join(sorted({update_kinds(fetched.raw) for fetched in dropped})),
                person,
                kept[person],
            )

    def _forget(self, update_id: int) -> None:
        self._failures.pop(update_id, None)
        self._answered_presses.discard(update_id)

    async def retry_held(self) -> float | None:
        """Try again the held updates whose time came, each person's in order; returns
        when the next is due (time.time(); None: none is held). Raises HeldUpdatesError,
        after trying every person's, if the database failed on any."""
        async with self._db.reading() as conn:
            people = await held_updates.people_due(conn, time.time())
        deadline = time.monotonic() + HANDLING_TIME_BUDGET
        results = await asyncio.gather(
            *(self._retry_person(person, deadline) for person in people), return_exceptions=True
        )
        failed = 0
        for person, result in zip(people, results, strict=True):
            if isinstance(result, Exception):
                logger.error("Trying the held updates of %s again failed", person, exc_info=result)
                failed += 1
            elif isinstance(result, BaseException):
                raise result
        if failed:
            raise HeldUpdatesError(f"trying the held updates of {failed} people again failed")
        async with self._db.reading() as conn:
            return await held_updates.next_due(conn)

    async def _retry_person(self, person: int, deadline: float) -> None:
        """The person's held updates in order, while they are due and handled, and
        `deadline` (time.monotonic()) has not passed since the first."""
        bot = self._application.bot
        for tried in itertools.count():
            if tried and time.monotonic() > deadline:
                return
            async with self._db.reading() as conn:
                held = await held_updates.first_of(conn, person)
            if held is None or held.retry_at > time.time():
                return
            try:
                update = Update.de_json(held.raw, bot)
            except Exception:
                logger.exception("Held update %s cannot be read again", held.update_id)
                attempt = _Attempt(handled=False, press_answered=held.press_answered)
                attempts = MAX_HANDLING_ATTEMPTS
            else:
                attempt = await self._attempt(
                    update, held.attempts, press_answered=held.press_answered
                )
                attempts = held.attempts + 1
            if attempt.handled:
                # Its row went with the record of it as handled.
                continue
            if attempts >= MAX_HANDLING_ATTEMPTS:
                if not await self._pass_over(held.update_id, person, held.raw, attempts):
                    raise HeldUpdatesError(f"could not pass over held update {held.update_id}")
                continue
            async with self._db.reading() as conn:
                await held_updates.failed_again(
                    conn,
                    held.update_id,
                    attempts,
                    time.time() + retry_wait(attempts),
                    press_answered=attempt.press_answered,
                )
            return

    async def _attempt(
        self, update: Update, earlier_failures: int, *, press_answered: bool
    ) -> _Attempt:
        """Handle one update; handled means recorded as handled (or nothing to redo)."""
        try:
            with processed_updates.handling(
                update.update_id, earlier_failures, press_answered=press_answered
            ) as handled:
                # Errors inside handlers go to the error handler (handlers.errors), which
                # marks the update failed; this returns after it.
                await self._application.process_update(update)
            # Failed after its change was committed (its answer did not go): nothing to redo.
            if handled.failed and not handled.recorded:
                return _Attempt(handled=False, press_answered=handled.press_answered)
            if not handled.recorded:
                # Nothing it did wrote to the database (it only read, or only answered).
                async with self._db.reading() as conn:
                    await processed_updates.record(conn, [update.update_id], time.time())
        except Exception:
            logger.exception("Handling update %s failed", update.update_id)
            return _Attempt(handled=False, press_answered=press_answered)
        return _Attempt(handled=True, press_answered=handled.press_answered)

    async def _pass_over(
        self, update_id: int, person: int, raw: dict[str, Any], attempts: int
    ) -> bool:
        """Give up on an update (recorded as handled, so never tried again); False if even
        that failed. The log says whose and what kind, never what it said."""
        try:
            async with self._db.reading() as conn:
                await processed_updates.record(conn, [update_id], time.time())
        except Exception:
            logger.exception("Could not pass over update %s", update_id)
            return False
        logger.error(
            "Update %s (%s, from %s) failed %s times; passing over it",
            update_id,
            update_kinds(raw),
            person,
            attempts,
        )
        return True
