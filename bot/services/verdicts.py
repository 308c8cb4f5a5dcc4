"""Moderation actions as data: every verdict a moderator's button gives, with what it does
and what moderators read of it, declared once. Cards, desks, their callback data, the
answers to a tap and the moderation record all read VERDICTS; deciding is
bot.services.moderation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_
from storage.models import LoggedAction, SubmissionStatus


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    BAN = "ban"
    # 🧹 Spam: a rejection that teaches the spam check, and bans a newcomer.
    SPAM = "spam"
    # Takes back a comment the trusted-author rule published.
    UNPUBLISH = "unpublish"


class BanRule(StrEnum):
    NEVER = "never"
    ALWAYS = "always"
    # An author with an approved comment is a reader who slipped, not a spammer's account.
    NEWCOMERS = "newcomers"


@dataclass(frozen=True)
class VerdictLabels:
    """What moderators read of a verdict, in English, marked for the catalogs (N_) and
    translated where shown. `*_left_up`: for a comment left up in the discussion group
    while it waited (post-moderation), kept or removed there, where it differs."""

    # Its button on cards, the review desk and private desks.
    button: str
    # Its line in the moderation record (/history).
    logged: str
    # The answer to the tap. None: said in full by the rendering (🧹 Spam tells whether
    # it banned, and how many copies went with it).
    done: str | None
    button_left_up: str | None = None
    logged_left_up: str | None = None
    done_left_up: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What a decision does, and what moderators read of it: cards, desks, answers and the
    record read it from VERDICTS, so a new verdict is one entry here (and its Decision)."""

    status: SubmissionStatus
    ban: BanRule
    # What the spam check learns from the decided text: spam, ham, or nothing.
    learns_spam: bool | None
    labels: VerdictLabels
    # The record's action for it, and on a comment left up in the thread: kept or removed
    # there, not approved or rejected. None: the same.
    logged: LoggedAction
    logged_left_up: LoggedAction | None = None
    # A comment's card and desk offer reasons after it (bot.services.reasons), and the
    # author's notice waits REJECT_NOTICE_DELAY_SECONDS for one.
    offers_reasons: bool = False


# The verdicts a moderator's button gives, in the order cards show them (UNPUBLISH takes
# back an automatic approval and is handled on its own). ❌ Reject teaches nothing: a
# human comment that does not fit.
VERDICTS: dict[Decision, Verdict] = {
    Decision.APPROVE: Verdict(
        SubmissionStatus.APPROVED,
        BanRule.NEVER,
        learns_spam=False,
        labels=VerdictLabels(
            button=N_("✅ Approve"),
            logged=N_("✅ approved"),
            done=N_("Approved."),
            button_left_up=N_("✅ Keep"),
            logged_left_up=N_("✅ kept"),
            done_left_up=N_("Kept."),
        ),
        logged=LoggedAction.APPROVE,
        logged_left_up=LoggedAction.KEEP,
    ),
    Decision.REJECT: Verdict(
        SubmissionStatus.REJECTED,
        BanRule.NEVER,
        learns_spam=None,
        labels=VerdictLabels(
            button=N_("❌ Reject"),
            logged=N_("❌ rejected"),
            done=N_("Rejected."),
            button_left_up=N_("🗑 Remove"),
            logged_left_up=N_("🗑 removed"),
            done_left_up=N_("Removed from the group."),
        ),
        logged=LoggedAction.REJECT,
        logged_left_up=LoggedAction.REMOVE,
        offers_reasons=True,
    ),
    Decision.BAN: Verdict(
        SubmissionStatus.REJECTED,
        BanRule.ALWAYS,
        learns_spam=None,
        labels=VerdictLabels(
            button=N_("🚫 Ban author"),
            logged=N_("🚫 banned"),
            done=N_("Rejected and the author is banned."),
            done_left_up=N_("Removed from the group and the author is banned."),
        ),
        logged=LoggedAction.BAN,
        offers_reasons=True,
    ),
    # Rejects, bans a newcomer and teaches the spam check.
    Decision.SPAM: Verdict(
        SubmissionStatus.REJECTED,
        BanRule.NEWCOMERS,
        learns_spam=True,
        labels=VerdictLabels(button=N_("🧹 Spam"), logged=N_("🧹 marked spam"), done=None),
        logged=LoggedAction.SPAM,
    ),
}


def logged_labels() -> dict[LoggedAction, str]:
    """The record's label of each action a verdict logs (untranslated)."""
    labels: dict[LoggedAction, str] = {}
    for verdict in VERDICTS.values():
        labels[verdict.logged] = verdict.labels.logged
        if verdict.logged_left_up is not None and verdict.labels.logged_left_up is not None:
            labels[verdict.logged_left_up] = verdict.labels.logged_left_up
    return labels
