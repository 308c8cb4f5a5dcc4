"""Bans with a term (bot.services.bans): the term tapped on a card runs from the ban, and
bans that run out are lifted by the bot with an unban line of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.parsing import parse_term
from bot.services import articles, bans, comments, moderation
from bot.services.bans import TermResult
from bot.services.effects import Effect
from bot.services.moderation import DecisionResult
from bot.services.reasons import asks_for_reason
from bot.services.verdicts import Decision
from storage import moderation_cards, moderation_log, readers, submissions
from storage.db import Database
from storage.models import Ban, LoggedAction, Person, SubmissionStatus
from tests.bot.services.test_comments import published_article, rows
from tests.bot.services.test_contact import submitted_contact
from tests.factories import (
    DISCUSSION_CHAT_ID,
    MODERATION_CHAT_ID,
    MODERATOR,
    READER,
    make_settings,
    typed_under_post,
)

DAY = 86400
CHANNEL = -1001777
THREAD = 500
OTHER = Person(4242, "Other")


async def banned_from_a_card(db: Database, settings_path: Path) -> tuple[int, tuple[int, int]]:
    settings = make_settings(settings_path, discussion_chat_id=DISCUSSION_CHAT_ID)
    article = await published_article(db)
    await comments.open_article(db, READER, article.id, 2.0)
    outcome = await comments.submit_comment(db, settings, READER, "troll", 3.0)
    assert outcome.submission_id is not None
    card = (MODERATION_CHAT_ID, 77)
    async with db.transaction() as conn:
        await moderation_cards.add_card(conn, outcome.submission_id, *card)
    await moderation.decide(db, settings, outcome.submission_id, Decision.BAN, MODERATOR, 10.0)
    return outcome.submission_id, card


async def test_a_term_on_the_card_runs_from_the_ban_and_one_already_over_lifts_it(
    db: Database, database_path: Path
) -> None:
    settings = make_settings(database_path, discussion_chat_id=DISCUSSION_CHAT_ID)
    item, card = await banned_from_a_card(db, database_path)
    day, forever = parse_term("24h"), parse_term("forever")
    assert day is not None and forever is not None
    chosen = await bans.choose_term(db, settings, item, day, MODERATOR, 500.0, pressed_on=card)
    assert chosen.result is TermResult.SET and chosen.ban is not None
    assert chosen.ban.until == 10.0 + DAY
    again = await bans.choose_term(db, settings, item, day, MODERATOR, 600.0, pressed_on=card)
    assert again.result is TermResult.UNCHANGED
    elsewhere = await bans.choose_term(
        db, settings, item, forever, MODERATOR, 600.0, pressed_on=(MODERATION_CHAT_ID, 78)
    )
    assert elsewhere.result is TermResult.WRONG_CARD
    back = await bans.choose_term(db, settings, item, forever, MODERATOR, 700.0, pressed_on=card)
    assert back.result is TermResult.SET and back.ban is not None and back.ban.until is None
    # Two days on, a day counted from the ban is over: it is lifted.
    over = await bans.choose_term(db, settings, item, day, MODERATOR, 2 * DAY, pressed_on=card)
    assert over.result is TermResult.LIFTED
    async with db.reading() as conn:
        assert not await readers.is_banned(conn, READER.user_id, 2 * DAY)
        record = await moderation_log.of_author(conn, READER.user_id)
    assert [(e.action, e.until) for e in record] == [
        (LoggedAction.BAN, None),
        (LoggedAction.BAN, 10.0 + DAY),
        (LoggedAction.BAN, None),
        (LoggedAction.UNBAN, None),
    ]
    gone = await bans.choose_term(db, settings, item, day, MODERATOR, 2 * DAY, pressed_on=card)
    assert gone.result is TermResult.NO_BAN
    group_rows = await rows(
        db, "SELECT action, payload FROM outbox WHERE chat_key = ?", (str(DISCUSSION_CHAT_ID),)
    )
    reader = f'{{"user_id": {READER.user_id}}}'
    assert group_rows == [
        (Effect.BAN_IN_GROUP, reader),
        (Effect.BAN_IN_GROUP, f'{{"user_id": {READER.user_id}, "until": {10 + DAY}}}'),
        (Effect.BAN_IN_GROUP, reader),
        (Effect.UNBAN_IN_GROUP, reader),
    ]


async def test_bans_that_ran_out_are_lifted_by_the_bot_and_a_channels_in_the_group(
    db: Database, database_path: Path
) -> None:
    """A person's ban ended in the group by Telegram (until_date); a channel's has no end
    there (banChatSenderChat), so the bot lifts it."""
    settings = make_settings(database_path, discussion_chat_id=DISCUSSION_CHAT_ID)
    async with db.transaction() as conn:
        for user_id, until in ((READER.user_id, 100.0), (CHANNEL, 150.0), (42, None)):
            await readers.set_ban(conn, Ban(user_id, 9, "Mo", 1.0, until, "why", None))
    ended = await bans.lift_run_out(db, settings, 200.0)
    assert sorted(b.user_id for b in ended) == [CHANNEL, READER.user_id]
    assert await bans.lift_run_out(db, settings, 300.0) == []
    async with db.reading() as conn:
        [line] = await moderation_log.of_author(conn, READER.user_id)
        assert await readers.is_banned(conn, 42, 10**9)
    assert (line.action, line.moderator_id, line.detail) == (
        LoggedAction.UNBAN,
        None,
        {"ran_out_at": 100.0},
    )
    assert await rows(db, "SELECT action, payload FROM outbox") == [
        (Effect.UNBAN_IN_GROUP, f'{{"user_id": {CHANNEL}}}')
    ]


async def test_ban_command_takes_down_and_rejects_the_readers_waiting_comments(
    db: Database, database_path: Path
) -> None:
    """/ban settles what the reader has waiting as 🚫 Ban author on a card does: comments
    left up in the thread (post-moderation) come down, one sent through the bot is
    rejected with the ban; each card is redrawn and each has a line in the record. Another
    reader's waiting comment is left alone."""
    settings = make_settings(
        database_path, discussion_chat_id=DISCUSSION_CHAT_ID, thread_moderation="post"
    )
    article = await published_article(db)
    await articles.link_discussion_copy(db, article.channel_message_id or 0, THREAD, 1.5)
    left_up = [
        await typed_under_post(db, settings, READER, message_id, 2.0, thread=THREAD)
        for message_id in (601, 602)
    ]
    other = await typed_under_post(db, settings, OTHER, 603, 2.0, thread=THREAD)
    await comments.open_article(db, READER, article.id, 3.0)
    private = await comments.submit_comment(db, settings, READER, "through the bot", 4.0)
    assert private.submission_id is not None
    forever = parse_term("forever")
    assert forever is not None
    await bans.ban(db, settings, READER.user_id, forever, "trolling", MODERATOR, 10.0)
    statuses = {row[0]: row[1] for row in await rows(db, "SELECT id, status FROM submissions")}
    assert [statuses[i] for i in [*left_up, private.submission_id]] == ["rejected"] * 3
    assert statuses[other] == "pending"
    taken_down = await rows(
        db,
        "SELECT json_extract(payload, '$.message_id') FROM outbox"
        " WHERE action = 'delete_group_message' ORDER BY id",
    )
    assert taken_down == [(601,), (602,)]
    async with db.reading() as conn:
        record = await moderation_log.of_author(conn, READER.user_id)
    assert [(e.action, e.submission_id) for e in record] == [
        (LoggedAction.BAN, None),
        (LoggedAction.REMOVE, left_up[0]),
        (LoggedAction.REMOVE, left_up[1]),
        (LoggedAction.REJECT, private.submission_id),
    ]
    redrawn = await rows(
        db,
        "SELECT DISTINCT json_extract(payload, '$.submission_id') FROM outbox"
        " WHERE action = 'refresh_cards' ORDER BY 1",
    )
    assert redrawn == [(i,) for i in sorted([*left_up, private.submission_id])]


