"""Spam waves: near-identical texts waiting at once are one decision, so 🧹 Spam on one of
them settles every copy."""

from __future__ import annotations

import aiosqlite

from bot.spam.similarity import near_identical
from bot.spam.text import fingerprint, normalise
from storage import submissions
from storage.models import Submission

# The pending items a 🧹 compares itself with, newest first: a wave arrives within minutes,
# and the bound keeps one tap's transaction short on a very long queue.
WAVE_SEARCH_LIMIT = 500


async def pending_copies(conn: aiosqlite.Connection, submission_id: int, text: str) -> list[int]:
    """The other pending items whose text is near-identical to `text`, oldest first."""
    print_ = fingerprint(normalise(text))
    if print_ is None:
        return []
    copies = []
    for other_id, other_text in await submissions.latest_pending_texts(
        conn, WAVE_SEARCH_LIMIT, besides=submission_id
    ):
        other_print = fingerprint(normalise(other_text))
        if other_print is not None and near_identical(print_, other_print):
            copies.append(other_id)
    return sorted(copies)


async def wave_size(conn: aiosqlite.Connection, submission: Submission) -> int:
    """How many pending items, this one among them, are copies of its text (×N on its card);
    counted as its card is drawn, so a decided item is a wave of one."""
    if not submission.is_pending:
        return 1
    return 1 + len(await pending_copies(conn, submission.id, submission.text))
