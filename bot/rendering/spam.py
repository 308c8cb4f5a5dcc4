"""The spam check's words for moderators: the "⚠️ Likely spam" flag and its reasons."""

from __future__ import annotations

from bot.i18n import Texts
from bot.spam.checker import ReasonKind
from storage.models import Submission
from storage.spam_catches import FLOODING

# A card names the strongest reasons; the rest are in the score.
REASONS_SHOWN = 4


def reason_text(t: Texts, kind: str, count: int, minutes: int) -> str:
    """One reason as the check gave it (bot.spam.checker.Reason), in the moderators'
    language; a kind this version does not know is shown as it is stored."""
    if kind == FLOODING:
        # Flood control's reason: `minutes` holds seconds there (storage.spam_catches).
        return t.gettext("flooding: {messages} in {seconds}").format(
            messages=t.ngettext("{count} message", "{count} messages", count).format(count=count),
            seconds=t.ngettext("{count} second", "{count} seconds", minutes).format(count=minutes),
        )
    try:
        known = ReasonKind(kind)
    except ValueError:
        return kind
    if known is ReasonKind.SIMILAR_SPAM:
        return t.ngettext(
            "like {count} message marked spam", "like {count} messages marked spam", count
        ).format(count=count)
    if known is ReasonKind.WAVE:
        return t.ngettext(
            "same text from {count} account in {minutes} minutes",
            "same text from {count} accounts in {minutes} minutes",
            count,
        ).format(count=count, minutes=minutes)
    if known is ReasonKind.EMOJI:
        return t.ngettext("{count} emoji", "{count} emoji", count).format(count=count)
    return {
        ReasonKind.WORDING: t.gettext("wording like spam"),
        ReasonKind.INVITE_LINK: t.gettext("invite link"),
        ReasonKind.LINK: t.gettext("link"),
        ReasonKind.ABUSED_DOMAIN: t.gettext("link to a domain spam favours"),
        ReasonKind.MENTION: t.gettext("@mention"),
        ReasonKind.PHONE: t.gettext("phone number"),
        ReasonKind.PRIVATE_CONTACT: t.gettext("asks to be written to privately"),
        ReasonKind.CAPITALS: t.gettext("mostly capitals"),
        ReasonKind.DISGUISED: t.gettext("look-alike letters"),
        ReasonKind.FIRST_MESSAGE: t.gettext("first message of a new account"),
        ReasonKind.KNOWN_SPAMMER: t.gettext("author sent spam before"),
        ReasonKind.CAS_LISTED: t.gettext("listed by CAS"),
    }.get(known, kind)


def spam_lines(t: Texts, submission: Submission) -> list[str]:
    """ "⚠️ Likely spam (0.82): invite link, …" on a card the check was unsure of (or, in
    a dry run, sure of); nothing on any other."""
    reasons = ", ".join(
        reason_text(t, *reason) for reason in submission.spam_reasons[:REASONS_SHOWN]
    )
    if submission.spam_score is None:
        # Caught by flood control: no score, the reason says it all.
        return [t.gettext("⚠️ Spam: {reasons}").format(reasons=reasons)] if reasons else []
    score = f"{submission.spam_score:.2f}"
    if not reasons:
        return [t.gettext("⚠️ Likely spam ({score})").format(score=score)]
    return [t.gettext("⚠️ Likely spam ({score}): {reasons}").format(score=score, reasons=reasons)]
