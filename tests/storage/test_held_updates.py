"""Held updates: one person's in order, only their first one's time counts, and an update
recorded as handled is held no more."""

from __future__ import annotations

from storage import held_updates, processed_updates
from storage.db import Database
from storage.held_updates import HeldUpdate

ANN, BOB = 1, 2


def held(update_id: int, person: int, attempts: int, retry_at: float) -> HeldUpdate:
    raw = {"update_id": update_id, "message": {"text": "words"}}
    return HeldUpdate(update_id, person, raw, attempts, retry_at, press_answered=False)


async def test_only_each_persons_first_held_update_sets_when_they_are_due(db: Database) -> None:
    """Ann's first update is due at 10; the one behind it (never tried) waits for it."""
    async with db.transaction() as conn:
        await held_updates.hold(conn, [held(5, ANN, 1, 10.0), held(7, ANN, 0, 0.0)])
        await held_updates.hold(conn, [held(6, BOB, 2, 20.0)])
    async with db.reading() as conn:
        assert await held_updates.held_per_person(conn) == {ANN: 2, BOB: 1}
        assert await held_updates.held_among(conn, [5, 6, 8]) == {5, 6}
        assert await held_updates.people_due(conn, 9.0) == []
        assert await held_updates.people_due(conn, 10.0) == [ANN]
        assert await held_updates.next_due(conn) == 10.0
        first = await held_updates.first_of(conn, ANN)
    assert first == held(5, ANN, 1, 10.0)


async def test_an_update_held_again_keeps_its_tries(db: Database) -> None:
    """Its batch fetched again after a crash: the update held already stays as it was."""
    async with db.transaction() as conn:
        await held_updates.hold(conn, [held(5, ANN, 3, 10.0)])
        await held_updates.hold(conn, [held(5, ANN, 1, 1.0)])
    async with db.reading() as conn:
        assert await held_updates.first_of(conn, ANN) == held(5, ANN, 3, 10.0)


async def test_an_update_recorded_as_handled_is_held_no_more(db: Database) -> None:
    async with db.transaction() as conn:
        await held_updates.hold(conn, [held(5, ANN, 1, 10.0), held(7, ANN, 0, 0.0)])
        await processed_updates.record(conn, [5], 1.0)
    async with db.reading() as conn:
        first = await held_updates.first_of(conn, ANN)
        assert await held_updates.next_due(conn) == 0.0
    assert first is not None and first.update_id == 7
    assert await processed_updates.unprocessed(db, [5, 7]) == {7}
