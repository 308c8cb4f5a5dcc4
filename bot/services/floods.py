"""Floods cost nothing: a person who sends faster than anyone types is told once when they
may write again, then hears nothing until then; one who keeps sending is treated as spam.

Before, every message of a flood was answered: five accounts sending 30 messages a second
got 1,500 refusals queued within Telegram's 30 a second, and readers commenting meanwhile
waited up to half a minute for their answer. Now a flooder costs the bot a few calls.

Two rules, kept here in memory (a rate over seconds, not a record: after a restart a
flooder is at worst told once more; bans they earn are stored as any ban is):
- `admit`: each person's updates in private chats (and button presses) pass a token
  bucket: FLOOD_GATE_BURST at once, then one every FLOOD_GATE_REFILL_SECONDS. Past it,
  they are told once when the bucket is full again; what they send until then gets no
  answer and no call to Telegram.
- `refused`: a refusal that carries its own wait (a comment typed in a thread too soon
  after the last) is said once per wait; the same refusal again before then is silent.
  That wait is for what was refused: it does not silence the person's private chat.

Who keeps sending while told to wait (FLOOD_SPAM_AFTER messages) is a persistent flooder:
the caller treats them as spam (`Verdict.SPAM`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.services import bans
from bot.settings import Settings
from storage import moderation_log, readers, spam_catches, submissions
from storage.models import LoggedAction, Person

# People remembered before those whose quiet is over and whose bucket is full are
# forgotten (nothing of theirs constrains their next update). Should more be active at
# once, the longest known are forgotten too, down to nine tenths, so that memory stays
# bounded and the next sweep is a tenth of this many people away: one forgotten flooder is
# at worst told once more, as after a restart.
PEOPLE_REMEMBERED = 10_000
# The longest a flooder is told to wait, however long they have been flooding.
MAX_WAIT_SECONDS = 3600.0
# Enough doublings to reach MAX_WAIT_SECONDS from any sensible burst.
MAX_STRIKES = 16


class Verdict(StrEnum):
    # Handle it as usual.
    ADMIT = "admit"
    # Refuse it, and tell them when they may write again (`retry_at`).
    TELL = "tell"
    # Refuse it without a word: they were told already.
    QUIET = "quiet"
    # Refuse it without a word, and treat them as spam: they kept flooding after the word.
    SPAM = "spam"


@dataclass(frozen=True)
class Admission:
    verdict: Verdict
    retry_at: float = 0.0
    # SPAM: the messages they sent from the word to wait on (that one counted), and over
    # how many seconds: /spam's reason.
    flood_messages: int = 0
    flood_seconds: float = 0.0


@dataclass
class _Person:
    tokens: float
    # When the tokens were last counted.
    counted_at: float
    # Told to wait until then; what they send before is not answered.
    quiet_until: float = 0.0
    # When they were told.
    told_at: float = 0.0
    # Messages sent while told to wait.
    ignored: int = 0
    # Already treated as spam during this quiet time.
    spam: bool = False
    # Times told to wait since their bucket was last full: each doubles the next wait.
    strikes: int = 0


class FloodGate:
    def __init__(self, burst: int, refill_seconds: float, spam_after: int) -> None:
        self._burst = burst
        self._refill_seconds = refill_seconds
        self._spam_after = spam_after
        self._people: dict[int, _Person] = {}
        # Refusals with their own wait, kept apart: a reader told to wait before commenting
        # again under a post is still answered in their private chat.
        self._refusals: dict[int, _Person] = {}

    def admit(self, person_id: int, now: float) -> Admission:
        """Whether a person's update is handled (ADMIT), or why not."""
        person = self._person(person_id, now)
        if now < person.quiet_until:
            return self._ignored(person, now)
        if self._refill_seconds > 0:
            person.tokens = min(
                float(self._burst),
                person.tokens + (now - person.counted_at) / self._refill_seconds,
            )
        person.counted_at = now
        if now >= person.quiet_until + self._burst * self._refill_seconds:
            # Not stopped for as long as a whole burst takes to come back: past floods
            # are forgiven.
            person.strikes = 0
        if person.tokens >= 1 or self._refill_seconds <= 0:
            person.tokens -= 1
            return Admission(Verdict.ADMIT)
        # Told to come back once the bucket is full: a burst's worth of messages again.
        # One who floods again at once waits twice as long each time (an hour at most),
        # so a flood that never stops costs a few answers an hour, not one every burst.
        wait = min(MAX_WAIT_SECONDS, self._burst * self._refill_seconds * 2**person.strikes)
        person.strikes = min(person.strikes + 1, MAX_STRIKES)
        return self._told(person, now, now + wait)

    def refused(self, person_id: int, retry_at: float, now: float) -> Admission:
        """A refusal whose wait ends at `retry_at`: TELL the first time, QUIET after that
        until then (SPAM once they have kept sending FLOOD_SPAM_AFTER messages)."""
        person = self._person(person_id, now, self._refusals)
        if now < person.quiet_until:
            return self._ignored(person, now)
        return self._told(person, now, retry_at)

    @property
    def people_remembered(self) -> int:
        return len(self._people) + len(self._refusals)

    def forgive(self, person_id: int) -> None:
        """Not a flooder after all (a moderator at work): their next update starts afresh."""
        self._people.pop(person_id, None)
        self._refusals.pop(person_id, None)

    def _person(
        self, person_id: int, now: float, people: dict[int, _Person] | None = None
    ) -> _Person:
        people = self._people if people is None else people
        person = people.get(person_id)
        if person is None:
            if len(people) >= PEOPLE_REMEMBERED:
                self._forget_settled(people, now)
            person = people[person_id] = _Person(float(self._burst), now)
        return person

    def _told(self, person: _Person, now: float, retry_at: float) -> Admission:
        person.quiet_until = retry_at
        person.told_at = now
        person.ignored = 0
        person.spam = False
        return Admission(Verdict.TELL, retry_at)

    def _ignored(self, person: _Person, now: float) -> Admission:
        person.ignored += 1
        if person.ignored >= self._spam_after and not person.spam:
            # Once per quiet time: later messages are removed quietly with the rest.
            person.spam = True
            return Admission(
                Verdict.SPAM,
                person.quiet_until,
                flood_messages=person.ignored + 1,
                flood_seconds=now - person.told_at,
            )
        return Admission(Verdict.QUIET, person.quiet_until)

    def _forget_settled(self, people: dict[int, _Person], now: float) -> None:
        full_after = self._burst * self._refill_seconds
        for key in [
            key
            for key, person in people.items()
            if max(person.quiet_until, person.counted_at) + full_after <= now
        ]:
            del people[key]
        # Oldest first: a dict keeps the order in which people were first seen.
        for key in list(people)[: max(0, len(people) - PEOPLE_REMEMBERED * 9 // 10)]:
            del people[key]


# The reason a ban for flooding carries in the moderation record.
FLOODING_BAN_REASON = "flooding"


async def treat_as_spam(
    conn: aiosqlite.Connection,
    settings: Settings,
    person: Person,
    admission: Admission,
    now: float,
    *,
    text: str = "",
    article_id: int | None = None,
) -> int | None:
    """A persistent flooder is banned, here and from the discussion group, as spam is,
    and recorded as a catch ("flooding: N messages in M seconds", with the words of what
    tipped them over, if any) so that /spam lists it and ↩️ Not spam lifts the ban. What a
    flood sent was refused, not stored: nothing of it comes back as a card. Returns the
    catch's id; None for one banned already (the gate still sees their private chat, and
    /spam would list them once per flood)."""
    if await readers.is_banned(conn, person.user_id, now):
        return None
    await readers.remember(conn, person, now)
    catch_id = await spam_catches.catch_flood(
        conn,
        person,
        text,
        article_id,
        messages=admission.flood_messages,
        seconds=max(1, math.ceil(admission.flood_seconds)),
        now=now,
    )
    await moderation_log.append(
        conn,
        LoggedAction.CAUGHT,
        now,
        moderator=None,
        author_id=person.user_id,
        submission_id=catch_id,
        detail={"reasons": [FLOODING_BAN_REASON]},
    )
    catch = await submissions.get(conn, catch_id)
    assert catch is not None
    await bans.ban_caught_author(conn, settings, catch, now, reason=FLOODING_BAN_REASON)
    return catch_id
