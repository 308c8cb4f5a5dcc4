"""The spam check itself: a score from 0.0 to 1.0, the reasons in words, and a verdict.

Pure and synchronous: no storage, no Telegram. `bot.spam.filter.SpamFilter` feeds it
what the moderators decided and keeps that in the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from bot.spam.bayes import HashedBayes, features
from bot.spam.signals import TextSignals, read_signals, signal_tokens
from bot.spam.similarity import FingerprintIndex
from bot.spam.text import fingerprint, normalise, skeleton

# The spam marked most recently that a new text is compared with, for "like N messages
# marked spam". Bounded: a check looks at a few candidates whatever the history.
RECENT_SPAM = 2000
# A wave: near-identical texts from this many accounts within WAVE_MINUTES.
WAVE_ACCOUNTS = 3
WAVE_MINUTES = 5
_WAVE_MEMORY = 5000
# The accounts a copy keeps of its wave: more than a wave's weight needs.
_WAVE_KEPT = 32
# A wave this large, of new accounts (none with an approved comment), sending one long
# text is spam by itself (its weight reaches _WAVE_MANY): seven accounts that nobody here
# knows sending the same long text within five minutes are a script, not readers who agree
# (sent within five minutes by new accounts, none of tg-spam's 436 genuine messages, our
# starter set's or the wave benchmark's made even a wave of three: benchmarks/spam.py,
# "false waves"). Below it, a wave alone makes a flagged card, and takes other evidence
# (the wording, a link, copies marked spam) to be removed; a catch is undone with
# ↩️ Not spam.
WAVE_ALONE_ACCOUNTS = 7
# How much each signal weighs, in log odds added to the classifier's. The classifier
# learns words (and sees the signals as words too); these weights carry what it cannot
# learn from one message: the history around it.
_WORDING_SCALE = 0.6
# The wording is named among the reasons from this much evidence.
_WORDING_REASON = 1.0
_SIMILAR_SPAM = 2.5
_SIMILAR_SPAM_EACH = 0.5
_WAVE = 2.5
# For a new account's message, each new account past WAVE_ACCOUNTS adds this: each is
# evidence of its own, so the weights add up, as the classifier's do. 3 accounts weigh
# _WAVE, 4 weigh 4.0 (alone, a first message: `unsure`), 5 weigh 5.5.
_WAVE_EACH = 1.5
# The most a wave weighs, from WAVE_ALONE_ACCOUNTS: a first message that says nothing
# else is then spam (0.5 - 4.0 + 7.5 = 4.0 in log odds, a score over 0.98).
_WAVE_MANY = 7.5
# A wave of a short text weighs no more than this (alone: `unsure`, never `spam`): readers
# write the same sentence of thanks or agreement independently ("Thank you for this
# article, very informative"), while a long text shared by many accounts was copied.
_WAVE_SHORT_MAX = 4.0
# Letters and spaces in the skeleton (bot.spam.text) from which a text is long: more than
# one such sentence.
_WAVE_LONG_TEXT = 60
_INVITE = 0.75
_PHONE = 0.7
# A link to a domain of a TLD spam favours: more than a link, less than an invite to a
# private group (a reader may still link a blog there).
_ABUSED_DOMAIN = 1.0
# Asking to be written privately: alone, a first message stays `ham` (-4.0 + 0.5 + 2.0);
# with a wave of three it is flagged, and with the wording of spam or a wave of four, removed.
_PRIVATE_CONTACT = 2.0
_EMOJI_MANY = 0.7
_CAPITALS = 0.5
_DISGUISED = 1.5
_FIRST_MESSAGE = 0.5
_KNOWN_SPAMMER = 2.5
_TRUSTED_EACH = 1.0
_TRUSTED_MAX = 4.0
# The evidence before any signal: a little towards ham, as most of what readers send is.
_BIAS = -4.0
_EMOJI_MANY_COUNT = 6


class Verdict(StrEnum):
    # Confident: never public, never a card.
    SPAM = "spam"
    # A normal card, flagged with the score and the reasons.
    UNSURE = "unsure"
    HAM = "ham"


class ReasonKind(StrEnum):
    WORDING = "wording"
    SIMILAR_SPAM = "similar_spam"
    WAVE = "wave"
    INVITE_LINK = "invite_link"
    LINK = "link"
    ABUSED_DOMAIN = "abused_domain"
    MENTION = "mention"
    PHONE = "phone"
    PRIVATE_CONTACT = "private_contact"
    EMOJI = "emoji"
    CAPITALS = "capitals"
    DISGUISED = "disguised"
    FIRST_MESSAGE = "first_message"
    KNOWN_SPAMMER = "known_spammer"
    # The Combot Anti-Spam list has the account (bot.cas; weighed by the caller).
    CAS_LISTED = "cas_listed"


@dataclass(frozen=True)
class Reason:
    """Why a text looks like spam. `count` is the N in the words (messages, accounts,
    emoji); `minutes` is the wave's window."""

    kind: ReasonKind
    count: int = 0
    minutes: int = 0

    @property
    def text(self) -> str:
        """In English; the bot's own texts translate `kind` through gettext."""
        n = self.count
        s = "" if n == 1 else "s"
        return {
            ReasonKind.WORDING: "wording like spam",
            ReasonKind.SIMILAR_SPAM: f"like {n} message{s} marked spam",
            ReasonKind.WAVE: f"same text from {n} accounts in {self.minutes} minutes",
            ReasonKind.INVITE_LINK: "invite link",
            ReasonKind.LINK: "link",
            ReasonKind.ABUSED_DOMAIN: "link to a domain spam favours",
            ReasonKind.MENTION: "@mention",
            ReasonKind.PHONE: "phone number",
            ReasonKind.PRIVATE_CONTACT: "asks to be written to privately",
            ReasonKind.EMOJI: f"{n} emoji",
            ReasonKind.CAPITALS: "mostly capitals",
            ReasonKind.DISGUISED: "look-alike letters",
            ReasonKind.FIRST_MESSAGE: "first message of a new account",
            ReasonKind.KNOWN_SPAMMER: "author sent spam before",
            ReasonKind.CAS_LISTED: "listed by CAS",
        }[self.kind]


