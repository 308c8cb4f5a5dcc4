"""Reasons for a rejection, given after it: ❌ Reject stays one tap, a reason is one more.

A rejected comment's card offers REJECT_REASONS until one is given, and so does the desk
(the group's or a private one) it was rejected on, until that desk's next decision; a
moderator may also write their own by replying to the card in the group. A reason is set
once, and its author hears it once: in the notice of the decision, which waits
REJECT_NOTICE_DELAY_SECONDS for it and is rendered when it goes; or, given after that
went, in a notice of its own (`notice_went` and `_give` decide which, each in its own
transaction, so whichever comes second sees the other).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.callback_data import ReasonSurface
from bot.services import desk, effects
from bot.services.verdicts import VERDICTS, Decision
from bot.settings import Settings
from storage import moderation_cards, moderation_log, private_desks, submissions
from storage import reasons as stored_reasons
from storage.db import Database
from storage.models import LoggedAction, Person, Submission, SubmissionKind, SubmissionStatus

# A moderator's own reason, written by replying to the card: a line, not a letter.
OWN_REASON_MAX_LENGTH = 200
# A reply to a rejected comment's card is its reason only this soon after the rejection:
# moderators talk under cards, and a remark days later must not reach the author.
OWN_REASON_WINDOW_SECONDS = 15 * 60


class ReasonResult(StrEnum):
    GIVEN = "given"
    ALREADY_GIVEN = "already_given"
    # Not a rejected comment whose verdict takes a reason (pending, approved, spam, a
    # contact message): nothing to explain.
    NOT_ASKED = "not_asked"
    NOT_FOUND = "not_found"
    # Not offered where it was pressed: another message or chat, or a reason not listed.
    WRONG_PLACE = "wrong_place"
    TOO_LONG = "too_long"
    EMPTY = "empty"


@dataclass(frozen=True)
class ReasonOutcome:
    result: ReasonResult
    # As it stands after: the reason it has.
    submission: Submission | None = None


def asks_for_reason(submission: Submission) -> bool:
    """A comment rejected by a moderator with a verdict that takes a reason (VERDICTS),
    still without one."""
    if (
        submission.kind is not SubmissionKind.COMMENT
        or submission.status is not SubmissionStatus.REJECTED
        or submission.decided_by is None
        # Taken with its author's ban: they were told of the ban, not of this comment.
        or submission.swept_with_ban
        # Rejected after the trusted-author rule published it: ↩️ Unpublish.
        or submission.auto_approved
        or submission.decision_reason is not None
    ):
        return False
    if submission.marked_spam:
        verdict = VERDICTS[Decision.SPAM]
    elif submission.author_banned:
        verdict = VERDICTS[Decision.BAN]
    else:
        verdict = VERDICTS[Decision.REJECT]
    return verdict.offers_reasons


async def give(
    db: Database,
    settings: Settings,
    surface: ReasonSurface,
    submission_id: int,
    reason: str,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int],
) -> ReasonOutcome:
    """A reason button: `pressed_on` (chat, message) must be where this item's reasons
    are offered, since a client can send any button data from any message it sees."""
    if reason not in settings.reject_reasons:
        return ReasonOutcome(ReasonResult.WRONG_PLACE)
    async with db.transaction() as conn:
        submission = await submissions.get(conn, submission_id)
        if submission is None:
            return ReasonOutcome(ReasonResult.NOT_FOUND)
        if not await _offered_on(conn, settings, surface, submission_id, moderator, pressed_on):
            return ReasonOutcome(ReasonResult.WRONG_PLACE)
        return await _give(conn, settings, surface, submission, reason, moderator, now)


async def write_own(
    db: Database,
    settings: Settings,
    chat_id: int,
    replied_message_id: int,
    text: str,
    moderator: Person,
    now: float,
) -> ReasonOutcome:
    """A moderator's reply to a rejected comment's card in the group: their own reason,
    folded to one line (it is a line of the card and of the author's notice)."""
    reason = " ".join(text.split())
    async with db.transaction() as conn:
        submission_id = await moderation_cards.submission_of_card(conn, chat_id, replied_message_id)
        submission = await submissions.get(conn, submission_id) if submission_id else None
        if submission is None:
            return ReasonOutcome(ReasonResult.NOT_FOUND)
        decided_at = submission.decided_at
        if decided_at is not None and now - decided_at > OWN_REASON_WINDOW_SECONDS:
            return ReasonOutcome(ReasonResult.NOT_ASKED, submission)
        if not asks_for_reason(submission):
            return _not_asked(submission)
        if not reason:
            return ReasonOutcome(ReasonResult.EMPTY, submission)
        if len(reason) > OWN_REASON_MAX_LENGTH:
            return ReasonOutcome(ReasonResult.TOO_LONG, submission)
        return await _give(conn, settings, ReasonSurface.CARD, submission, reason, moderator, now)


async def notice_went(conn: aiosqlite.Connection, told: Submission, now: float) -> None:
    """In the transaction that records the author's notice of the decision, rendered from
    `told`: a reason given since it was rendered follows in a notice of its own."""
    await stored_reasons.outcome_told(conn, told.id, now)
    current = await submissions.get(conn, told.id)
    if current is not None and current.decision_reason != told.decision_reason:
        await effects.tell_reason(conn, current.author.user_id, current.id, now)


async def offered_on_desk(conn: aiosqlite.Connection, desk_key: str) -> Submission | None:
    """The item a desk offers reasons for, while it still asks for one."""
    submission_id = await stored_reasons.offered_on_desk(conn, desk_key)
    submission = await submissions.get(conn, submission_id) if submission_id else None
    return submission if submission is not None and asks_for_reason(submission) else None


async def _offered_on(
    conn: aiosqlite.Connection,
    settings: Settings,
    surface: ReasonSurface,
    submission_id: int,
    moderator: Person,
    pressed_on: tuple[int, int],
) -> bool:
    chat_id, message_id = pressed_on
    if surface is ReasonSurface.CARD:
        return (
            chat_id == settings.moderation_chat_id
            and await moderation_cards.submission_of_card(conn, chat_id, message_id)
            == submission_id
        )
    if surface is ReasonSurface.DESK:
        shown_on = (await desk.load(conn)).message_id
        desk_key = stored_reasons.GROUP_DESK
        in_place = chat_id == settings.moderation_chat_id and shown_on == message_id
    else:
        private = await private_desks.get(conn, moderator.user_id)
        desk_key = str(moderator.user_id)
        in_place = (
            chat_id == moderator.user_id
            and private is not None
            and private.message_id == message_id
        )
    return in_place and await stored_reasons.offered_on_desk(conn, desk_key) == submission_id


async def _give(
    conn: aiosqlite.Connection,
    settings: Settings,
    surface: ReasonSurface,
    submission: Submission,
    reason: str,
    moderator: Person,
    now: float,
) -> ReasonOutcome:
    if not asks_for_reason(submission) or not await stored_reasons.give(
        conn, submission.id, reason
    ):
        return _not_asked(submission)
    await moderation_log.append(
        conn,
        LoggedAction.REASON,
        now,
        moderator=moderator,
        author_id=submission.author.user_id,
        submission_id=submission.id,
        reason=reason,
    )
    if await stored_reasons.outcome_told_at(conn, submission.id) is not None:
        await effects.tell_reason(conn, submission.author.user_id, submission.id, now)
    # One edit of the group's per tap (its 20 a minute): the card shows the reason and
    # drops the buttons. The group's desk keeps its buttons until it next changes (a second
    # tap is answered "given already"), unless the item has no card to show it.
    if surface is ReasonSurface.DESK and not await moderation_cards.cards_of(conn, submission.id):
        await effects.show_desk(conn, settings, now)
    else:
        await effects.refresh_cards(conn, settings, submission.id, now)
    if surface is ReasonSurface.PRIVATE_DESK:
        # The moderator's own chat, with its own budget.
        await effects.show_private_desk(conn, moderator.user_id, now)
    given = await submissions.get(conn, submission.id)
    return ReasonOutcome(ReasonResult.GIVEN, given)


def _not_asked(submission: Submission) -> ReasonOutcome:
    if submission.decision_reason is not None:
        return ReasonOutcome(ReasonResult.ALREADY_GIVEN, submission)
    return ReasonOutcome(ReasonResult.NOT_ASKED, submission)
