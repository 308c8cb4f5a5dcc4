"""Comments typed under a post, in the channel's discussion group.

Telegram publishes such a comment the moment it is sent. Moderated, it becomes a
submission with a card like a comment sent through the bot. With THREAD_MODERATION=pre the
message is deleted from the group and, on approval, the bot publishes it in the same
thread, signed; with `post` it stays up until a moderator removes it. All of it is queued
in one transaction with the submission, so a crash between the steps loses none.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.cas import CasVerdict
from bot.services import (
    abuse,
    admin_notices,
    bans,
    comments,
    desk,
    effects,
    group_effects,
    private_desk,
    reply_notices,
    spam_screen,
    spam_waves,
    thread_refusals,
)
from bot.services.comments import SubmitResult
from bot.services.floods import FloodGate
from bot.services.group_effects import ThreadNotice
from bot.services.spam_screen import Arrival, Screening, SpamScreen
from bot.settings import Settings, ThreadModeration
from storage import articles, intake, outbox, readers, submissions, thread_sources
from storage.db import Database
from storage.models import Article, Person, Submission, SubmissionKind, SubmissionStatus


class ThreadResult(StrEnum):
    # Stored and carded; the message is deleted from the group (pre).
    HELD = "held"
    # Stored and carded; the message stays up until a moderator removes it (post).
    WATCHED = "watched"
    # An edit of a comment still waiting: its card shows the new words.
    EDIT_SHOWN = "edit_shown"
    # An edit of a message no longer in the group.
    EDIT_IGNORED = "edit_ignored"
    # The same message handled again after a crash.
    ALREADY_STORED = "already_stored"
    # Deleted without a card: a banned author, or one refused (flood, repeat, too long,
    # a closed article), who is told why.
    REMOVED = "removed"
    # Spam, by the spam check: deleted at once, kept aside as caught, never a card; its
    # author banned from the group unless SPAM_BAN is off or they have an approved comment.
    CAUGHT = "caught"


@dataclass(frozen=True)
class ThreadComment:
    author: Person
    # message_thread_id: the id of the post's automatic forward in the group (None: typed
    # outside any post's thread).
    thread_id: int | None
    # The text, or a media message's caption ("" if none).
    text: str
    source: thread_sources.ThreadSource
    now: float
    # Whether the bot holds Delete messages in the group (None: Telegram could not say;
    # the deletion is tried, and a refusal is handled there).
    bot_may_delete: bool | None = True


@dataclass(frozen=True)
class ThreadOutcome:
    result: ThreadResult
    submission_id: int | None = None


# Telegram puts ten pictures in an album at most.
ALBUM_MAX = 10


async def _take_edit(
    conn: aiosqlite.Connection,
    settings: Settings,
    stored: Submission,
    comment: ThreadComment,
    text: str,
) -> ThreadOutcome | None:
    """What an update of a message already stored does; None: its new words are carded as
    the message's next revision."""
    source = comment.source
    # The message as first sent, seen again, or an older edit arriving late. (Two edits
    # within one second share an edit_date: the later one still counts. An update handled
    # twice is skipped before it gets here: storage.processed_updates.)
    if source.edit_date == 0 or source.edit_date < stored.thread_source_edit_date:
        return ThreadOutcome(ThreadResult.ALREADY_STORED, stored.id)
    # Formatting or spacing changed, or a live location moved (Telegram sends each move as
    # an edit): no new words to judge.
    if " ".join(text.split()) == " ".join(stored.text.split()) or source.media_kind == "location":
        return ThreadOutcome(ThreadResult.EDIT_IGNORED, stored.id)
    if stored.is_pending:
        if len(text) > settings.comment_max_length:
            # Past what a published comment may hold: the card keeps the words it has.
            return ThreadOutcome(ThreadResult.EDIT_IGNORED, stored.id)
        await thread_sources.take_pending_edit(
            conn,
            stored.id,
            text,
            source.edit_date,
            comment.now,
            wave_print=spam_waves.wave_print(text),
        )
        await effects.refresh_cards(conn, settings, stored.id, comment.now)
        await desk.refresh_if_open(conn, settings, comment.now, changed=stored.id)
        await private_desk.item_changed(conn, stored.id, comment.now)
        return ThreadOutcome(ThreadResult.EDIT_SHOWN, stored.id)
    # Up for good: kept, or rejected but Telegram would not let the bot take it down. A
    # rejected one on its way down, or gone, has nothing left to judge.
    up_for_good = stored.is_public_in_group and (
        stored.status is SubmissionStatus.APPROVED or stored.removal_refused is not None
    )
    if not up_for_good:
        return ThreadOutcome(ThreadResult.EDIT_IGNORED, stored.id)
    return None