@dataclass(frozen=True)
class AuthorRecord:
    """What the caller knows of the author; the check keeps no record of people."""

    user_id: int
    approved: int = 0
    # Messages of theirs marked spam (by a moderator or caught automatically).
    spam: int = 0
    # Anything they sent before, whatever became of it.
    earlier_messages: int = 0

    @property
    def trusted(self) -> bool:
        """An approved comment and no spam: their verdict is never `spam`."""
        return self.approved > 0 and self.spam == 0


@dataclass(frozen=True)
class Thresholds:
    spam: float = 0.98
    unsure: float = 0.5


@dataclass(frozen=True)
class SpamCheck:
    score: float
    verdict: Verdict
    # Strongest first; only what speaks for spam.
    reasons: tuple[Reason, ...]

    @property
    def reasons_text(self) -> list[str]:
        return [reason.text for reason in self.reasons]


class SpamChecker:
    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.model = HashedBayes()
        self._recent_spam = FingerprintIndex(RECENT_SPAM)
        self._recent_texts = FingerprintIndex(_WAVE_MEMORY)

    def learn(self, text: str, *, spam: bool, remember: bool = True) -> None:
        """One decision. `remember`: a spam text counts for "like N messages marked
        spam" (the starter set does not: nobody marked it)."""
        normalised = normalise(text)
        self.model.learn(_features(text, normalised), spam)
        if spam and remember:
            self.remember_spam(text)

    def remember_spam(self, text: str) -> None:
        """Counted for "like N messages marked spam", without learning it again."""
        print_ = fingerprint(normalise(text))
        if print_ is not None:
            self._recent_spam.add(print_)

    def check(
        self,
        text: str,
        *,
        author: AuthorRecord | None = None,
        now: float = 0.0,
        to_the_editors: bool = False,
    ) -> SpamCheck:
        """The verdict on one message. With an author, the text is also remembered for
        WAVE_MINUTES, so call it once per message received. `to_the_editors`: a contact
        message, where asking to be written back privately is the point of writing."""
        normalised = normalise(text)
        signals = read_signals(text, normalised)
        # Summed over the whole text, not averaged: spam says more of what spam says (on
        # tg-spam's samples, dividing by the square root of its length cost 0.15 of recall).
        wording, _ = self.model.log_odds(_features(text, normalised, signals))
        wording *= _WORDING_SCALE
        # What the classifier says is weighed as it is; the others add to it.
        weighed: list[tuple[float, Reason]] = []
        print_ = fingerprint(normalised)
        if print_ is not None:
            like = len(self._recent_spam.similar(print_))
            if like:
                weight = _SIMILAR_SPAM + _SIMILAR_SPAM_EACH * min(like - 1, 4)
                weighed.append((weight, Reason(ReasonKind.SIMILAR_SPAM, like)))
            if author is not None:
                long_text = len(skeleton(normalised)) >= _WAVE_LONG_TEXT
                weighed.extend(self._wave(print_, author, now, long_text=long_text))
        weighed.extend(_signal_reasons(signals, to_the_editors=to_the_editors))
        if author is not None:
            weighed.extend(_author_reasons(author))
        evidence = _BIAS + wording + sum(weight for weight, _ in weighed)
        if author is not None and author.approved:
            # Trust speaks against spam: it lowers the score and names no reason.
            evidence -= min(_TRUSTED_MAX, _TRUSTED_EACH * author.approved)
        score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, evidence))))
        if wording > _WORDING_REASON:
            weighed.append((wording, Reason(ReasonKind.WORDING)))
        strongest = sorted(weighed, key=lambda pair: pair[0], reverse=True)
        verdict = self._verdict(score, author)
        return SpamCheck(round(score, 3), verdict, tuple(reason for _, reason in strongest))

    def _verdict(self, score: float, author: AuthorRecord | None) -> Verdict:
        if score >= self.thresholds.spam and not (author is not None and author.trusted):
            return Verdict.SPAM
        if score >= self.thresholds.unsure:
            return Verdict.UNSURE
        return Verdict.HAM

    def _wave(
        self, print_: tuple[int, ...], author: AuthorRecord, now: float, *, long_text: bool
    ) -> list[tuple[float, Reason]]:
        since = now - WAVE_MINUTES * 60
        self._recent_texts.forget_before(since)
        # Copies of copies count: a script's copies, each with its own words in a few slots,
        # are each near-identical to some of the others, not all to all, so the wave is the
        # accounts of every copy this text matches and of the waves those were part of.
        copies = self._recent_texts.similar(print_)
        wave: dict[int, tuple[float, bool]] = {author.user_id: (now, not author.approved)}
        for entry in copies:
            for user_id, (at, newcomer) in entry.wave.items():
                # Enough accounts to weigh, kept per copy: a flood of thousands of copies
                # costs no more (a copy's wave is never more than _WAVE_KEPT either, so
                # waves cannot grow copy after copy).
                if len(wave) >= _WAVE_KEPT:
                    break
                if at >= since and user_id not in wave:
                    wave[user_id] = (at, newcomer)
        self._recent_texts.add(print_, author_id=author.user_id, at=now, wave=wave)
        # Named in full: the accounts of every copy this text matches, and of their waves.
        accounts = {entry.author_id for entry in copies} | wave.keys()
        if len(accounts) < WAVE_ACCOUNTS:
            return []
        weight = _WAVE
        if not author.approved:
            newcomers = sum(1 for _, newcomer in wave.values() if newcomer)
            weight += _WAVE_EACH * max(0, newcomers - WAVE_ACCOUNTS)
            weight = min(weight, _WAVE_MANY if long_text else _WAVE_SHORT_MAX)
        return [(weight, Reason(ReasonKind.WAVE, len(accounts), WAVE_MINUTES))]


