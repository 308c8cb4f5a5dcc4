"""Button data: built and parsed here only, versioned so old buttons fail safely.

Telegram allows 1-64 bytes of callback data; `mod:v1:approve:<id>` stays far below that.
Ids are `[0-9]`: a regex `\\d` matches other scripts' digits too ("٣").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.services.verdicts import VERDICTS, Decision

MODERATION_PREFIX = "mod:"
ARTICLE_PREFIX = "art:"
CONTACT_PREFIX = "ct:"
DESK_PREFIX = "desk:"
# The verdicts' words, as VERDICTS declares them: a new verdict's buttons parse with no
# change here.
_VERDICT_WORDS = "|".join(decision.value for decision in VERDICTS)
_DESK = re.compile(rf"^desk:v1:({_VERDICT_WORDS}|skip):([0-9]{{1,18}})$")
# The contact form's buttons: open the form; answer the name step with one's Telegram name.
CONTACT_START = "ct:v1:start"
CONTACT_USE_TELEGRAM_NAME = "ct:v1:name"
_MODERATION = re.compile(rf"^mod:v1:({_VERDICT_WORDS}|unpublish):([0-9]{{1,18}})$")
_ARTICLE = re.compile(r"^art:v1:open:([0-9]{1,18})$")
# A moderator's private desk: the item's id, or 0 on an empty or expired desk.
PRIVATE_DESK_PREFIX = "pdesk:"
_PRIVATE_DESK = re.compile(rf"^pdesk:v1:({_VERDICT_WORDS}|skip|close|next):([0-9]{{1,18}})$")
# ↩️ Not spam on /spam's list: the caught item's id.
SPAM_UNDO_PREFIX = "spam:"
_SPAM_UNDO = re.compile(r"^spam:v1:undo:([0-9]{1,18})$")
# A ban's term on the card whose 🚫 made it (bot.services.bans.CARD_TERMS).
BAN_TERM_PREFIX = "term:"
_BAN_TERM = re.compile(r"^term:v1:(24h|7d|forever):([0-9]{1,18})$")
# A reason after a rejection: where it was offered, the item, the REJECT_REASONS key
# (last: a key may hold any character but a comma).
REASON_PREFIX = "why:"
_REASON = re.compile(r"^why:v1:(card|desk|pdesk):([0-9]{1,18}):(.+)$")
LANGUAGE_PREFIX = "lang:"
# ✏️ Edit on a pending comment's card: the comment's id.
EDIT_PREFIX = "edit:"
_EDIT = re.compile(r"^edit:v1:([0-9]{1,18})$")
_LANGUAGE = re.compile(r"^lang:v1:([a-z]{2})$")


@dataclass(frozen=True)
class ModerationPress:
    decision: Decision
    submission_id: int


def moderation(decision: Decision, submission_id: int) -> str:
    return f"mod:v1:{decision.value}:{submission_id}"


def parse_moderation(data: str | None) -> ModerationPress | None:
    match = _MODERATION.match(data or "")
    if match is None:
        return None
    return ModerationPress(Decision(match[1]), int(match[2]))


def open_article(article_id: int) -> str:
    return f"art:v1:open:{article_id}"


def parse_open_article(data: str | None) -> int | None:
    match = _ARTICLE.match(data or "")
    return int(match[1]) if match else None


@dataclass(frozen=True)
class DeskPress:
    # None: Skip.
    decision: Decision | None
    submission_id: int


def desk(action: Decision | str, submission_id: int) -> str:
    """`action`: a decision, or "skip"."""
    return f"desk:v1:{action}:{submission_id}"


def parse_desk(data: str | None) -> DeskPress | None:
    match = _DESK.match(data or "")
    if match is None:
        return None
    decision = None if match[1] == "skip" else Decision(match[1])
    return DeskPress(decision, int(match[2]))


class PrivateDeskAction(StrEnum):
    """A private desk's own buttons; its verdict buttons carry the Decision."""

    SKIP = "skip"
    CLOSE = "close"
    # Continue after a claim ran out, or look again on an empty desk.
    NEXT = "next"


@dataclass(frozen=True)
class PrivateDeskPress:
    action: PrivateDeskAction | Decision
    submission_id: int

    @property
    def decision(self) -> Decision | None:
        """The verdict the press gives, if it gives one."""
        return self.action if isinstance(self.action, Decision) else None


def private_desk(action: PrivateDeskAction | Decision, submission_id: int | None) -> str:
    return f"pdesk:v1:{action.value}:{submission_id or 0}"


def parse_private_desk(data: str | None) -> PrivateDeskPress | None:
    match = _PRIVATE_DESK.match(data or "")
    if match is None:
        return None
    word = match[1]
    verdict = next((decision for decision in VERDICTS if decision.value == word), None)
    action = verdict if verdict is not None else PrivateDeskAction(word)
    return PrivateDeskPress(action, int(match[2]))


def language(code: str) -> str:
    return f"lang:v1:{code}"


def parse_language(data: str | None) -> str | None:
    match = _LANGUAGE.match(data or "")
    return match[1] if match else None


def spam_undo(submission_id: int) -> str:
    return f"spam:v1:undo:{submission_id}"


def parse_spam_undo(data: str | None) -> int | None:
    match = _SPAM_UNDO.match(data or "")
    return int(match[1]) if match else None


def edit(submission_id: int) -> str:
    return f"edit:v1:{submission_id}"


def parse_edit(data: str | None) -> int | None:
    match = _EDIT.match(data or "")
    return int(match[1]) if match else None


@dataclass(frozen=True)
class BanTermPress:
    term: str
    submission_id: int


def ban_term(term: str, submission_id: int) -> str:
    return f"term:v1:{term}:{submission_id}"


def parse_ban_term(data: str | None) -> BanTermPress | None:
    match = _BAN_TERM.match(data or "")
    return BanTermPress(match[1], int(match[2])) if match else None


class ReasonSurface(StrEnum):
    """Where a reason was offered: a card, the group's desk, a private desk."""

    CARD = "card"
    DESK = "desk"
    PRIVATE_DESK = "pdesk"


@dataclass(frozen=True)
class ReasonPress:
    surface: ReasonSurface
    submission_id: int
    reason: str


def reason(surface: ReasonSurface, submission_id: int, key: str) -> str:
    """At most 64 bytes: the settings refuse a key over REJECT_REASON_KEY_MAX_BYTES."""
    return f"why:v1:{surface.value}:{submission_id}:{key}"


def parse_reason(data: str | None) -> ReasonPress | None:
    match = _REASON.match(data or "")
    if match is None:
        return None
    return ReasonPress(ReasonSurface(match[1]), int(match[2]), match[3])


# /forget's confirmation: what becomes of the published comments (or cancel), and whose
# data it is (the presser's own, or, for an admin, the reader of /forget USER).
FORGET_PREFIX = "fgt:"
_FORGET = re.compile(r"^fgt:v1:(down|keep|cancel):([0-9]{1,18})$")


@dataclass(frozen=True)
class ForgetPress:
    # "down", "keep" (bot.services.forget.Published) or "cancel".
    choice: str
    user_id: int


def forget(choice: str, user_id: int) -> str:
    return f"fgt:v1:{choice}:{user_id}"


def parse_forget(data: str | None) -> ForgetPress | None:
    match = _FORGET.match(data or "")
    return ForgetPress(match[1], int(match[2])) if match else None
