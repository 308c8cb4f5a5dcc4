"""The contact form (name, email, message) and the conversation that follows it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite
from email_validator import EmailNotValidError, validate_email

from bot.cas import CasVerdict
from bot.services import abuse, effects, spam_screen, spam_waves
from bot.services.spam_screen import Arrival, Screening, SpamScreen
from bot.settings import Settings
from bot.text import one_line, tg_length
from storage import contact_replies, moderation_log, outbox, readers, submissions
from storage.db import Database
from storage.models import (
    LoggedAction,
    Person,
    ReaderState,
    ReplyDirection,
    Submission,
    SubmissionKind,
)

# The form's steps, stored as the reader's state so a restart resumes where they were.
ASKING_NAME = "contact_name"
ASKING_EMAIL = "contact_email"
ASKING_MESSAGE = "contact_message"
FORM_STEPS = (ASKING_NAME, ASKING_EMAIL, ASKING_MESSAGE)

NAME_MAX_LENGTH = 100
MESSAGE_MAX_LENGTH = 4000
# A conversation message travels whole, with a short header, in one Telegram message:
# measured in UTF-16 units (bot.text) so that it fits however the server counts.
REPLY_MAX_LENGTH = 3800


class Step(StrEnum):
    ASK_NAME = "ask_name"
    ASK_EMAIL = "ask_email"
    ASK_MESSAGE = "ask_message"
    NAME_TOO_LONG = "name_too_long"
    EMAIL_INVALID = "email_invalid"
    MESSAGE_TOO_LONG = "message_too_long"
    EMPTY = "empty"
    SUBMITTED = "submitted"
    BANNED = "banned"
    DUPLICATE = "duplicate"
    FLOOD = "flood"
    NOT_IN_FORM = "not_in_form"
    ALREADY_STORED = "already_stored"


@dataclass(frozen=True)
class FormOutcome:
    step: Step
    detail: str = ""
    submission_id: int | None = None
    retry_at: float = 0.0
    # BANNED: when the ban ends (None: for good).
    banned_until: float | None = None


async def start_form(db: Database, settings: Settings, reader: Person, now: float) -> FormOutcome:
    async with db.transaction() as conn:
        ban = await readers.active_ban(conn, reader.user_id, now)
        if ban is not None:
            return FormOutcome(Step.BANNED, banned_until=ban.until)
        # Told before typing three answers, not after.
        flood = await abuse.check_flood(conn, settings, reader.user_id, now)
        if flood is not None:
            return FormOutcome(Step.FLOOD, retry_at=flood.retry_at)
        # Their name and language: the form's questions are written in it by the outbox.
        await readers.remember(conn, reader, now)
        await readers.set_state(conn, reader.user_id, ASKING_NAME, None, now)
        await effects.ask_name(conn, reader, now)
    return FormOutcome(Step.ASK_NAME)


def _check_email(text: str) -> str:
    """The normalised address; raises EmailNotValidError with a reason a person can read."""
    return validate_email(text, check_deliverability=False).normalized


def email_problem(text: str) -> str:
    """What is wrong with an address, as a key the reader's language words (the
    validator's own reasons are English)."""
    local, at, domain = text.strip().rpartition("@")
    if not at:
        return "no_at"
    if not local:
        return "nothing_before_at"
    if "." not in domain:
        return "no_domain"
    return "invalid"


