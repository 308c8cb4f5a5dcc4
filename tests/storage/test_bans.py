"""Bans with an end (storage.readers): one past its end holds no more, even before the
periodic check lifts it."""

from __future__ import annotations

from storage import readers
from storage.db import Database
from storage.models import Ban, Person

MODERATOR = Person(9, "Mo", "Derator")
READER = Person(5, "Ann", None, "Ann_Reads")


def week_ban(at: float, user_id: int = READER.user_id) -> Ban:
    return Ban(user_id, 9, "Mo Derator", at, at + 7 * 86400, "spam links", None)


async def test_a_ban_past_its_end_holds_no_more_and_is_lifted_as_of_its_end(db: Database) -> None:
    async with db.transaction() as conn:
        await readers.set_ban(conn, week_ban(100.0))
        await readers.set_ban(conn, week_ban(200.0, user_id=6))
        assert await readers.is_banned(conn, READER.user_id, 100.0 + 7 * 86400 - 1)
        ended_at = 100.0 + 7 * 86400
        assert not await readers.is_banned(conn, READER.user_id, ended_at)
        total, listed = await readers.active_bans(conn, ended_at, 10)
        assert (total, [(b.user_id, person) for b, person in listed]) == (1, [(6, None)])
        await readers.remember(conn, READER, 1.0)
        assert (await readers.active_bans(conn, 100.0, 10))[1][1] == (
            week_ban(100.0),
            READER,
        )
        # Nobody can lift what ran out: the periodic check records it.
        assert not await readers.unban(conn, READER.user_id, ended_at + 5)
        [lifted] = await readers.lift_run_out(conn, ended_at + 5)
        assert (lifted.user_id, lifted.reason) == (READER.user_id, "spam links")
        assert await readers.lift_run_out(conn, ended_at + 5) == []


async def test_a_cards_ban_leaves_one_that_holds_and_replaces_one_that_ran_out(
    db: Database,
) -> None:
    async with db.transaction() as conn:
        await readers.set_ban(conn, week_ban(100.0))
        assert not await readers.ban(conn, READER.user_id, MODERATOR, 42, 200.0)
        held = await readers.active_ban(conn, READER.user_id, 200.0)
        assert held is not None and held.until == 100.0 + 7 * 86400
        later = 100.0 + 8 * 86400
        assert await readers.ban(conn, READER.user_id, MODERATOR, 42, later)
        again = await readers.active_ban(conn, READER.user_id, later + 10 * 86400)
        assert again == Ban(READER.user_id, 9, "Mo Derator", later, None, None, 42)


async def test_a_reader_is_found_by_username_in_any_case(db: Database) -> None:
    async with db.transaction() as conn:
        await readers.remember(conn, READER, 1.0)
        found = await readers.find_by_username(conn, "ann_READS")
        assert found is not None and found.user_id == READER.user_id
        assert await readers.find_by_username(conn, "ann") is None
