"""Private desks and their claims, tested on the domain services directly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.services import comments, contact, desk, moderation, private_desk
from bot.services.moderation import DecisionResult
from bot.services.private_desk import PressCheck, ReplyTarget
from bot.services.verdicts import Decision
from bot.settings import Settings
from storage import private_desks
from storage.db import Database
from storage.models import Person
from storage.private_desks import DeskState
from tests.bot.services.test_comments import published_article, rows
from tests.factories import MODERATOR, make_settings

ANN, BEN, CAT = 501, 502, 503
CLAIM = 300.0


@pytest.fixture
def settings(database_path: Path) -> Settings:
    """As in production, a membership answer is trusted a minute: an idle desk whose
    moderator Telegram confirmed within it takes new items (the tests' default trusts none)."""
    return make_settings(database_path, moderator_cache_seconds=60)


async def backlog(db: Database, settings: Settings, count: int) -> list[int]:
    """`count` pending comments, each from its own reader (the flood rule is per reader)."""
    article = await published_article(db)
    ids = []
    for number in range(count):
        reader = Person(9000 + number, f"Reader {number}")
        await comments.open_article(db, reader, article.id, 2.0)
        outcome = await comments.submit_comment(db, settings, reader, f"Comment {number}", 3.0)
        assert outcome.submission_id is not None
        ids.append(outcome.submission_id)
    return ids


async def contacts_waiting(db: Database, settings: Settings, count: int) -> list[int]:
    """`count` pending contact messages, each from its own reader."""
    ids = []
    for number in range(count):
        reader = Person(8000 + number, f"Reader {number}")
        await contact.start_form(db, settings, reader, 1.0)
        await contact.answer(db, settings, reader, f"Reader {number}", 2.0)
        await contact.answer(db, settings, reader, f"reader{number}@example.com", 3.0)
        outcome = await contact.answer(db, settings, reader, f"Message {number}", 4.0)
        assert outcome.submission_id is not None
        ids.append(outcome.submission_id)
    return ids


async def shown(
    db: Database, moderator_id: int, item: int | None, since: float, *, by_edit: bool = False
) -> None:
    """The desk's delivery recorded that message 77 shows `item` since Telegram's `since`."""
    async with db.transaction() as conn:
        await private_desks.record_shown(
            conn, moderator_id, 77, "digest", item, since, by_edit=by_edit
        )


async def held(db: Database, moderator_id: int) -> int | None:
    found = await private_desk.desk_of(db, moderator_id)
    assert found is not None
    return found.item_id if found.state is DeskState.OPEN else None


async def desk_updates(db: Database, moderator_id: int) -> int:
    [(count,)] = await rows(
        db,
        "SELECT COUNT(*) FROM outbox WHERE action = 'show_private_desk' AND chat_key = ?",
        (str(moderator_id),),
    )
    assert isinstance(count, int)
    return count


async def test_desks_opened_at_once_each_hold_a_different_item(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 5)
    await asyncio.gather(
        *(
            private_desk.open_desk(db, settings, Person(who, "Moderator"), 10.0)
            for who in (ANN, BEN, CAT)
        )
    )
    holding = [await held(db, who) for who in (ANN, BEN, CAT)]
    assert sorted(h for h in holding if h is not None) == items[:3]


async def test_a_decision_elsewhere_leaves_the_item_on_the_desk_and_one_on_it_moves_on(
    db: Database, settings: Settings
) -> None:
    """A card decided in the group while its item sits on a desk: the desk keeps it, to say
    so (it never turns into another item under its moderator's pen), and no longer holds it
    against time. A decision tapped on the desk moves it on."""
    items = await backlog(db, settings, 3)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    assert await held(db, ANN) == items[0]
    before = await desk_updates(db, ANN)
    await moderation.decide(db, settings, items[0], Decision.APPROVE, MODERATOR, 11.0)
    assert await held(db, ANN) == items[0]
    assert await desk_updates(db, ANN) == before + 1
    await private_desk.sweep(db, settings, 11.0 + settings.desk_claim_seconds)
    assert await held(db, ANN) == items[0]
    # ▶️ Next.
    await private_desk.resume(db, settings, ANN, 12.0)
    assert await held(db, ANN) == items[1]
    ann = Person(ANN, "Ann")
    await moderation.decide(
        db, settings, items[1], Decision.REJECT, ann, 13.0, on_private_desk_of=ANN
    )
    assert await held(db, ANN) == items[2]


async def test_skip_takes_the_next_item_and_frees_the_skipped_one(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 3)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.skip(db, settings, ANN, items[0], 11.0)
    assert await held(db, ANN) == items[1]
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), 12.0)
    assert await held(db, BEN) == items[0]