def _features(text: str, normalised: str, signals: TextSignals | None = None) -> set[int]:
    if signals is None:
        signals = read_signals(text, normalised)
    return features(normalised, signal_tokens(signals))


def _signal_reasons(signals: TextSignals, *, to_the_editors: bool) -> list[tuple[float, Reason]]:
    found: list[tuple[float, Reason]] = []
    if signals.invite_links:
        found.append((_INVITE, Reason(ReasonKind.INVITE_LINK)))
    elif signals.abused_domains:
        found.append((_ABUSED_DOMAIN, Reason(ReasonKind.ABUSED_DOMAIN)))
    elif signals.links:
        # A link alone is ordinary (a source, a video); the classifier weighs it as a word.
        found.append((0.01, Reason(ReasonKind.LINK)))
    if signals.mentions:
        found.append((0.01, Reason(ReasonKind.MENTION)))
    if signals.phone_numbers:
        found.append((_PHONE, Reason(ReasonKind.PHONE)))
    if signals.private_contact and not to_the_editors:
        found.append((_PRIVATE_CONTACT, Reason(ReasonKind.PRIVATE_CONTACT)))
    if signals.emoji >= _EMOJI_MANY_COUNT:
        found.append((_EMOJI_MANY, Reason(ReasonKind.EMOJI, signals.emoji)))
    if signals.disguised:
        found.append((_DISGUISED, Reason(ReasonKind.DISGUISED)))
    if signals.capitals >= 0.6:
        found.append((_CAPITALS, Reason(ReasonKind.CAPITALS)))
    return found


def _author_reasons(author: AuthorRecord) -> list[tuple[float, Reason]]:
    found: list[tuple[float, Reason]] = []
    if author.spam:
        found.append((_KNOWN_SPAMMER, Reason(ReasonKind.KNOWN_SPAMMER)))
    if not author.approved and not author.earlier_messages:
        found.append((_FIRST_MESSAGE, Reason(ReasonKind.FIRST_MESSAGE)))
    return found
