"""The spam check reads an author's record in the transaction that stores their message:
two of their messages arriving at once are counted one after the other, so the second is
not taken for a first message too. Deterministic: the first message is held at its CAS
question (asked before the transaction) while the second is stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cas import CasChecker, CasVerdict
from bot.services import contact, thread_comments
from bot.services.spam_screen import SpamScreen
from bot.services.thread_comments import ThreadComment
from bot.settings import Settings
from bot.spam.checker import AuthorRecord, SpamCheck, Thresholds
from bot.spam.filter import SpamFilter
from storage import readers
from storage.db import Database
from storage.thread_sources import ThreadSource
from tests.factories import DISCUSSION_CHAT_ID, READER, make_settings

FIRST = "Is the budget vote on Tuesday or Wednesday?"
SECOND = "Thanks for covering the council meeting"


class HeldCas(CasChecker):
    """CAS whose first answer waits until `release` is set."""

    def __init__(self, settings: Settings, db: Database) -> None:
        super().__init__(settings, db)
        self.asked = asyncio.Event()
        self.release = asyncio.Event()

    async def check(self, user_id: int) -> CasVerdict:
        if not self.asked.is_set():
            self.asked.set()
            await self.release.wait()
        return CasVerdict.UNKNOWN


async def recording_screen(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> tuple[SpamScreen, HeldCas, dict[str, AuthorRecord]]:
    """A screen whose filter notes the author's record it was given with each text."""
    spam_filter = await SpamFilter.open(db, Thresholds())
    seen: dict[str, AuthorRecord] = {}
    check = spam_filter.check

    def noting(
        text: str,
        *,
        author: AuthorRecord | None = None,
        now: float | None = None,
        to_the_editors: bool = False,
    ) -> SpamCheck:
        assert author is not None
        seen[text] = author
        return check(text, author=author, now=now, to_the_editors=to_the_editors)

    monkeypatch.setattr(spam_filter, "check", noting)
    cas = HeldCas(settings, db)
    return SpamScreen(db, settings, spam_filter, cas), cas, seen


def typed(text: str, message_id: int, now: float) -> ThreadComment:
    return ThreadComment(
        READER, None, text, ThreadSource(DISCUSSION_CHAT_ID, message_id, None), now
    )


@pytest.fixture
def thread_settings(database_path: Path) -> Settings:
    # Flood control aside: the two messages come a moment apart by design.
    return make_settings(
        database_path,
        discussion_chat_id=DISCUSSION_CHAT_ID,
        cas_check=True,
        flood_min_interval_seconds=0,
    )


async def test_two_comments_typed_at_once_are_not_both_a_first_message(
    db: Database, thread_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, cas, seen = await recording_screen(db, thread_settings, monkeypatch)
    first = asyncio.create_task(
        thread_comments.hold_for_moderation(db, thread_settings, typed(FIRST, 1, 10.0), spam=screen)
    )
    await cas.asked.wait()
    await thread_comments.hold_for_moderation(
        db, thread_settings, typed(SECOND, 2, 10.5), spam=screen
    )
    cas.release.set()
    await first
    assert seen[SECOND].earlier_messages == 0
    assert seen[FIRST].earlier_messages == 1


async def test_a_contact_message_and_a_comment_at_once_are_not_both_a_first_message(
    db: Database, thread_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, cas, seen = await recording_screen(db, thread_settings, monkeypatch)
    await contact.start_form(db, thread_settings, READER, 1.0)
    await contact.answer(db, thread_settings, READER, "Ada", 2.0)
    await contact.answer(db, thread_settings, READER, "ada@example.com", 3.0)
    async with db.reading() as conn:
        state = await readers.get_state(conn, READER.user_id)
    message = asyncio.create_task(
        contact.answer(db, thread_settings, READER, FIRST, 11.0, state=state, spam=screen)
    )
    await cas.asked.wait()
    await thread_comments.hold_for_moderation(
        db, thread_settings, typed(SECOND, 2, 10.5), spam=screen
    )
    cas.release.set()
    assert (await message).step is contact.Step.SUBMITTED
    assert seen[SECOND].earlier_messages == 0
    assert seen[FIRST].earlier_messages == 1