async def hold_for_moderation(
    db: Database,
    settings: Settings,
    comment: ThreadComment,
    gate: FloodGate | None = None,
    spam: SpamScreen | None = None,
) -> ThreadOutcome:
    """Judge a comment typed in a thread (or an edit of one) as one sent through the bot is
    judged, and queue what follows: its card, its deletion from the group (pre), and a
    word to its author. With a flood `gate`, a refused author is told once, then not
    again until they may write, and banned as spam if they keep flooding. With a `spam`
    screen, a new message is checked: spam is caught, an unsure one flagged."""
    text = comment.text.replace("\x00", "").strip()
    screened = _screened(spam, comment, text)
    # Outside the transaction: CAS reads its cache under the database's lock.
    cas = await screened.cas_verdict(comment.author.user_id) if screened else CasVerdict.UNKNOWN
    return await _hold(db, settings, comment, text, gate, screened, cas)


async def _hold(
    db: Database,
    settings: Settings,
    comment: ThreadComment,
    text: str,
    gate: FloodGate | None,
    spam: SpamScreen | None,
    cas: CasVerdict,
) -> ThreadOutcome:
    source = comment.source
    now = comment.now
    async with db.transaction() as conn:
        stored = await thread_sources.from_thread_message(conn, source.chat_id, source.message_id)
        if stored is not None:
            taken = await _take_edit(conn, settings, stored, comment, text)
            if taken is not None:
                return taken
            # A decided comment its author changed where it stands: the new words are the
            # message's next revision, carded afresh.
            source = dataclasses.replace(source, revision=stored.thread_source_revision + 1)
        # The author's record is read in this transaction: two of their messages at once
        # are counted one after the other, not both as a first message.
        screening = (
            None
            if spam is None
            else (await spam.screen_in(conn, [Arrival(comment.author.user_id, text, now, cas)]))[0]
        )
        # Outside any thread, or under a post the bot did not make (or whose automatic
        # forward it has not linked yet): held all the same, about no article.
        article = (
            await articles.by_discussion_message(conn, comment.thread_id)
            if comment.thread_id is not None
            else None
        )
        # Without Delete messages, pre-moderation works as post-moderation: the message
        # stays up, and the card says why and offers 🗑 Remove for when the right is back.
        no_right = comment.bot_may_delete is False
        kept = settings.thread_moderation is ThreadModeration.POST or no_right
        if no_right:
            await admin_notices.report_missing_right(
                conn, settings, source.chat_id, "can_delete_messages", now
            )
        # A media message is judged by its caption; one without a caption is never empty.
        judged_text = text or (f"[{source.media_kind}]" if source.media_kind else "")
        [arrival] = await intake.comment_arrivals(
            conn,
            [
                intake.Incoming(
                    comment.author.user_id,
                    None,
                    judged_text,
                    article.id if article is not None else None,
                    abuse.history_since(settings, comment.now),
                    comment.now,
                )
            ],
        )
        # Their name and language, refused or not: a refusal is written to them in it.
        await readers.remember(conn, comment.author, comment.now)
        judged = comments.judge(
            settings, arrival, judged_text, comment.now, about_an_article=article is not None
        )
        media = await thread_sources.media_history(
            conn, comment.author.user_id, source, now - settings.duplicate_window_hours * 3600
        )
        if (
            judged.result in {SubmitResult.ACCEPTED, SubmitResult.FLOOD}
            and not text
            and media.same_file
        ):
            # A file sent again without a caption repeats itself as a text would.
            judged = comments.SubmitOutcome(SubmitResult.DUPLICATE, article=article)
        if judged.result is SubmitResult.FLOOD and 0 < media.album_taken < ALBUM_MAX:
            # The rest of an album whose first picture was taken: they come at the same
            # moment by design. An album's first picture meets flood control as any
            # message does, so albums sent again and again are refused.
            judged = comments.SubmitOutcome(SubmitResult.ACCEPTED, article=article)
        if judged.result is not SubmitResult.ACCEPTED and (
            no_right or (stored is not None and judged.result is not SubmitResult.BANNED)
        ):
            # What cannot be taken down is carded, not refused (a refusal would say it was
            # removed); and an edit of words a moderator kept is theirs to judge again, not
            # the flood or repeat rules' (it repeats its own earlier words).
            judged = comments.SubmitOutcome(SubmitResult.ACCEPTED, article=article)
        # The card (if any) is queued before the deletion: the words are stored either way,
        # and moderators see them even if the deletion goes first.
        rows: list[outbox.NewRow] = []
        submission_id: int | None = None
        # What cannot be taken down is carded, flagged, rather than caught.
        if (
            judged.result is SubmitResult.ACCEPTED
            and screening is not None
            and screening.catches
            and not no_right
        ):
            return await _catch(conn, settings, comment, text, source, article, screening)
        if judged.result is SubmitResult.ACCEPTED:
            submission_id = await thread_sources.insert_thread_comment(
                conn,
                comment.author.user_id,
                article.id if article is not None else None,
                text,
                comment.now,
                source,
                author_name=comment.author.display_name,
                kept=kept,
                removal_refused="no_right" if no_right else None,
                wave_print=spam_waves.wave_print(text),
            )
            await _flag_or_tell(
                conn, settings, comment, text, submission_id, screening, public=kept and not stored
            )
            _, card = effects.received_rows(
                settings, comment.author.user_id, submission_id, SubmissionKind.COMMENT
            )
            rows.append(card)
        if submission_id is None:
            # Refused, or from a banned author: it comes down whatever the mode.
            rows.append(group_effects.delete_group_message_row(source.chat_id, source.message_id))
        elif not kept and source.media_kind is not None:
            # The media is shown to the moderators beside the card: that copy is also what
            # is published on approval. A file goes by its file_id, and the original comes
            # down at once; anything else (a poll, a location) is copied first, and the
            # original comes down once the copy exists (copyMessage needs it).
            rows.append(
                group_effects.copy_to_moderation_row(
                    settings,
                    submission_id,
                    source.chat_id,
                    source.message_id,
                    file=(source.media_kind, source.file_id) if source.file_id else None,
                )
            )
            if source.file_id is not None:
                rows.append(
                    group_effects.delete_group_message_row(
                        source.chat_id, source.message_id, submission_id=submission_id
                    )
                )
        elif not kept:
            rows.append(
                group_effects.delete_group_message_row(
                    source.chat_id, source.message_id, submission_id=submission_id
                )
            )
        # Post-moderation (kept): it stays up while the moderators look; the card is all.
        notice = (
            (None if kept else ThreadNotice.HELD)
            if submission_id is not None
            else thread_refusals.REFUSAL_NOTICES.get(judged.result)
        )
        retry_at = judged.retry_at
        if notice is not None and submission_id is None and gate is not None:
            notice, retry_at = await thread_refusals.refusal_notice(
                conn, settings, gate, comment.author, comment.text, judged, comment.now
            )
        if notice is not None:
            rows.append(
                group_effects.thread_author_notice_row(
                    comment.author.user_id,
                    notice,
                    source.chat_id,
                    comment.thread_id,
                    title=article.title if article is not None else None,
                    retry_at=int(retry_at),
                    name=comment.author.display_name,
                    # A refused comment is gone from the thread: its words go back to
                    # its author with the reason.
                    text=text if submission_id is None else None,
                    # A held comment's notice is not sent once it is decided.
                    submission_id=submission_id,
                )
            )
        await outbox.enqueue_all(conn, rows, comment.now)
    if submission_id is None:
        return ThreadOutcome(ThreadResult.REMOVED)
    return ThreadOutcome(ThreadResult.WATCHED if kept else ThreadResult.HELD, submission_id)


