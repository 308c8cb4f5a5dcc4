"""The conversation that follows a contact message: the editors' answers to the reader,
and the reader's replies under the card in the moderation chat."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.services import effects
from bot.settings import Settings
from bot.text import tg_length
from storage import contact_replies, moderation_cards, moderation_log, readers, submissions
from storage.db import Database
from storage.models import LoggedAction, Person, ReplyDirection, Submission, SubmissionKind

# A conversation message travels whole, with a short header, in one Telegram message:
# measured in UTF-16 units (bot.text) so that it fits however the server counts.
REPLY_MAX_LENGTH = 3800

# A reader's answers to the editors, in a row, before the editors write again: each one
# is a message in the moderation group (20 a minute for everything), so a reader replying
# thousands of times would bury the cards.
READER_ANSWERS_IN_A_ROW = 3


class ReplyResult(StrEnum):
    QUEUED = "queued"
    NOT_A_CONTACT_THREAD = "not_a_contact_thread"
    READER_BANNED = "reader_banned"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    DUPLICATE = "duplicate"
    # READER_ANSWERS_IN_A_ROW answers wait for the editors already.
    WAIT_FOR_EDITORS = "wait_for_editors"


@dataclass(frozen=True)
class ReplyOutcome:
    result: ReplyResult
    submission_id: int | None = None
    # READER_BANNED: when the ban ends (None: for good).
    banned_until: float | None = None


async def _contact_of_moderation_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> Submission | None:
    """The contact message a moderation-chat message (card, reader's answer, or the copy
    of an answer written on a private desk) belongs to."""
    submission_id = (
        await moderation_cards.submission_of_card(conn, chat_id, message_id)
        or await contact_replies.submission_of_delivered(
            conn, chat_id, message_id, ReplyDirection.TO_EDITORS
        )
        or await contact_replies.submission_of_group_copy(conn, chat_id, message_id)
    )
    submission = await submissions.get(conn, submission_id) if submission_id else None
    if submission is None or submission.kind is not SubmissionKind.CONTACT:
        return None
    return submission


async def _refused_reply(
    conn: aiosqlite.Connection, reader_id: int, text: str, submission_id: int, now: float
) -> ReplyOutcome | None:
    """Why a message of the conversation cannot go, either way, or None."""
    ban = await readers.active_ban(conn, reader_id, now)
    if ban is not None:
        return ReplyOutcome(ReplyResult.READER_BANNED, submission_id, ban.until)
    if not text:
        return ReplyOutcome(ReplyResult.EMPTY, submission_id)
    if tg_length(text) > REPLY_MAX_LENGTH:
        return ReplyOutcome(ReplyResult.TOO_LONG, submission_id)
    return None


async def _record_and_send(
    conn: aiosqlite.Connection,
    submission_id: int,
    direction: ReplyDirection,
    author: Person,
    text: str,
    source: tuple[int, int],
    deliver_to: str,
    now: float,
) -> ReplyOutcome:
    """Record one message of the conversation and queue its delivery; the same Telegram
    message recorded before (an update handled again) is not sent twice."""
    reply_id = await contact_replies.insert(
        conn,
        submission_id,
        direction,
        author.user_id,
        author.display_name,
        text,
        source[0],
        source[1],
        now,
    )
    if reply_id is None:
        return ReplyOutcome(ReplyResult.DUPLICATE, submission_id)
    await effects.deliver_reply(conn, deliver_to, reply_id, now)
    return ReplyOutcome(ReplyResult.QUEUED, submission_id)


async def reply_to_reader(
    db: Database,
    moderator: Person,
    chat_id: int,
    replied_message_id: int,
    message_id: int,
    text: str,
    now: float,
) -> ReplyOutcome:
    """A moderator's reply to a contact card (or to the reader's answer under it)."""
    async with db.transaction() as conn:
        submission = await _contact_of_moderation_message(conn, chat_id, replied_message_id)
        if submission is None:
            return ReplyOutcome(ReplyResult.NOT_A_CONTACT_THREAD)
        return await _answer_reader(conn, submission, moderator, (chat_id, message_id), text, now)


async def answer_from_desk(
    db: Database,
    moderator: Person,
    submission_id: int,
    source: tuple[int, int],
    text: str,
    now: float,
) -> ReplyOutcome:
    """A moderator's reply to their private desk while it shows a contact message; the
    answer also appears under the card in the group, once the reader has it."""
    async with db.transaction() as conn:
        submission = await submissions.get(conn, submission_id)
        if submission is None or submission.kind is not SubmissionKind.CONTACT:
            return ReplyOutcome(ReplyResult.NOT_A_CONTACT_THREAD)
        return await _answer_reader(conn, submission, moderator, source, text, now)


async def _answer_reader(
    conn: aiosqlite.Connection,
    submission: Submission,
    moderator: Person,
    source: tuple[int, int],
    text: str,
    now: float,
) -> ReplyOutcome:
    text = text.strip()
    refusal = await _refused_reply(conn, submission.author.user_id, text, submission.id, now)
    if refusal is not None:
        return refusal
    outcome = await _record_and_send(
        conn,
        submission.id,
        ReplyDirection.TO_READER,
        moderator,
        text,
        source,
        str(submission.author.user_id),
        now,
    )
    if outcome.result is ReplyResult.QUEUED:
        # Who answered and when; the answer's words stay in the conversation, not here.
        await moderation_log.append(
            conn,
            LoggedAction.REPLY,
            now,
            moderator=moderator,
            author_id=submission.author.user_id,
            submission_id=submission.id,
        )
    return outcome


async def reply_to_editors(
    db: Database,
    settings: Settings,
    reader: Person,
    replied_message_id: int,
    message_id: int,
    text: str,
    now: float,
) -> ReplyOutcome:
    """A reader's reply to an editors' answer: it goes under the card in the moderation chat."""
    text = text.strip()
    async with db.transaction() as conn:
        submission_id = await contact_replies.submission_of_delivered(
            conn, reader.user_id, replied_message_id, ReplyDirection.TO_READER
        )
        if submission_id is None:
            return ReplyOutcome(ReplyResult.NOT_A_CONTACT_THREAD)
        refusal = await _refused_reply(conn, reader.user_id, text, submission_id, now)
        if refusal is not None:
            return refusal
        if (
            await contact_replies.reader_answers_since_editors(conn, submission_id)
            >= READER_ANSWERS_IN_A_ROW
        ):
            return ReplyOutcome(ReplyResult.WAIT_FOR_EDITORS, submission_id)
        await readers.remember(conn, reader, now)
        return await _record_and_send(
            conn,
            submission_id,
            ReplyDirection.TO_EDITORS,
            reader,
            text,
            (reader.user_id, message_id),
            str(settings.moderation_chat_id),
            now,
        )


@dataclass(frozen=True)
class InboxEntry:
    submission: Submission
    card_message_id: int | None


async def unanswered_inbox(db: Database, limit: int) -> list[InboxEntry]:
    """Approved contact messages that no editor's answer has reached yet, oldest first."""
    async with db.reading() as conn:
        waiting = await submissions.approved_unanswered_contacts(conn, limit)
        entries = []
        for submission in waiting:
            cards = await moderation_cards.cards_of(conn, submission.id)
            entries.append(InboxEntry(submission, cards[-1][1] if cards else None))
    return entries
