"""/history and /note underneath: who USER names, an author's record newest first, notes
stored as moderators' lines, and what a card reads of the record (its summary, notes)."""

from __future__ import annotations

import pytest

from bot.delivery.base import desk_item
from bot.i18n import Texts
from bot.parsing import parse_user
from bot.rendering import moderation as moderation_texts
from bot.rendering import record as record_texts
from bot.services import author_record, comments
from bot.services.author_record import NOTE_MAX_LENGTH, Lookup
from bot.settings import Settings
from storage import history, moderation_log, readers
from storage.db import Database
from storage.models import LoggedAction
from tests.bot.services.test_comments import published_article
from tests.factories import MODERATOR, READER

DAY = 86400.0
# 2026-03-12, 10:00 UTC.
MARCH = 1773309600.0


async def known_reader(db: Database) -> None:
    async with db.transaction() as conn:
        await readers.remember(conn, READER, 1.0)


@pytest.mark.parametrize(
    ("typed", "user"),
    [
        ("2001", 2001),
        (" @Ada_reads ", "Ada_reads"),
        ("@", None),
        ("", None),
        ("ada", None),
        ("#12", None),
        ("@bad-name", None),
        ("²", None),
        ("-5", None),
        ("@" + "a" * 33, None),
    ],
)
def test_a_user_is_a_numeric_id_or_an_username(typed: str, user: int | str | None) -> None:
    assert parse_user(typed) == user


async def test_history_finds_an_author_by_id_or_username_in_any_case(db: Database) -> None:
    await known_reader(db)
    async with db.transaction() as conn:
        for at, action in ((2.0, LoggedAction.APPROVE), (3.0, LoggedAction.BAN)):
            await moderation_log.append(
                conn, action, at, moderator=MODERATOR, author_id=READER.user_id
            )
    for typed in ("2001", "@ADA_READS"):
        found = await author_record.history_of(db, typed)
        assert found.result is Lookup.FOUND and found.author == READER
        assert [line.action for line in found.lines] == [LoggedAction.BAN, LoggedAction.APPROVE]
        assert found.total == 2


async def test_history_answers_an_unknown_or_malformed_user(db: Database) -> None:
    await known_reader(db)
    assert (await author_record.history_of(db, "@nobody_here")).result is Lookup.UNKNOWN
    assert (await author_record.history_of(db, "999")).result is Lookup.UNKNOWN
    assert (await author_record.history_of(db, "ada")).result is Lookup.MALFORMED


async def test_an_id_the_record_knows_without_a_profile_is_found_by_id(db: Database) -> None:
    """A flooder banned before they sent anything has no profile, only record lines."""
    async with db.transaction() as conn:
        await moderation_log.append(
            conn, LoggedAction.BAN, 2.0, moderator=None, author_id=4040, reason="flooding"
        )
    found = await author_record.history_of(db, "4040")
    assert found.result is Lookup.FOUND and found.author is not None
    assert found.author.display_name == "user 4040"


async def test_a_note_is_a_moderators_line_with_its_text_as_the_reason(db: Database) -> None:
    await known_reader(db)
    added = await author_record.add_note(
        db, MODERATOR, "@ada_reads", "  Writes for the rival paper.\nCareful. ", 5.0
    )
    assert added.result is Lookup.FOUND and added.author == READER
    async with db.reading() as conn:
        [note] = await moderation_log.of_author(conn, READER.user_id)
    assert (note.action, note.moderator_id, note.reason, note.at) == (
        LoggedAction.NOTE,
        MODERATOR.user_id,
        "Writes for the rival paper.\nCareful.",
        5.0,
    )


@pytest.mark.parametrize(
    ("typed", "text", "result"),
    [
        ("2001", "   ", Lookup.NO_TEXT),
        ("2001", "x" * (NOTE_MAX_LENGTH + 1), Lookup.TOO_LONG),
        ("@someone_else", "Careful", Lookup.UNKNOWN),
        ("ada", "Careful", Lookup.MALFORMED),
    ],
)
async def test_a_bad_note_stores_nothing(
    db: Database, typed: str, text: str, result: Lookup
) -> None:
    await known_reader(db)
    assert (await author_record.add_note(db, MODERATOR, typed, text, 5.0)).result is result
    async with db.reading() as conn:
        assert await moderation_log.of_author(conn, READER.user_id) == []


async def test_a_card_reads_the_reasons_the_latest_ban_and_the_latest_two_notes(
    db: Database,
) -> None:
    """What other parts write (a reason key, a ban's until) is read as the record holds it."""
    await known_reader(db)
    async with db.transaction() as conn:
        for at, reason in ((2.0, "off_topic"), (3.0, "Shouting at a reader"), (4.0, "off_topic")):
            await moderation_log.append(
                conn,
                LoggedAction.REJECT,
                at,
                moderator=MODERATOR,
                author_id=READER.user_id,
                reason=reason,
            )
        await moderation_log.append(
            conn,
            LoggedAction.BAN,
            MARCH,
            moderator=MODERATOR,
            author_id=READER.user_id,
            until=MARCH + DAY,
        )
        for at in (6.0, 7.0, 8.0):
            await moderation_log.append(
                conn,
                LoggedAction.NOTE,
                at,
                moderator=MODERATOR,
                author_id=READER.user_id,
                reason=f"note {at:.0f}",
            )
    async with db.reading() as conn:
        past = await history.for_cards(conn, READER.user_id)
    assert past.rejection_reasons == ("off_topic", "Shouting at a reader")
    assert past.latest_ban is not None and past.latest_ban.until == MARCH + DAY
    assert [note.reason for note in past.notes] == ["note 8", "note 7"]
    lines = record_texts.card_lines(Texts("en"), past)
    assert lines[0] == "📊 banned 24 h in Mar 2026"
    assert lines[1:] == ["📝 note 8 (Mo Derator)", "📝 note 7 (Mo Derator)"]


async def test_the_desks_show_the_summary_and_the_note(db: Database, settings: Settings) -> None:
    """The group's desk and the private desks draw their item from desk_item."""
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    outcome = await comments.submit_comment(db, settings, READER, "A fair point", 3.0)
    assert outcome.submission_id is not None
    await author_record.add_note(db, MODERATOR, str(READER.user_id), "Knows the mayor", 4.0)
    async with db.reading() as conn:
        shown = await desk_item(conn, settings, outcome.submission_id)
    assert shown.flags is not None and shown.submission is not None
    text, _ = moderation_texts.desk(Texts("en"), shown.submission, None, 1, shown.flags)
    assert "📝 Knows the mayor (Mo Derator)" in text