async def _flag_or_tell(
    conn: aiosqlite.Connection,
    settings: Settings,
    comment: ThreadComment,
    text: str,
    submission_id: int,
    screening: Screening | None,
    *,
    public: bool,
) -> None:
    """Keep the spam check's flag with a carded comment. One left up (`public`) is public
    already: unflagged, it tells the author of the comment it answers now (a likely
    spam's notice waits for a moderator's keep: bot.delivery.thread_posts)."""
    if screening is not None and screening.flagged:
        await submissions.flag_spam(conn, [screening.stored(submission_id)])
        return
    source = comment.source
    if not public or source.reply_to_message_id is None:
        return
    reply = reply_notices.ThreadReply(
        source.chat_id,
        source.reply_to_message_id,
        source.message_id,
        comment.author.user_id,
        comment.author.display_name,
        text or f"[{source.media_kind or ''}]",
    )
    await reply_notices.queue_notice(conn, settings, reply, comment.now)


def _screened(spam: SpamScreen | None, comment: ThreadComment, text: str) -> SpamScreen | None:
    """The spam screen, if this message meets it: a new one with words, while the filter
    checks (edits are not checked again: the words a moderator will see are on the card
    already)."""
    if spam is None or not spam.checking or comment.source.edit_date != 0 or not text:
        return None
    return spam


async def _catch(
    conn: aiosqlite.Connection,
    settings: Settings,
    comment: ThreadComment,
    text: str,
    source: thread_sources.ThreadSource,
    article: Article | None,
    screening: Screening,
) -> ThreadOutcome:
    """Spam typed under a post: stored as caught (for /spam and its undo), deleted at
    once whatever the mode, and its author banned from the group if they are new here."""
    submission_id = await thread_sources.insert_thread_comment(
        conn,
        comment.author.user_id,
        article.id if article is not None else None,
        text,
        comment.now,
        source,
        author_name=comment.author.display_name,
        kept=False,
        # Put back by ↩️ Not spam, it waits as any other item, in a wave with its copies.
        wave_print=spam_waves.wave_print(text),
    )
    ban = settings.spam_ban and screening.approved == 0
    await submissions.flag_spam(conn, [screening.stored(submission_id)])
    await outbox.enqueue_all(
        conn,
        [
            group_effects.delete_group_message_row(
                source.chat_id, source.message_id, submission_id=submission_id
            )
        ],
        comment.now,
    )
    await spam_screen.catch(
        conn, settings, submission_id, comment.author.user_id, screening, comment.now, ban=ban
    )
    if ban:
        catch = await submissions.get(conn, submission_id)
        assert catch is not None
        await bans.ban_caught_author(
            conn, settings, catch, comment.now, reason=spam_screen.SPAM_CHECK_BAN_REASON
        )
    return ThreadOutcome(ThreadResult.CAUGHT, submission_id)
