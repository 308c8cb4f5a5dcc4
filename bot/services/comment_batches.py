"""Comments that arrive together are stored together: CommentIntake batches the readers'
comments in flight into one call of `comments.submit_comments`."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses

from bot.services import comments
from bot.services.comments import CommentRequest, SubmitOutcome
from bot.services.spam_screen import SpamScreen
from bot.settings import Settings
from storage.db import Database

# A comment waiting to be stored, and where its outcome goes.
_Waiting = tuple[CommentRequest, "asyncio.Future[SubmitOutcome]"]


class CommentIntake:
    """Comments that arrive while a batch is being stored wait, and go together in the next.

    Under a burst of readers, what intake spends its time on is trips to the database
    thread, not SQLite's work, and a batch costs the same few trips as a single comment. A
    comment that arrives alone is stored at once: nothing waits for a batch to fill.
    """

    def __init__(self, db: Database, settings: Settings, spam: SpamScreen | None = None) -> None:
        self._db = db
        self._settings = settings
        self._spam = spam
        self._waiting: list[_Waiting] = []
        self._storing: asyncio.Task[None] | None = None

    async def submit(self, request: CommentRequest) -> SubmitOutcome:
        if self._spam is not None and self._spam.checking:
            # Before the batch, outside its transaction: CAS reads its cache under the
            # database's lock. The check itself is made in the batch's transaction.
            cas = await self._spam.cas_verdict(request.author.user_id)
            request = dataclasses.replace(request, cas=cas)
        outcome: asyncio.Future[SubmitOutcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, outcome))
        if self._storing is None or self._storing.done():
            # A context of its own: the batch records each stored comment's update itself,
            # not the one of the handler that happened to start it.
            self._storing = asyncio.create_task(
                self._store_waiting(), context=contextvars.Context()
            )
        return await outcome

    async def _store_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = _one_per_author(self._waiting, MAX_BATCH)
            try:
                outcomes = await comments.submit_comments(
                    self._db, self._settings, [r for r, _ in batch], self._spam
                )
            except Exception:
                # One comment the batch could not store must not fail the others with it.
                await self._store_one_by_one(batch)
                continue
            for (_, waiting), outcome in zip(batch, outcomes, strict=True):
                if not waiting.done():
                    waiting.set_result(outcome)

    async def _store_one_by_one(self, batch: list[_Waiting]) -> None:
        for request, waiting in batch:
            try:
                [outcome] = await comments.submit_comments(
                    self._db, self._settings, [request], self._spam
                )
            except Exception as error:
                if not waiting.done():
                    waiting.set_exception(error)
            else:
                if not waiting.done():
                    waiting.set_result(outcome)


# SQLite takes at most 32766 parameters a statement; a batch of 100 uses a few hundred.
MAX_BATCH = 100


def _one_per_author(waiting: list[_Waiting], limit: int) -> tuple[list[_Waiting], list[_Waiting]]:
    """The next batch (oldest first, one comment per author, at most `limit`) and the rest."""
    batch: list[_Waiting] = []
    rest: list[_Waiting] = []
    authors: set[int] = set()
    for entry in waiting:
        author = entry[0].author.user_id
        if len(batch) < limit and author not in authors:
            authors.add(author)
            batch.append(entry)
        else:
            rest.append(entry)
    return batch, rest
