"""Near-identical texts found fast: fingerprints indexed by bands (locality-sensitive
hashing), so a check compares itself with the few candidates that share a band, not with
every text remembered."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from bot.spam.text import EMPTY_BIN, FINGERPRINT_BINS, Fingerprint, resemblance

# Texts resembling each other this much are copies with light changes (a word, a price, an
# emoji, invisible characters): measured on spam waves rewritten by hand, copies score
# 0.5–0.9 and unrelated comments under the same post 0.0–0.1.
NEAR_IDENTICAL = 0.45
# A check compares itself with at most this many candidates, the newest: a wave of
# thousands of copies then costs a check no more than one of 64 (before, 1,000 readers
# writing alike under one post made each check compare with every earlier one, and
# `benchmarks.intake` fell from 0.55 to 0.37 of the echo bot). Nothing decided needs more:
# a wave weighs its most from WAVE_ALONE_ACCOUNTS accounts, likeness to spam from 5 marked,
# and each copy carries the accounts of its own wave (bot.spam.checker).
MOST_COMPARED = 64
# Bands of 2 bins: two texts resembling each other by 0.45 share a band with probability
# 1 - (1 - 0.45²)¹⁶ ≈ 0.97.
_BAND = 2


def near_identical(first: Fingerprint, second: Fingerprint) -> bool:
    return resemblance(first, second) >= NEAR_IDENTICAL


def _bands(print_: Fingerprint) -> Iterator[tuple[int, int, int]]:
    for start in range(0, FINGERPRINT_BINS, _BAND):
        first, second = print_[start], print_[start + 1]
        if first != EMPTY_BIN or second != EMPTY_BIN:
            yield (start, first, second)


@dataclass
class _Entry:
    key: int
    print_: Fingerprint
    author_id: int | None
    at: float
    # The wave this text was part of when it came (bot.spam.checker): each account's
    # latest copy's time, and whether it had no approved comment then.
    wave: dict[int, tuple[float, bool]]


class FingerprintIndex:
    """The last `capacity` fingerprints, oldest forgotten first."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: deque[_Entry] = deque()
        self._bands: dict[tuple[int, int, int], set[int]] = {}
        self._by_key: dict[int, _Entry] = {}
        self._next_key = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(
        self,
        print_: Fingerprint,
        *,
        author_id: int | None = None,
        at: float = 0.0,
        wave: dict[int, tuple[float, bool]] | None = None,
    ) -> None:
        entry = _Entry(self._next_key, print_, author_id, at, wave or {})
        self._next_key += 1
        self._entries.append(entry)
        self._by_key[entry.key] = entry
        for band in _bands(print_):
            self._bands.setdefault(band, set()).add(entry.key)
        while len(self._entries) > self._capacity:
            self._drop_oldest()

    def forget_before(self, at: float) -> None:
        while self._entries and self._entries[0].at < at:
            self._drop_oldest()

    def similar(self, print_: Fingerprint) -> list[_Entry]:
        """The remembered texts near-identical to this one, among the newest MOST_COMPARED
        that share a band with it, newest first."""
        candidates: set[int] = set()
        for band in _bands(print_):
            candidates.update(self._bands.get(band, ()))
        found = []
        # Keys grow with each text added: the largest are the newest.
        for key in sorted(candidates, reverse=True)[:MOST_COMPARED]:
            entry = self._by_key[key]
            if near_identical(entry.print_, print_):
                found.append(entry)
        return found

    def _drop_oldest(self) -> None:
        entry = self._entries.popleft()
        del self._by_key[entry.key]
        for band in _bands(entry.print_):
            keys = self._bands[band]
            keys.discard(entry.key)
            if not keys:
                del self._bands[band]
