"""Wave fingerprints are taken once, when an item arrives or its words are edited, and kept
with it: a card drawn or a 🧹 tapped compares stored fingerprints instead of fingerprinting
every pending text again (about 20–50 ms for 500 of them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import spam_waves, thread_comments
from bot.services.thread_comments import ThreadComment
from bot.settings import Settings, ThreadModeration
from bot.spam import text as spam_text
from storage.db import Database
from storage.models import Person
from storage.thread_sources import ThreadSource
from tests.factories import DISCUSSION_CHAT_ID, make_settings

WAVE = [
    "Join our VIP crypto signals group today and earn five hundred dollars a day",
    "Join our VIP crypto signals group today and earn 500 dollars every day!!",
    "join our vip crypto signals group TODAY and earn five hundred dollars a day 🚀",
]
OTHER = "I think the mayor is wrong about the budget, the numbers do not add up."


@pytest.fixture
def pre_settings(database_path: Path) -> Settings:
    return make_settings(
        database_path,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        thread_moderation=ThreadModeration.PRE,
        spam_filter="off",
    )


def typed(author: int, text: str, message_id: int, edit_date: int = 0) -> ThreadComment:
    source = ThreadSource(DISCUSSION_CHAT_ID, message_id, None, edit_date=edit_date)
    return ThreadComment(Person(author, f"Reader {author}"), None, text, source, 10.0 + edit_date)


async def test_a_wave_is_found_from_the_fingerprints_kept_at_intake(
    db: Database, pre_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = []
    for number, text in enumerate([*WAVE, OTHER]):
        outcome = await thread_comments.hold_for_moderation(
            db, pre_settings, typed(7000 + number, text, 100 + number)
        )
        assert outcome.submission_id is not None
        held.append(outcome.submission_id)
    taken = 0
    fingerprint = spam_text.fingerprint

    def counting(normalised: str) -> spam_text.Fingerprint | None:
        nonlocal taken
        taken += 1
        return fingerprint(normalised)

    monkeypatch.setattr(spam_waves, "fingerprint", counting)
    async with db.reading() as conn:
        copies = await spam_waves.pending_copies(conn, held[0], WAVE[0])
    assert copies == held[1:3]
    # The marked text's own, at most: none of the pending items' again.
    assert taken <= 1

    # An edit of a waiting comment is fingerprinted afresh: no longer a copy.
    await thread_comments.hold_for_moderation(
        db, pre_settings, typed(7002, OTHER + " Really.", 102, edit_date=5)
    )
    async with db.reading() as conn:
        assert await spam_waves.pending_copies(conn, held[0], WAVE[0]) == [held[1]]


async def test_a_fingerprint_of_an_older_kind_is_taken_again_from_the_text(
    db: Database, pre_settings: Settings
) -> None:
    """An item waiting across an upgrade of the fingerprints (32 untagged numbers, 5-byte
    shingles) is fingerprinted afresh when compared, and still found as a copy."""
    held = []
    for number, text in enumerate(WAVE):
        outcome = await thread_comments.hold_for_moderation(
            db, pre_settings, typed(7000 + number, text, 100 + number)
        )
        assert outcome.submission_id is not None
        held.append(outcome.submission_id)
    older_kind = bytes(range(128))
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE submissions SET wave_print = ? WHERE id = ?", (older_kind, held[1])
        )
    async with db.reading() as conn:
        assert await spam_waves.pending_copies(conn, held[0], WAVE[0]) == held[1:3]
