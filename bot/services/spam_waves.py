"""Spam waves: near-identical texts waiting at once are one decision, so 🧹 Spam on one of
them settles every copy.

Each item's fingerprint is taken as it arrives (or its words are edited) and kept with
it (`wave_print`): a card drawn or a 🧹 tapped compares the stored fingerprints of the
pending items, about 2 ms for 500 of them, where fingerprinting their texts again took
20–50 ms. Items stored before migration 0028, or with a fingerprint of an older kind, are
fingerprinted when compared."""

from __future__ import annotations

import struct

import aiosqlite

from bot.spam.similarity import near_identical
from bot.spam.text import FINGERPRINT_BINS, Fingerprint, fingerprint, normalise
from storage import submissions
from storage.models import Submission

_PRINT = struct.Struct(f"<{FINGERPRINT_BINS}I")
# The kind of fingerprint a stored one is, first byte: 2 since fingerprints read the
# skeleton in 4-character shingles (bot.spam.text). The first kind, 5-byte shingles of the
# whole text, was stored untagged (0 or 128 bytes): an item waiting across the upgrade is
# fingerprinted again when compared, not matched against prints of another kind.
_KIND = b"\x02"

# The pending items a 🧹 compares itself with, newest first: a wave arrives within minutes,
# and the bound keeps one tap's transaction short on a very long queue.
WAVE_SEARCH_LIMIT = 500


def wave_print(text: str) -> bytes:
    """The text's fingerprint as stored with its item (empty: too short to be a copy)."""
    print_ = fingerprint(normalise(text))
    return _KIND if print_ is None else _KIND + _PRINT.pack(*print_)


def _stored_print(text: str, stored: bytes | None) -> Fingerprint | None:
    if stored is None or stored[:1] != _KIND or len(stored) not in {1, 1 + _PRINT.size}:
        # Stored before fingerprints were kept, or of an older kind.
        return fingerprint(normalise(text))
    return _PRINT.unpack(stored[1:]) if len(stored) > 1 else None


async def pending_copies(conn: aiosqlite.Connection, submission_id: int, text: str) -> list[int]:
    """The other pending items whose text is near-identical to `text`, oldest first."""
    print_ = fingerprint(normalise(text))
    if print_ is None:
        return []
    copies = []
    for other_id, other_text, stored in await submissions.latest_pending_prints(
        conn, WAVE_SEARCH_LIMIT, besides=submission_id
    ):
        other_print = _stored_print(other_text, stored)
        if other_print is not None and near_identical(print_, other_print):
            copies.append(other_id)
    return sorted(copies)


async def wave_size(conn: aiosqlite.Connection, submission: Submission) -> int:
    """How many pending items, this one among them, are copies of its text (×N on its card);
    counted as its card is drawn, so a decided item is a wave of one."""
    if not submission.is_pending:
        return 1
    return 1 + len(await pending_copies(conn, submission.id, submission.text))
