"""What the author of a thread comment the bot refused hears: the reason, until they
refuse to stop (then the flood gate keeps them quiet, or bans them as spam)."""

from __future__ import annotations

import aiosqlite

from bot.services import comments, floods
from bot.services.comments import SubmitResult
from bot.services.floods import FloodGate, Verdict
from bot.services.group_effects import ThreadNotice
from bot.settings import Settings
from storage.models import Person

REFUSAL_NOTICES = {
    SubmitResult.FLOOD: ThreadNotice.FLOOD,
    SubmitResult.DUPLICATE: ThreadNotice.DUPLICATE,
    SubmitResult.TOO_LONG: ThreadNotice.TOO_LONG,
    SubmitResult.ARTICLE_CLOSED: ThreadNotice.CLOSED,
    SubmitResult.EMPTY: ThreadNotice.TOO_LONG,
}


async def refusal_notice(
    conn: aiosqlite.Connection,
    settings: Settings,
    gate: FloodGate,
    author: Person,
    text: str,
    judged: comments.SubmitOutcome,
    now: float,
) -> tuple[ThreadNotice | None, float]:
    """What a refused author hears, if anything: the reason, until they refuse to stop.
    A flood's refusal is said once per wait; other refusals pass the author's flood gate."""
    admission = (
        gate.refused(author.user_id, judged.retry_at, now)
        if judged.result is SubmitResult.FLOOD
        else gate.admit(author.user_id, now)
    )
    if admission.verdict is Verdict.ADMIT:
        return REFUSAL_NOTICES.get(judged.result), judged.retry_at
    if admission.verdict is Verdict.TELL:
        return ThreadNotice.FLOOD, admission.retry_at
    if admission.verdict is Verdict.SPAM:
        await floods.treat_as_spam(
            conn,
            settings,
            author,
            admission,
            now,
            text=text.strip(),
            article_id=judged.article.id if judged.article is not None else None,
        )
    return None, 0.0
