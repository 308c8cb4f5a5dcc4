"""The spam check's verdict on what arrives: the author's record from storage, CAS as a
signal (listed: spam, unless the author is trusted here; failing: nothing), and
SPAM_FILTER=off checking nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cas import CasChecker
from bot.services.spam_screen import SpamScreen
from bot.settings import Settings, SpamFilterMode
from bot.spam.checker import ReasonKind, Thresholds, Verdict
from bot.spam.filter import SpamFilter
from storage import readers, submissions
from storage.db import Database
from storage.models import Person, SubmissionKind
from tests.factories import make_settings
from tests.fake_cas import Behaviour, FakeCas

NEWCOMER = Person(5101, "New", "Comer")
REGULAR = Person(5102, "Old", "Hand")
HARMLESS = "Nice weather today"


@pytest.fixture
async def fake_cas() -> AsyncIterator[FakeCas]:
    server = FakeCas()
    await server.start()
    yield server
    await server.stop()


async def screen_of(
    database_path: Path, fake_cas: FakeCas, **overrides: object
) -> tuple[Database, SpamScreen, CasChecker]:
    settings: Settings = make_settings(
        database_path, cas_check=True, cas_api_url=fake_cas.base_url, **overrides
    )
    db = await Database.open(settings.database_path)
    async with db.transaction() as conn:
        await readers.remember(conn, REGULAR, 1.0)
        approved = await submissions.insert(
            conn, SubmissionKind.CONTACT, REGULAR.user_id, None, "Thanks", 1.0, author_name="Old"
        )
        await conn.execute("UPDATE submissions SET status = 'approved' WHERE id = ?", (approved,))
    cas = CasChecker(settings, db)
    spam_filter = await SpamFilter.open(db, Thresholds())
    return db, SpamScreen(db, settings, spam_filter, cas), cas


async def test_an_account_listed_by_cas_is_spam_unless_trusted_here(
    database_path: Path, fake_cas: FakeCas
) -> None:
    """Listed by CAS: a newcomer's harmless words are spam, "listed by CAS" first; an
    author with an approved comment is only unsure."""
    fake_cas.banned = {NEWCOMER.user_id, REGULAR.user_id}
    db, screen, cas = await screen_of(database_path, fake_cas)
    try:
        newcomer = await screen.screen(NEWCOMER.user_id, HARMLESS, 10.0)
        regular = await screen.screen(REGULAR.user_id, HARMLESS, 11.0)
    finally:
        await cas.close()
        await db.close()
    assert newcomer is not None and regular is not None
    assert newcomer.check.verdict is Verdict.SPAM and newcomer.catches
    assert newcomer.check.reasons[0].kind is ReasonKind.CAS_LISTED
    assert newcomer.approved == 0
    assert regular.check.verdict is Verdict.UNSURE and not regular.catches
    assert regular.approved == 1


async def test_cas_failing_counts_for_nothing(database_path: Path, fake_cas: FakeCas) -> None:
    """CAS answering 500: the verdict is the check's own (harmless words: ham)."""
    fake_cas.behaviour = Behaviour.SERVER_ERROR
    db, screen, cas = await screen_of(database_path, fake_cas)
    try:
        screening = await screen.screen(NEWCOMER.user_id, HARMLESS, 10.0)
    finally:
        await cas.close()
        await db.close()
    assert screening is not None
    assert screening.check.verdict is Verdict.HAM and not screening.flagged
    assert fake_cas.asked == [str(NEWCOMER.user_id)]


async def test_spam_filter_off_checks_nothing_and_asks_no_one(
    database_path: Path, fake_cas: FakeCas
) -> None:
    fake_cas.banned = {NEWCOMER.user_id}
    db, screen, cas = await screen_of(database_path, fake_cas, spam_filter=SpamFilterMode.OFF)
    try:
        assert await screen.screen(NEWCOMER.user_id, "Earn $500 a day, DM me", 10.0) is None
    finally:
        await cas.close()
        await db.close()
    assert fake_cas.asked == []
