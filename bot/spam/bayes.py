"""A naive Bayes classifier over hashed features, learning one message at a time.

Words and word pairs are hashed into a fixed number of buckets, so its memory is the
same at ten learned messages and at a million (2 × 2¹⁸ counters, 2 MB). Learning adds
counts; checking sums per-feature log ratios: both are a few dozen array lookups.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import struct
import zlib
from array import array
from collections.abc import Iterable

BUCKET_BITS = 18
BUCKETS = 1 << BUCKET_BITS
# Words, runs of money and exclamation signs, and each emoji (🔞 and ➡️ say much).
_WORD = re.compile(r"[^\W_]+|[$€£!?]+|[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
# One feature's say is capped: a single word never decides alone.
_MAX_WEIGHT = 1.5
# Laplace smoothing.
_ALPHA = 1.0
_FORMAT_VERSION = 1
_HEADER = struct.Struct("<4sIIQQQQ")
_MAGIC = b"NBSP"


class DamagedModelError(Exception):
    """A saved model that cannot be read back as written."""


def features(normalised: str, extra: Iterable[str] = ()) -> set[int]:
    """The text's hashed features: its words, its pairs of words, and `extra` tokens."""
    words = _WORD.findall(normalised)
    tokens = set(words)
    tokens.update(f"{first} {second}" for first, second in itertools.pairwise(words))
    tokens.update(extra)
    crc32 = zlib.crc32
    return {crc32(token.encode("utf-8", "replace")) & (BUCKETS - 1) for token in tokens}


class HashedBayes:
    """Counts of documents with each feature, per class (0 = ham, 1 = spam)."""

    def __init__(self) -> None:
        self.counts = (array("I", bytes(4 * BUCKETS)), array("I", bytes(4 * BUCKETS)))
        self.documents = [0, 0]
        self.totals = [0, 0]

    def learn(self, buckets: set[int], spam: bool) -> None:
        label = int(spam)
        counts = self.counts[label]
        for bucket in buckets:
            counts[bucket] += 1
        self.documents[label] += 1
        self.totals[label] += len(buckets)

    def log_odds(self, buckets: set[int]) -> tuple[float, int]:
        """The evidence for spam (log odds, equal priors) and how many features were known.

        Priors are left equal: the mix of what the bot has learned (a starter set, a
        moderator who marks every spam but approves quietly) says nothing about the next
        message."""
        ham, spam = self.counts
        # Documents, not features, as the denominator (Bernoulli-style presence), so a
        # long text and a short one weigh their words alike.
        ham_docs = self.documents[0] + _ALPHA * 2
        spam_docs = self.documents[1] + _ALPHA * 2
        evidence = 0.0
        known = 0
        log = math.log
        for bucket in buckets:
            in_ham = ham[bucket]
            in_spam = spam[bucket]
            if in_ham == 0 and in_spam == 0:
                continue
            known += 1
            weight = log((in_spam + _ALPHA) / spam_docs) - log((in_ham + _ALPHA) / ham_docs)
            evidence += max(-_MAX_WEIGHT, min(_MAX_WEIGHT, weight))
        return evidence, known

    def to_bytes(self) -> bytes:
        body = zlib.compress(self.counts[0].tobytes() + self.counts[1].tobytes(), 1)
        header = _HEADER.pack(_MAGIC, _FORMAT_VERSION, BUCKET_BITS, *self.documents, *self.totals)
        return header + hashlib.sha256(header + body).digest() + body

    @classmethod
    def from_bytes(cls, data: bytes) -> HashedBayes:
        size = _HEADER.size
        if len(data) < size + 32:
            raise DamagedModelError("shorter than its header")
        header, digest, body = data[:size], data[size : size + 32], data[size + 32 :]
        magic, version, bits, ham_docs, spam_docs, ham_total, spam_total = _HEADER.unpack(header)
        if magic != _MAGIC or version != _FORMAT_VERSION or bits != BUCKET_BITS:
            raise DamagedModelError("not a model of this version")
        if hashlib.sha256(header + body).digest() != digest:
            raise DamagedModelError("its checksum does not match")
        try:
            raw = zlib.decompress(body)
        except zlib.error as error:
            raise DamagedModelError(f"cannot be decompressed: {error}") from None
        if len(raw) != 8 * BUCKETS:
            raise DamagedModelError("wrong size")
        model = cls()
        model.counts[0][:] = array("I", raw[: 4 * BUCKETS])
        model.counts[1][:] = array("I", raw[4 * BUCKETS :])
        model.documents = [ham_docs, spam_docs]
        model.totals = [ham_total, spam_total]
        return model