async def answer(
    db: Database,
    settings: Settings,
    reader: Person,
    text: str,
    now: float,
    *,
    message_id: int | None = None,
    state: ReaderState | None = None,
    spam: SpamScreen | None = None,
) -> FormOutcome:
    """Take the reader's answer to the current step; nothing is queued until all are valid.

    A step that moves the form on queues the next question with it (through the outbox),
    so a crash between the two never leaves the reader unasked, or makes the bot read
    their name again as an email address.

    `state` is the reader's as read to route their message here (one person's messages
    are handled one at a time, so it is still theirs); without it, it is read here.
    """
    text = text.strip()
    # The message itself (not a name or an address) meets the spam check. CAS is asked
    # outside the transaction: it reads its cache under the database's lock.
    cas = (
        await spam.cas_verdict(reader.user_id)
        if spam is not None and state is not None and state.mode == ASKING_MESSAGE and text
        else CasVerdict.UNKNOWN
    )
    async with db.transaction() as conn:
        if message_id is not None and await submissions.from_message(
            conn, reader.user_id, message_id
        ):
            return FormOutcome(Step.ALREADY_STORED)
        if state is None:
            state = await readers.get_state(conn, reader.user_id)
        if state is None or state.mode not in FORM_STEPS:
            return FormOutcome(Step.NOT_IN_FORM)
        ban = await readers.active_ban(conn, reader.user_id, now)
        if ban is not None:
            return FormOutcome(Step.BANNED, banned_until=ban.until)
        if not text:
            return FormOutcome(Step.EMPTY)
        data = dict(state.data)
        if state.mode == ASKING_NAME:
            # On one line: a name with line breaks would fake lines on the card.
            text = one_line(text)
            if not text:
                return FormOutcome(Step.EMPTY)
            if len(text) > NAME_MAX_LENGTH:
                return FormOutcome(Step.NAME_TOO_LONG)
            data["name"] = text
            await readers.set_state(conn, reader.user_id, ASKING_EMAIL, None, now, data)
            await effects.tell_reader(
                conn, reader.user_id, effects.ReaderNotice.ASK_EMAIL, now, name=text
            )
            return FormOutcome(Step.ASK_EMAIL, detail=text)
        if state.mode == ASKING_EMAIL:
            try:
                data["email"] = _check_email(text)
            except EmailNotValidError:
                return FormOutcome(Step.EMAIL_INVALID, detail=email_problem(text))
            await readers.set_state(conn, reader.user_id, ASKING_MESSAGE, None, now, data)
            await effects.tell_reader(
                conn,
                reader.user_id,
                effects.ReaderNotice.ASK_MESSAGE,
                now,
                limit=MESSAGE_MAX_LENGTH,
            )
            return FormOutcome(Step.ASK_MESSAGE)
        # The author's record is read in this transaction: a comment of theirs stored at
        # the same moment is counted, so that neither passes for a first message.
        screening = (
            (
                await spam.screen_in(
                    conn, [Arrival(reader.user_id, text, now, cas, to_the_editors=True)]
                )
            )[0]
            if spam is not None
            else None
        )
        if len(text) > MESSAGE_MAX_LENGTH:
            return FormOutcome(Step.MESSAGE_TOO_LONG, detail=str(len(text)))
        refusal = await abuse.check_submission(conn, settings, reader.user_id, text, now)
        if refusal is not None:
            if refusal.reason is abuse.RefusalReason.DUPLICATE:
                return FormOutcome(Step.DUPLICATE)
            # The form stays at the message step: the reader sends it again later.
            return FormOutcome(Step.FLOOD, retry_at=refusal.retry_at)
        await readers.remember(conn, reader, now)
        submission_id = await submissions.insert(
            conn,
            SubmissionKind.CONTACT,
            reader.user_id,
            None,
            text,
            now,
            author_name=reader.display_name,
            contact_name=data.get("name", reader.display_name),
            contact_email=data.get("email"),
            source_message_id=message_id,
            wave_print=spam_waves.wave_print(text),
        )
        await _received(conn, settings, reader.user_id, submission_id, screening, now)
        await readers.clear_state(conn, reader.user_id)
    return FormOutcome(Step.SUBMITTED, submission_id=submission_id)


async def _received(
    conn: aiosqlite.Connection,
    settings: Settings,
    reader_id: int,
    submission_id: int,
    screening: Screening | None,
    now: float,
) -> None:
    """The reader hears "received"; the moderators get a card, flagged if the spam check
    is unsure, and none if it caught the message (kept aside for /spam)."""
    acknowledgement, card = effects.received_rows(
        settings, reader_id, submission_id, SubmissionKind.CONTACT
    )
    if screening is not None and screening.flagged:
        await submissions.flag_spam(conn, [screening.stored(submission_id)])
    if screening is not None and screening.catches:
        await spam_screen.catch(conn, settings, submission_id, reader_id, screening, now)
        await outbox.enqueue_all(conn, [acknowledgement], now)
        return
    await outbox.enqueue_all(conn, [acknowledgement, card], now)


async def current_step(db: Database, user_id: int) -> str | None:
    async with db.reading() as conn:
        state = await readers.get_state(conn, user_id)
    return state.mode if state and state.mode in FORM_STEPS else None


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
        await submissions.submission_of_card(conn, chat_id, message_id)
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
            cards = await submissions.cards_of(conn, submission.id)
            entries.append(InboxEntry(submission, cards[-1][1] if cards else None))
    return entries
