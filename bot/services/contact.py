"""The contact form (name, email, message); the conversation that follows it is in
bot.services.contact_conversation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite
from email_validator import EmailNotValidError, validate_email

from bot.cas import CasVerdict
from bot.services import abuse, effects, spam_screen, spam_waves
from bot.services.spam_screen import Arrival, Screening, SpamScreen
from bot.settings import Settings
from bot.text import one_line
from storage import outbox, readers, submissions
from storage.db import Database
from storage.models import (
    Person,
    ReaderState,
    SubmissionKind,
)

# The form's steps, stored as the reader's state so a restart resumes where they were.
ASKING_NAME = "contact_name"
ASKING_EMAIL = "contact_email"
ASKING_MESSAGE = "contact_message"
FORM_STEPS = (ASKING_NAME, ASKING_EMAIL, ASKING_MESSAGE)

NAME_MAX_LENGTH = 100
MESSAGE_MAX_LENGTH = 4000


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
