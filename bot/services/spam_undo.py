"""↩️ Not spam: a moderator takes back what the spam check caught by itself.

The catch becomes a pending submission as if just written (its card is queued as any new
one's; a comment typed in a thread, already deleted, is published by the bot on approval
as in THREAD_MODERATION=pre), the ban the catch made is lifted (the bot's and the
discussion group's), the author's comments swept with that ban wait on their cards again,
and the spam check learns the text as ham. A persistent flooder's catch
(bot.services.floods) gives back the ban lifted and what was swept with it, no card: a
flood was refused, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.services import desk, effects, group_effects
from bot.services.spam_screen import BANNED_BY_SPAM_CHECK
from bot.settings import Settings
from bot.spam.filter import MODERATOR, SpamFilter
from storage import moderation_log, outbox, spam_catches, submissions
from storage.db import Database
from storage.models import LoggedAction, Person, Submission

# How many catches /spam lists: ten short entries stay well inside a message's 4096
# characters, and a keyboard of ten buttons.
LISTED = 10


class UndoResult(StrEnum):
    RESTORED = "restored"
    # Restored before (a second tap), or decided since.
    ALREADY_RESTORED = "already_restored"
    NOT_FOUND = "not_found"
    # The button was pressed on a message that is not a /spam list: forged data.
    WRONG_MESSAGE = "wrong_message"


@dataclass(frozen=True)
class UndoOutcome:
    result: UndoResult
    submission: Submission | None = None
    # The author's ban, made by this catch, was lifted.
    unbanned: bool = False


async def latest_catches(db: Database, limit: int = LISTED) -> list[Submission]:
    async with db.reading() as conn:
        return await spam_catches.latest(conn, limit)


async def restore(
    db: Database,
    settings: Settings,
    submission_id: int,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int] | None = None,
    spam_filter: SpamFilter | None = None,
) -> UndoOutcome:
    """Undo one catch, once; everything it asks for goes out with it, atomically, and the
    moderation record says who undid it (and lifted its ban).

    `pressed_on` is the (chat, message) whose button was pressed; it must be a /spam list,
    since a client can send any button data from any message it sees."""
    async with db.transaction() as conn:
        if pressed_on is not None and not await spam_catches.is_list(conn, *pressed_on):
            return UndoOutcome(UndoResult.WRONG_MESSAGE)
        caught = await submissions.get(conn, submission_id)
        if caught is None:
            return UndoOutcome(UndoResult.NOT_FOUND)
        if not await spam_catches.restore(conn, submission_id, moderator.user_id, now):
            return UndoOutcome(UndoResult.ALREADY_RESTORED, caught)
        author = caught.author.user_id
        unbanned = await spam_catches.lift_ban_made_by(
            conn, author, submission_id, BANNED_BY_SPAM_CHECK, now
        )
        await moderation_log.append(
            conn,
            LoggedAction.NOT_SPAM,
            now,
            moderator=moderator,
            author_id=author,
            submission_id=submission_id,
        )
        if unbanned:
            await group_effects.ban_in_discussion_group(conn, settings, author, now, lift=True)
            await moderation_log.append(
                conn,
                LoggedAction.UNBAN,
                now,
                moderator=moderator,
                author_id=author,
                submission_id=submission_id,
            )
        # The author's comments taken down with the ban wait on their cards again.
        swept = await spam_catches.restore_swept(conn, submission_id)
        for swept_id in swept:
            await effects.refresh_cards(conn, settings, swept_id, now)
        if swept:
            await desk.refresh_if_open(conn, settings, now)
        # A flood's catch holds what tipped its author over, not a message they wait on:
        # the ban lifted is all it gives back, and its words teach the check nothing.
        if not caught.caught_flooding:
            _, card = effects.received_rows(settings, author, submission_id, caught.kind)
            await outbox.enqueue_all(conn, [card], now)
            if spam_filter is not None and caught.text.strip():
                await spam_filter.learn_in(conn, [caught.text], spam=False, source=MODERATOR)
        restored = await submissions.get(conn, submission_id)
    if spam_filter is not None:
        # After the commit: an undo rolled back must teach the model nothing.
        await spam_filter.refresh()
    return UndoOutcome(UndoResult.RESTORED, restored, unbanned)
