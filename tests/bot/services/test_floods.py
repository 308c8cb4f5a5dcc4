"""The flood gate's rules, on a clock the tests move."""

from __future__ import annotations

import pytest

from bot.i18n import Texts
from bot.rendering import readers as reader_texts
from bot.services import floods, spam_undo
from bot.services.floods import Admission, FloodGate, Verdict
from bot.settings import Settings
from storage.db import Database
from storage.models import Person


def test_a_burst_passes_then_one_word_then_silence_until_the_time_told() -> None:
    """Five at once pass; the sixth is told to wait 20 s; until then nothing is answered."""
    gate = FloodGate(burst=5, refill_seconds=4.0, spam_after=20)
    assert [gate.admit(1, 100.0).verdict for _ in range(5)] == [Verdict.ADMIT] * 5
    told = gate.admit(1, 100.0)
    assert told.verdict is Verdict.TELL and told.retry_at == 120.0
    assert gate.admit(1, 119.9).verdict is Verdict.QUIET
    assert gate.admit(1, 120.0).verdict is Verdict.ADMIT
    # Another person is not held back by the first one's flood.
    assert gate.admit(2, 100.0).verdict is Verdict.ADMIT


def test_a_steady_reader_is_never_stopped() -> None:
    """One update every 4 s, for ever: the bucket refills as fast as it is used."""
    gate = FloodGate(burst=5, refill_seconds=4.0, spam_after=20)
    assert all(gate.admit(1, 4.0 * n).verdict is Verdict.ADMIT for n in range(100))


def test_who_keeps_sending_while_told_to_wait_is_spam_once() -> None:
    """The spam_after-th message while quiet is SPAM; later ones are quiet again."""
    gate = FloodGate(burst=1, refill_seconds=10.0, spam_after=3)
    gate.admit(1, 0.0)
    assert gate.admit(1, 0.0).verdict is Verdict.TELL
    admissions = [gate.admit(1, 1.0 + n) for n in range(4)]
    assert [a.verdict for a in admissions] == [
        Verdict.QUIET,
        Verdict.QUIET,
        Verdict.SPAM,
        Verdict.QUIET,
    ]
    # /spam's reason: four messages from the word to wait (at 0 s) to the third after it.
    assert (admissions[2].flood_messages, admissions[2].flood_seconds) == (4, 3.0)


def test_a_refusal_with_its_own_wait_is_said_once() -> None:
    """A thread comment refused until 15 s later: told once, then quiet until then."""
    gate = FloodGate(burst=5, refill_seconds=4.0, spam_after=20)
    assert gate.refused(1, retry_at=15.0, now=0.0).verdict is Verdict.TELL
    assert gate.refused(1, retry_at=15.0, now=1.0).verdict is Verdict.QUIET
    assert gate.refused(1, retry_at=30.0, now=15.0).verdict is Verdict.TELL


def test_a_forgiven_person_starts_afresh() -> None:
    """A moderator past the gate is let through, with a full bucket."""
    gate = FloodGate(burst=1, refill_seconds=10.0, spam_after=20)
    gate.admit(1, 0.0)
    assert gate.admit(1, 0.0).verdict is Verdict.TELL
    gate.forgive(1)
    assert gate.admit(1, 0.0).verdict is Verdict.ADMIT


def test_a_flood_that_goes_on_waits_twice_as_long_each_time() -> None:
    """Flooding again as soon as the wait is over doubles the next wait; a calm person
    whose bucket refilled starts afresh."""
    gate = FloodGate(burst=1, refill_seconds=10.0, spam_after=1000)
    now, waits = 0.0, []
    for _ in range(4):
        while (admission := gate.admit(1, now)).verdict is not Verdict.TELL:
            now = max(now, admission.retry_at)
        waits.append(admission.retry_at - now)
        now = admission.retry_at
    assert waits == [10.0, 20.0, 40.0, 80.0]
    assert gate.admit(1, now + 1000).verdict is Verdict.ADMIT
    assert gate.admit(1, now + 1000).retry_at - (now + 1000) == 10.0


def test_the_word_to_a_flooder_fits_an_alert_in_both_languages() -> None:
    """A press past the gate is answered by an alert: 200 characters at most (Bot API)."""
    for language in ("en", "es"):
        for wait in (1.0, 20.0, 3600.0):
            assert len(reader_texts.flooding(Texts(language), 100.0 + wait, 100.0)) <= 200


def test_the_people_remembered_stay_bounded_however_many_are_active(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many more people at once than PEOPLE_REMEMBERED, none of them settled yet (each told
    to wait an hour): the gate forgets the longest known instead of growing for ever."""
    monkeypatch.setattr(floods, "PEOPLE_REMEMBERED", 100)
    gate = FloodGate(burst=1, refill_seconds=3600.0, spam_after=20)
    for person in range(1000):
        gate.admit(person, 0.0)
        gate.refused(person, retry_at=3600.0, now=0.0)
    assert gate.people_remembered <= 200
    # The latest flooder is still held to their word.
    assert gate.refused(999, retry_at=3600.0, now=1.0).verdict is Verdict.QUIET


async def test_a_banned_flooder_who_floods_on_is_caught_once(
    db: Database, settings: Settings
) -> None:
    """Banned for flooding, a flooder keeps on (the gate still sees their private chat, one
    flood an hour at most): /spam lists them once, not once per flood."""
    flooder = Person(4343, "Flo")
    flood = Admission(Verdict.SPAM, 60.0, flood_messages=21, flood_seconds=8.2)
    async with db.transaction() as conn:
        first = await floods.treat_as_spam(conn, settings, flooder, flood, 10.0, text="Buy")
        again = await floods.treat_as_spam(conn, settings, flooder, flood, 3700.0, text="Buy")
    assert first is not None and again is None
    [listed] = await spam_undo.latest_catches(db)
    assert (listed.id, listed.spam_reasons) == (first, (("flooding", 21, 9),))
