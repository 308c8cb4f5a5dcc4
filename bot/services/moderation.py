"""Moderation: deciding on submissions with the verdicts of bot.services.verdicts; bans and
their sweeps are bot.services.bans."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.services import bans, desk, effects, group_effects, private_desk, spam_waves
from bot.services.verdicts import VERDICTS, BanRule, Decision, Verdict
from bot.settings import Settings
from bot.spam.filter import MODERATOR, SpamFilter
from storage import (
    articles,
    corrections,
    history,
    moderation_cards,
    moderation_log,
    private_desks,
    readers,
    submissions,
)
from storage import reasons as stored_reasons
from storage.db import Database
from storage.models import Ban, LoggedAction, Person, Submission, SubmissionKind, SubmissionStatus


class DecisionResult(StrEnum):
    APPLIED = "applied"
    ALREADY_DECIDED = "already_decided"
    NOT_FOUND = "not_found"
    # The button was pressed on a message that is not this item's card: forged data.
    WRONG_CARD = "wrong_card"
    # ✅ Approve on a comment whose author is banned: refused, it stays pending.
    AUTHOR_BANNED = "author_banned"


@dataclass(frozen=True)
class DecisionOutcome:
    result: DecisionResult
    submission: Submission | None = None
    # 🧹 Spam: the other pending copies of the same text settled with it.
    copies: int = 0
    # AUTHOR_BANNED: the ban that holds.
    ban: Ban | None = None


async def decide(
    db: Database,
    settings: Settings,
    submission_id: int,
    decision: Decision,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int] | None = None,
    on_private_desk_of: int | None = None,
    on_group_desk: bool = False,
    spam_filter: SpamFilter | None = None,
) -> DecisionOutcome:
    """Apply a moderator's decision once; the effects go out with it, atomically.

    `pressed_on` is the (chat, message) whose button was pressed; it must be a card of
    this submission, since a client can send any button data from any message it sees.
    `on_private_desk_of`: the moderator whose private desk was tapped must hold the item
    still (checked in this transaction: their claim may have just run out and the item
    gone to another desk). `on_group_desk`: tapped on the group's review desk. Either
    desk offers reasons for a verdict that takes one (VERDICTS).
    `spam_filter` learns from the decision, as VERDICTS says: the example is stored in
    the decision's transaction, and learned once that is committed.
    """
    outcome = await _decide(
        db,
        settings,
        submission_id,
        decision,
        moderator,
        now,
        pressed_on=pressed_on,
        desk_key=(
            str(on_private_desk_of)
            if on_private_desk_of is not None
            else stored_reasons.GROUP_DESK
            if on_group_desk
            else None
        ),
        on_private_desk_of=on_private_desk_of,
        spam_filter=spam_filter,
    )
    if spam_filter is not None and outcome.result is DecisionResult.APPLIED:
        # After the commit: a decision rolled back must teach the model nothing.
        await spam_filter.refresh()
    return outcome


async def _decide(
    db: Database,
    settings: Settings,
    submission_id: int,
    decision: Decision,
    moderator: Person,
    now: float,
    *,
    pressed_on: tuple[int, int] | None,
    desk_key: str | None,
    on_private_desk_of: int | None,
    spam_filter: SpamFilter | None,
) -> DecisionOutcome:
    async with db.transaction() as conn:
        if await submissions.get(conn, submission_id) is None:
            return DecisionOutcome(DecisionResult.NOT_FOUND)
        if pressed_on is not None and (
            await moderation_cards.submission_of_card(conn, *pressed_on) != submission_id
        ):
            return DecisionOutcome(DecisionResult.WRONG_CARD)
        if on_private_desk_of is not None:
            tapped = await private_desks.get(conn, on_private_desk_of)
            if tapped is None or not tapped.holds(submission_id):
                return DecisionOutcome(DecisionResult.WRONG_CARD)
        if decision is Decision.UNPUBLISH:
            return await _unpublish(conn, settings, submission_id, moderator, now)
        verdict = VERDICTS[decision]
        status = verdict.status
        pending = await submissions.get(conn, submission_id)
        assert pending is not None
        held = await _ban_refusing(conn, status, pending, now)
        if held is not None:
            return DecisionOutcome(DecisionResult.AUTHOR_BANNED, pending, ban=held)
        banning = await _banning(conn, verdict, pending)
        applied = await submissions.decide(
            conn,
            submission_id,
            status,
            moderator.user_id,
            moderator.display_name,
            now,
            author_banned=banning,
            marked_spam=decision is Decision.SPAM,
        )
        submission = await submissions.get(conn, submission_id)
        assert submission is not None
        if not applied:
            if decision is Decision.BAN and submission.kind is SubmissionKind.CONTACT:
                return await _ban_from_conversation(conn, settings, submission, moderator, now)
            return DecisionOutcome(DecisionResult.ALREADY_DECIDED, submission)
        await _record(conn, decision, banning, submission, moderator, now)
        # Whoever tapped ✏️ Edit on it waits no more: a reply to a decided card is not a
        # correction (bot.services.edits).
        await corrections.close_request(conn, submission_id, None)
        if spam_filter is not None and verdict.learns_spam is not None and submission.text.strip():
            await spam_filter.learn_in(
                conn, [submission.text], spam=verdict.learns_spam, source=MODERATOR
            )
        if banning:
            await readers.ban(conn, submission.author.user_id, moderator, submission_id, now)
            await group_effects.ban_in_discussion_group(
                conn, settings, submission.author.user_id, now
            )
        copies = 0
        if decision is Decision.SPAM:
            # Before the sweep: the author's own copies of the wave are marked spam and
            # counted as copies, not swept as merely waiting.
            copies = await _settle_copies(conn, settings, submission, moderator, now)
        if banning:
            await bans.sweep(
                conn, settings, submission.author.user_id, moderator, now, banned_for=submission.id
            )
        # Left up in the discussion group while it waited (post-moderation, or the bot
        # could not take it down then): rejected, it comes down now, and its author hears
        # it once it is down (deliveries in bot.delivery.discussion).
        coming_down = status is SubmissionStatus.REJECTED and submission.is_public_in_group
        if coming_down:
            await group_effects.remove_from_group(conn, submission, now, tell_author=True)
        await effects.refresh_cards(conn, settings, submission_id, now)
        await desk.refresh_if_open(conn, settings, now)
        await private_desk.item_decided(
            conn, settings, submission_id, now, on_desk_of=on_private_desk_of
        )
        if desk_key is not None:
            # The desk it was decided on offers reasons for it until its next decision.
            offers = verdict.offers_reasons and submission.kind is SubmissionKind.COMMENT
            await stored_reasons.offer_on_desk(conn, desk_key, submission_id if offers else None)
        if submission.kind is SubmissionKind.CONTACT:
            # A contact message is answered by an editor's reply, not by a verdict.
            return DecisionOutcome(DecisionResult.APPLIED, submission, copies)
        article = (
            await articles.get(conn, submission.article_id)
            if submission.article_id is not None
            else None
        )
        # A comment approved after its article was taken down stays private; one typed in
        # the discussion group about no article of ours goes back where it was typed.
        typed_elsewhere = article is None and submission.thread_source_message_id is not None
        publish = status is SubmissionStatus.APPROVED and (
            typed_elsewhere or (article is not None and article.open_for_comments)
        )
        if publish:
            await effects.publish_comment(
                conn, settings, article.id if article else None, submission_id, now
            )
        if not coming_down and (not publish or settings.discussion_chat_id is None):
            # A verdict that takes a reason: the notice waits a little for one.
            delay = settings.reject_notice_delay_seconds if verdict.offers_reasons else 0.0
            await effects.notify_author(
                conn, submission.author.user_id, submission_id, now, due_at=now + delay
            )
        # Else the author hears "published" once the thread post exists (deliveries.thread_post).
    return DecisionOutcome(DecisionResult.APPLIED, submission, copies)


async def _ban_from_conversation(
    conn: aiosqlite.Connection,
    settings: Settings,
    submission: Submission,
    moderator: Person,
    now: float,
) -> DecisionOutcome:
    """A contact message stays a conversation once decided: its card keeps `🚫 Ban author`
    for a reader who turns abusive in their answers."""
    if not await submissions.mark_author_banned(conn, submission.id):
        return DecisionOutcome(DecisionResult.ALREADY_DECIDED, submission)
    await moderation_log.append(
        conn,
        LoggedAction.BAN,
        now,
        moderator=moderator,
        author_id=submission.author.user_id,
        submission_id=submission.id,
    )
    await readers.ban(conn, submission.author.user_id, moderator, submission.id, now)
    await group_effects.ban_in_discussion_group(conn, settings, submission.author.user_id, now)
    await bans.sweep(
        conn, settings, submission.author.user_id, moderator, now, banned_for=submission.id
    )
    await effects.refresh_cards(conn, settings, submission.id, now)
    banned = await submissions.get(conn, submission.id)
    return DecisionOutcome(DecisionResult.APPLIED, banned)


async def _settle_copies(
    conn: aiosqlite.Connection,
    settings: Settings,
    marked: Submission,
    moderator: Person,
    now: float,
) -> int:
    """A wave is one decision: every pending near-identical copy of a text marked spam is
    settled as spam too, as VERDICTS says (its text is learned once, with the first)."""
    settled = 0
    verdict = VERDICTS[Decision.SPAM]
    for copy_id in await spam_waves.pending_copies(conn, marked.id, marked.text):
        copy = await submissions.get(conn, copy_id)
        assert copy is not None
        banning = await _banning(conn, verdict, copy)
        if not await submissions.decide(
            conn,
            copy_id,
            verdict.status,
            moderator.user_id,
            moderator.display_name,
            now,
            author_banned=banning,
            marked_spam=True,
        ):
            continue
        settled += 1
        # An author of several copies (the tapped one's among them) is banned once, with
        # one line in the record.
        banned_now = banning and await readers.ban(
            conn, copy.author.user_id, moderator, copy_id, now
        )
        await _record(conn, Decision.SPAM, banned_now, copy, moderator, now, wave_of=marked.id)
        if banned_now:
            await group_effects.ban_in_discussion_group(conn, settings, copy.author.user_id, now)
            await bans.sweep(
                conn, settings, copy.author.user_id, moderator, now, banned_for=copy.id
            )
        if copy.is_public_in_group:
            await group_effects.remove_from_group(conn, copy, now, tell_author=True)
        elif copy.kind is not SubmissionKind.CONTACT:
            await effects.notify_author(conn, copy.author.user_id, copy_id, now)
        await effects.refresh_cards(conn, settings, copy_id, now)
        await private_desk.item_decided(conn, settings, copy_id, now)
    return settled


async def _record(
    conn: aiosqlite.Connection,
    decision: Decision,
    banned: bool,
    submission: Submission,
    moderator: Person,
    now: float,
    *,
    wave_of: int | None = None,
) -> None:
    """The decision's lines in the moderation record: the verdict (a comment left up in
    the thread is kept or removed), and the ban it made when the verdict is not itself a
    ban (🧹 Spam on a newcomer)."""
    author_id = submission.author.user_id
    detail: dict[str, object] | None = {"wave_of": wave_of} if wave_of is not None else None
    verdict = VERDICTS[decision]
    left_up_as = verdict.logged_left_up
    await moderation_log.append(
        conn,
        left_up_as if left_up_as is not None and submission.original_kept else verdict.logged,
        now,
        moderator=moderator,
        author_id=author_id,
        submission_id=submission.id,
        detail=detail,
    )
    if banned and decision is not Decision.BAN:
        await moderation_log.append(
            conn,
            LoggedAction.BAN,
            now,
            moderator=moderator,
            author_id=author_id,
            submission_id=submission.id,
        )


async def _ban_refusing(
    conn: aiosqlite.Connection, status: SubmissionStatus, submission: Submission, now: float
) -> Ban | None:
    """The ban that refuses this approval: a banned reader's comment is never published.
    A ban sweeps what its author has waiting (bans.sweep), but a comment can be pending
    under a ban all the same: ↩️ Not spam gives back a catch (and what it swept) while a
    moderator's /ban holds its author. It waits for a rejection, or for an /unban. A
    contact message is approved to reach the editors, banned author or not."""
    if (
        status is not SubmissionStatus.APPROVED
        or not submission.is_pending
        or submission.kind is not SubmissionKind.COMMENT
    ):
        return None
    return await readers.active_ban(conn, submission.author.user_id, now)


async def _banning(conn: aiosqlite.Connection, verdict: Verdict, submission: Submission) -> bool:
    if verdict.ban is BanRule.NEWCOMERS:
        earlier = await history.of_author(conn, submission.author.user_id, submission.id)
        return earlier.approved == 0
    return verdict.ban is BanRule.ALWAYS


async def _unpublish(
    conn: aiosqlite.Connection,
    settings: Settings,
    submission_id: int,
    moderator: Person,
    now: float,
) -> DecisionOutcome:
    applied = await submissions.retract_auto_approval(
        conn, submission_id, moderator.user_id, moderator.display_name, now
    )
    submission = await submissions.get(conn, submission_id)
    assert submission is not None
    if not applied:
        return DecisionOutcome(DecisionResult.ALREADY_DECIDED, submission)
    await moderation_log.append(
        conn,
        LoggedAction.UNPUBLISH,
        now,
        moderator=moderator,
        author_id=submission.author.user_id,
        submission_id=submission_id,
    )
    await effects.refresh_cards(conn, settings, submission_id, now)
    await effects.notify_author(conn, submission.author.user_id, submission_id, now)
    if submission.article_id is not None:
        await effects.retract_comment(conn, settings, submission.article_id, submission_id, now)
    return DecisionOutcome(DecisionResult.APPLIED, submission)
