"""The moderation record: every decision appended with who, when and why; nothing
overwritten by a later decision, and the record itself refuses to be changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.services import bans, moderation
from bot.services.moderation import DecisionResult
from bot.services.verdicts import Decision
from storage import moderation_log
from storage.db import Database
from storage.models import LoggedAction, Person
from tests.bot.services.test_spam_decisions import SPAMMER, left_up, post_moderated
from tests.factories import MODERATOR

SECOND_MODERATOR = Person(7070, "Rita", "Desk")


async def test_each_decision_is_a_line_and_a_later_one_overwrites_nothing(
    db: Database, database_path: Path
) -> None:
    settings = post_moderated(database_path)
    first = await left_up(db, settings, SPAMMER, "Is the border deal signed yet?", 2.0)
    spam = await left_up(db, settings, SPAMMER, "Cheap gnomes, write me now", 5.0)
    approved = await moderation.decide(db, settings, first, Decision.APPROVE, MODERATOR, 6.0)
    assert approved.result is DecisionResult.APPLIED
    banned = await moderation.decide(db, settings, spam, Decision.BAN, SECOND_MODERATOR, 7.0)
    assert banned.result is DecisionResult.APPLIED
    assert await bans.unban(db, settings, SPAMMER.user_id, 8.0, MODERATOR)

    async with db.reading() as conn:
        record = await moderation_log.of_author(conn, SPAMMER.user_id)
    assert [(e.action, e.moderator_id, e.submission_id, e.at) for e in record] == [
        # Left up in the thread while it waited: kept there, not approved.
        (LoggedAction.KEEP, MODERATOR.user_id, first, 6.0),
        (LoggedAction.BAN, SECOND_MODERATOR.user_id, spam, 7.0),
        (LoggedAction.UNBAN, MODERATOR.user_id, None, 8.0),
    ]
    assert record[1].moderator_name == SECOND_MODERATOR.display_name


async def test_spam_on_a_newcomer_records_the_verdict_the_ban_and_the_swept_comment(
    db: Database, database_path: Path
) -> None:
    settings = post_moderated(database_path)
    first = await left_up(db, settings, SPAMMER, "Gnome statues half price, DM me", 2.0)
    other = await left_up(db, settings, SPAMMER, "Garden gnomes for sale, write me", 5.0)
    await moderation.decide(db, settings, first, Decision.SPAM, MODERATOR, 9.0)

    async with db.reading() as conn:
        record = await moderation_log.of_author(conn, SPAMMER.user_id)
    assert [(e.action, e.submission_id) for e in record] == [
        (LoggedAction.SPAM, first),
        (LoggedAction.BAN, first),
        (LoggedAction.REMOVE, other),
    ]
    assert record[2].detail == {"with_ban_for": first}


async def test_a_tap_on_an_item_already_decided_adds_no_line(
    db: Database, database_path: Path
) -> None:
    settings = post_moderated(database_path)
    first = await left_up(db, settings, SPAMMER, "When does the summit start?", 2.0)
    await moderation.decide(db, settings, first, Decision.APPROVE, MODERATOR, 3.0)
    again = await moderation.decide(db, settings, first, Decision.REJECT, SECOND_MODERATOR, 4.0)
    assert again.result is DecisionResult.ALREADY_DECIDED
    async with db.reading() as conn:
        assert [e.action for e in await moderation_log.of_submission(conn, first)] == [
            LoggedAction.KEEP
        ]


@pytest.mark.parametrize(
    "statement", ["UPDATE moderation_log SET reason = 'rewritten'", "DELETE FROM moderation_log"]
)
async def test_the_record_refuses_to_be_changed(
    db: Database, database_path: Path, statement: str
) -> None:
    settings = post_moderated(database_path)
    first = await left_up(db, settings, SPAMMER, "Tariffs again?", 2.0)
    await moderation.decide(db, settings, first, Decision.REJECT, MODERATOR, 3.0)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with db.transaction() as conn:
            await conn.execute(statement)
    async with db.reading() as conn:
        assert len(await moderation_log.of_submission(conn, first)) == 1
