"""The spam check as the bot runs it: learned from the database, and learning into it.

The stored examples (storage.spam) are the source of truth. The classifier's snapshot
saves replaying them all at each start: it records the last example folded in, and the
examples after it are replayed. A snapshot that cannot be read is rebuilt from them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from importlib import resources

import aiosqlite

from bot.spam.bayes import DamagedModelError, HashedBayes
from bot.spam.checker import RECENT_SPAM, AuthorRecord, SpamCheck, SpamChecker, Thresholds
from bot.spam.text import MAX_CHARS, normalise
from storage import bot_state
from storage import spam as spam_store
from storage.db import Database

logger = logging.getLogger(__name__)

# Where an example came from (spam_examples.source).
STARTER = "starter"
MODERATOR = "moderator"
COMMAND_LINE = "command line"
# The snapshot is saved after this many new examples: a restart replays fewer.
SNAPSHOT_EVERY = 100
# bot_state: a hash of the starter set last learned, so an upgrade's new lines are learned.
_STARTER_KEY = "spam_starter"


def starter_set() -> tuple[list[str], list[str]]:
    """The spam and ham messages shipped with the bot (bot/spam/starter/*.txt)."""
    folder = resources.files("bot.spam").joinpath("starter")
    return (
        read_lines(folder.joinpath("spam.txt").read_text(encoding="utf-8")),
        read_lines(folder.joinpath("ham.txt").read_text(encoding="utf-8")),
    )


def read_lines(text: str) -> list[str]:
    """One message per line; blank lines skipped. Only a newline (or CRLF) ends a line:
    str.splitlines would also cut at a form feed or U+2028 inside a pasted message."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def text_key(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8", "replace")).hexdigest()[:32]


class SpamFilter:
    def __init__(
        self, database: Database, checker: SpamChecker, clock: Callable[[], float]
    ) -> None:
        self._database = database
        self._checker = checker
        self._clock = clock
        self._upto = 0
        self._unsaved = 0

    @classmethod
    async def open(
        cls,
        database: Database,
        thresholds: Thresholds | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> SpamFilter:
        """Loads the model (rebuilding a damaged one), learning the starter set on the
        first start."""
        spam_filter = cls(database, SpamChecker(thresholds or Thresholds()), clock)
        async with database.transaction() as conn:
            await spam_filter._learn_starter_set(conn)
            await spam_filter._load(conn)
        return spam_filter

    @property
    def thresholds(self) -> Thresholds:
        return self._checker.thresholds

    def check(
        self,
        text: str,
        *,
        author: AuthorRecord | None = None,
        now: float | None = None,
        to_the_editors: bool = False,
    ) -> SpamCheck:
        """The verdict; with an `author`, the text also counts towards a wave, so check
        each message received once (`to_the_editors`: bot.spam.checker)."""
        return self._checker.check(
            text,
            author=author,
            now=self._clock() if now is None else now,
            to_the_editors=to_the_editors,
        )

    async def learn(self, text: str, *, spam: bool, source: str = MODERATOR) -> bool:
        """One decision (🧹 Spam: spam; an approval or ↩️ Not spam: ham). False if this
        text was learned with this label already."""
        return await self.learn_many([text], spam=spam, source=source) == 1

    async def learn_many(self, texts: Iterable[str], *, spam: bool, source: str) -> int:
        """How many of `texts` were new examples."""
        async with self._database.transaction() as conn:
            added = await self.learn_in(conn, texts, spam=spam, source=source)
        await self.refresh()
        return added

    async def learn_in(
        self, conn: aiosqlite.Connection, texts: Iterable[str], *, spam: bool, source: str
    ) -> int:
        """As `learn_many`, inside the caller's transaction, so that a decision and what
        the filter learns from it are stored together. The model learns them at the next
        `refresh()`, to be called once that transaction is committed: one rolled back
        teaches nothing (and its examples' ids, given again to the next ones, must not
        count as learned)."""
        label = spam_store.SPAM if spam else spam_store.HAM
        added = 0
        now = self._clock()
        for whole in texts:
            # Kept as far as the check reads a text: a 5 MB line fed to `spam learn` would
            # otherwise be stored whole, and teach nothing more than its start.
            text = whole[:MAX_CHARS]
            if await spam_store.add_example(conn, label, text, text_key(text), source, now):
                added += 1
        return added

    async def refresh(self) -> int:
        """Learns the examples stored since the last time: by `learn_in` in a transaction
        now committed, or by another process (`python -m bot spam learn` while the bot
        runs); returns how many."""
        async with self._database.transaction() as conn:
            return await self._catch_up(conn)

    async def save(self) -> None:
        async with self._database.transaction() as conn:
            await self._save(conn)

    async def _learn_starter_set(self, conn: aiosqlite.Connection) -> None:
        spam, ham = starter_set()
        version = hashlib.sha256("\n".join([*spam, "", *ham]).encode()).hexdigest()[:16]
        if await bot_state.get(conn, _STARTER_KEY) == version:
            return
        now = self._clock()
        for label, texts in ((spam_store.SPAM, spam), (spam_store.HAM, ham)):
            for text in texts:
                await spam_store.add_example(conn, label, text, text_key(text), STARTER, now)
        await bot_state.put(conn, _STARTER_KEY, version)

    async def _load(self, conn: aiosqlite.Connection) -> None:
        snapshot = await spam_store.load_snapshot(conn)
        if snapshot is not None:
            try:
                self._checker.model = HashedBayes.from_bytes(snapshot.state)
                self._upto = snapshot.examples_upto
            except DamagedModelError as error:
                counts = await spam_store.count_examples(conn)
                logger.warning(
                    "The spam model saved in the database is damaged (%s): rebuilding it from"
                    " %d stored examples",
                    error,
                    sum(counts.values()),
                )
        for text in await spam_store.recent_spam(conn, self._upto, RECENT_SPAM, STARTER):
            self._checker.remember_spam(text)
        replayed = await self._catch_up(conn)
        if snapshot is None or self._upto != snapshot.examples_upto or replayed:
            await self._save(conn)

    async def _catch_up(self, conn: aiosqlite.Connection) -> int:
        """Folds in the examples stored after the last one learned, in the order stored."""
        learned = 0
        while batch := await spam_store.examples_after(conn, self._upto):
            for example in batch:
                self._checker.learn(
                    example.text,
                    spam=example.label == spam_store.SPAM,
                    remember=example.source != STARTER,
                )
                self._upto = example.id
            learned += len(batch)
            self._unsaved += len(batch)
        if self._unsaved >= SNAPSHOT_EVERY:
            await self._save(conn)
        return learned

    async def _save(self, conn: aiosqlite.Connection) -> None:
        state = self._checker.model.to_bytes()
        await spam_store.save_snapshot(conn, self._upto, state, self._clock())
        self._unsaved = 0