@pytest.mark.parametrize("decision", [Decision.BAN, Decision.SPAM])
async def test_a_ban_from_a_card_sweeps_every_waiting_comment_but_not_contact_messages(
    db: Database, database_path: Path, decision: Decision
) -> None:
    """🚫 or 🧹 on one card rejects the author's other comment sent through the bot with
    the ban (as /ban does): taken with it, so no reason is asked of it and its author is
    not told; their contact message still waits for the editors."""
    settings = make_settings(database_path)
    contact_id = await submitted_contact(db, settings)
    article = await published_article(db)
    waiting = []
    for number, text in enumerate(["troll", "more troll"]):
        await comments.open_article(db, READER, article.id, 5.0 + number)
        outcome = await comments.submit_comment(db, settings, READER, text, 5.5 + number)
        assert outcome.submission_id is not None
        waiting.append(outcome.submission_id)
    tapped, other = waiting

    decided = await moderation.decide(db, settings, tapped, decision, MODERATOR, 10.0)

    assert decided.result is DecisionResult.APPLIED
    async with db.reading() as conn:
        swept = await submissions.get(conn, other)
        contact_message = await submissions.get(conn, contact_id)
        record = await moderation_log.of_author(conn, READER.user_id)
    assert swept is not None and contact_message is not None
    assert (swept.status, swept.author_banned, swept.swept_with_ban, swept.decided_by) == (
        SubmissionStatus.REJECTED,
        True,
        True,
        MODERATOR.user_id,
    )
    assert not asks_for_reason(swept)
    assert contact_message.status is SubmissionStatus.PENDING
    assert (LoggedAction.REJECT, other) in [(e.action, e.submission_id) for e in record]
    told = await rows(
        db,
        "SELECT json_extract(payload, '$.submission_id') FROM outbox"
        " WHERE action = 'notify_author'",
    )
    assert told == [(tapped,)]