async def test_a_claim_runs_out_and_the_item_goes_to_another_desk(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), 10.0)
    assert (await held(db, ANN), await held(db, BEN)) == (items[0], None)
    late = 10.0 + settings.desk_claim_seconds
    # Ben tapped ("🔄 Look again") a moment before: Telegram confirmed him then.
    await private_desk.confirmed(db, BEN, late - 1)
    await private_desk.sweep(db, settings, late)
    ann = await private_desk.desk_of(db, ANN)
    assert ann is not None and ann.state is DeskState.EXPIRED
    # The idle desk takes it in the same sweep.
    assert await held(db, BEN) == items[0]


async def test_a_press_is_checked_against_the_desk_message_and_its_item(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 2)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await shown(db, ANN, items[0], 10.0)
    assert await private_desk.check_press(db, ANN, 77, items[0]) is PressCheck.VALID
    assert await private_desk.check_press(db, ANN, 76, items[0]) is PressCheck.STALE
    assert await private_desk.check_press(db, ANN, 77, items[1]) is PressCheck.STALE
    assert await private_desk.check_press(db, BEN, 77, items[0]) is PressCheck.STALE
    await private_desk.sweep(db, settings, 10.0 + settings.desk_claim_seconds)
    assert await private_desk.check_press(db, ANN, 77, items[0]) is PressCheck.EXPIRED
    await private_desk.close(db, settings, ANN, 11.0)
    assert await private_desk.check_press(db, ANN, 77, items[0]) is PressCheck.CLOSED


async def test_closing_releases_the_claim(db: Database, settings: Settings) -> None:
    items = await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.close(db, settings, ANN, 11.0)
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), 12.0)
    assert await held(db, BEN) == items[0]


async def test_the_group_desk_and_private_desks_never_show_the_same_item(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 3)
    await desk.open_desk(db, settings, 10.0)
    async with db.transaction() as conn:
        # The group's desk message shows the oldest item, and moderators use it.
        await desk.save(conn, desk.DeskState(99, items[0], None, active_at=10.0))
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 11.0)
    assert await held(db, ANN) == items[1]
    # The group desk moves on past the item Ann holds.
    await desk.move_on(db, settings, items[0], 12.0)
    async with db.reading() as conn:
        assert await desk.current_item(conn, await desk.load(conn)) == items[2]


async def test_an_idle_desk_takes_a_new_item_at_the_next_sweep(
    db: Database, settings: Settings
) -> None:
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    assert await held(db, ANN) is None
    items = await backlog(db, settings, 1)
    await private_desk.sweep(db, settings, 20.0)
    assert await held(db, ANN) == items[0]


async def test_reopening_keeps_the_item_still_claimed(db: Database, settings: Settings) -> None:
    items = await backlog(db, settings, 2)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 20.0)
    assert await held(db, ANN) == items[0]


async def test_a_reply_answers_only_the_item_the_desk_showed_since_before_it_was_written(
    db: Database, settings: Settings
) -> None:
    """The desk is one message edited in place, and Telegram hands a reply with the message
    as it is when sent: a reply answers the item the desk holds, its message was recorded
    to show and shows as handed, since before the reply's date; else nothing is sent."""
    items = await contacts_waiting(db, settings, 2)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    target = private_desk.reply_target
    # Not delivered yet: what the message shows is not known.
    assert (await target(db, ANN, 77, items[0], 12.0)).target is ReplyTarget.NOT_THE_DESK
    await shown(db, ANN, items[0], 10.0)
    assert (await target(db, ANN, 76, items[0], 12.0)).target is ReplyTarget.NOT_THE_DESK
    assert (await target(db, BEN, 77, items[0], 12.0)).target is ReplyTarget.NOT_THE_DESK
    answered = await target(db, ANN, 77, items[0], 12.0)
    assert (answered.target, answered.submission_id) == (ReplyTarget.CONTACT, items[0])
    assert (await target(db, ANN, 77, items[0], 10.0)).target is ReplyTarget.CONTACT
    # Written before the message showed it: it changed items after the reply's date.
    assert (await target(db, ANN, 77, items[0], 9.0)).target is ReplyTarget.MOVED
    # The message as Telegram handed it shows something else, or nothing.
    assert (await target(db, ANN, 77, items[1], 12.0)).target is ReplyTarget.MOVED
    assert (await target(db, ANN, 77, None, 12.0)).target is ReplyTarget.MOVED
    # Skipped: the desk holds the next, and its message shows nothing known until the
    # edit is recorded, though Telegram may show the new item already.
    await private_desk.skip(db, settings, ANN, items[0], 13.0)
    assert (await target(db, ANN, 77, items[0], 14.0)).target is ReplyTarget.MOVED
    assert (await target(db, ANN, 77, items[1], 14.0)).target is ReplyTarget.MOVED
    await shown(db, ANN, items[1], 15.0, by_edit=True)
    assert (await target(db, ANN, 77, items[1], 14.0)).target is ReplyTarget.MOVED
    # Put in place of the one before by an edit: a reply sent within seconds was begun
    # before, perhaps for the other item (its moderator tapped Skip while writing).
    assert (await target(db, ANN, 77, items[1], 16.0)).target is ReplyTarget.JUST_CHANGED
    later = 15.0 + private_desk.CHANGED_ANSWER_SECONDS
    assert (await target(db, ANN, 77, items[1], later)).target is ReplyTarget.CONTACT
    # The same item shown again (its words edited, say) keeps the time it first showed.
    await shown(db, ANN, items[1], 30.0, by_edit=True)
    assert (await target(db, ANN, 77, items[1], later)).target is ReplyTarget.CONTACT
    await private_desk.close(db, settings, ANN, 40.0)
    assert (await target(db, ANN, 77, items[1], 41.0)).target is ReplyTarget.CLOSED


async def test_a_contact_decided_elsewhere_is_still_answered_from_the_desk_that_showed_it(
    db: Database, settings: Settings
) -> None:
    """Decided on its card while an answer was being written on a desk: the answer goes
    to that reader, the only one the desk showed, and never to the next contact."""
    items = await contacts_waiting(db, settings, 2)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await shown(db, ANN, items[0], 10.0)
    await moderation.decide(db, settings, items[0], Decision.APPROVE, MODERATOR, 11.0)
    # The desk's edit says who decided it: the same item, shown since 10.
    await shown(db, ANN, items[0], 12.0, by_edit=True)
    answered = await private_desk.reply_target(db, ANN, 77, items[0], 13.0)
    assert (answered.target, answered.submission_id) == (ReplyTarget.CONTACT, items[0])
    moved = await private_desk.reply_target(db, ANN, 77, items[1], 13.0)
    assert moved.target is ReplyTarget.MOVED


async def test_a_reply_to_a_comment_on_the_desk_is_not_an_answer(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await shown(db, ANN, items[0], 10.0)
    reply = await private_desk.reply_target(db, ANN, 77, items[0], 12.0)
    assert reply.target is ReplyTarget.COMMENT


async def test_an_idle_desk_whose_moderator_was_not_checked_recently_pauses(
    db: Database, settings: Settings
) -> None:
    """The bot hears nothing when someone leaves the moderation group: an idle desk takes
    nothing new unless Telegram confirmed its moderator within MODERATOR_CACHE_SECONDS.
    It pauses instead, and the item stays free for the others."""
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    items = await backlog(db, settings, 1)
    before = await desk_updates(db, ANN)
    await private_desk.sweep(db, settings, 10.0 + settings.moderator_cache_seconds + 1)
    ann = await private_desk.desk_of(db, ANN)
    assert ann is not None and (ann.state, ann.item_id) == (DeskState.EXPIRED, None)
    assert await desk_updates(db, ANN) == before + 1
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), 80.0)
    assert await held(db, BEN) == items[0]


async def test_opening_the_desk_again_keeps_the_claims_time(
    db: Database, settings: Settings
) -> None:
    await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 200.0)
    found = await private_desk.desk_of(db, ANN)
    assert found is not None and found.claimed_until == 10.0 + settings.desk_claim_seconds


async def test_a_skipped_item_goes_to_an_empty_desk_at_once(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), 10.0)
    assert await held(db, BEN) is None
    await private_desk.skip(db, settings, ANN, items[0], 11.0)
    assert (await held(db, ANN), await held(db, BEN)) == (None, items[0])


async def test_a_group_desk_left_alone_keeps_nothing_from_the_private_desks(
    db: Database, settings: Settings
) -> None:
    items = await backlog(db, settings, 1)
    async with db.transaction() as conn:
        await desk.save(conn, desk.DeskState(99, items[0], None, active_at=10.0))
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 11.0)
    assert await held(db, ANN) is None
    late = 10.0 + settings.desk_claim_seconds
    await private_desk.confirmed(db, ANN, late - 1)
    await private_desk.sweep(db, settings, late)
    assert await held(db, ANN) == items[0]
    # The group's desk passes over it now.
    async with db.reading() as conn:
        assert await desk.current_item(conn, await desk.load(conn)) is None


async def test_a_tap_on_a_desk_decides_only_what_the_desk_holds_then(
    db: Database, settings: Settings
) -> None:
    """Checked in the decision's own transaction: a claim that ran out and went to another
    desk between the tap's check and its decision decides nothing."""
    items = await backlog(db, settings, 1)
    await private_desk.open_desk(db, settings, Person(ANN, "Moderator"), 10.0)
    late = 10.0 + settings.desk_claim_seconds
    await private_desk.open_desk(db, settings, Person(BEN, "Moderator"), late)
    assert await held(db, BEN) == items[0]
    ann = Person(ANN, "Ann")
    outcome = await moderation.decide(
        db, settings, items[0], Decision.APPROVE, ann, late, on_private_desk_of=ANN
    )
    assert outcome.result is DecisionResult.WRONG_CARD
    outcome = await moderation.decide(
        db, settings, items[0], Decision.APPROVE, MODERATOR, late, on_private_desk_of=BEN
    )
    assert outcome.result is DecisionResult.APPLIED
