"""Comments typed under a post, in the channel's discussion group (THREAD_MODERATION=pre).

Telegram publishes such a comment the moment it is sent. Held for moderation, it becomes a
submission with a card like a comment sent through the bot, and the message is deleted
from the group; on approval the bot publishes it in the same thread, signed. All of it is
queued in one transaction with the submission, so a crash between the steps loses none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.services import abuse, comments, effects
from bot.services.comments import SubmitResult
from bot.services.effects import ThreadNotice
from bot.settings import Settings
from storage import articles, intake, outbox, readers, submissions
from storage.db import Database
from storage.models import Person, SubmissionKind


class ThreadResult(StrEnum):
    # Stored and carded; the message is deleted from the group.
    HELD = "held"
    # The same message handled again after a crash.
    ALREADY_STORED = "already_stored"
    # Deleted without a card: a banned author, or one refused (flood, repeat, too long,
    # a closed article), who is told why.
    REMOVED = "removed"


@dataclass(frozen=True)
class ThreadComment:
    author: Person
    # message_thread_id: the id of the post's automatic forward in the group (None: typed
    # outside any post's thread).
    thread_id: int | None
    # The text, or a media message's caption ("" if none).
    text: str
    source: submissions.ThreadSource
    now: float
    # Photos sent together as an album arrive as one message each, at once.
    album: bool = False


@dataclass(frozen=True)
class ThreadOutcome:
    result: ThreadResult
    submission_id: int | None = None


_REFUSALS = {
    SubmitResult.FLOOD: ThreadNotice.FLOOD,
    SubmitResult.DUPLICATE: ThreadNotice.DUPLICATE,
    SubmitResult.TOO_LONG: ThreadNotice.TOO_LONG,
    SubmitResult.ARTICLE_CLOSED: ThreadNotice.CLOSED,
    SubmitResult.EMPTY: ThreadNotice.TOO_LONG,
}


async def hold_for_moderation(
    db: Database, settings: Settings, comment: ThreadComment
) -> ThreadOutcome:
    """Judge a comment typed in a thread as one sent through the bot is judged, and queue
    what follows: its card, its deletion from the group, and a word to its author."""
    text = comment.text.replace("\x00", "").strip()
    source = comment.source
    async with db.transaction() as conn:
        # Outside any thread, or under a post the bot did not make (or whose automatic
        # forward it has not linked yet): held all the same, about no article.
        article = (
            await articles.by_discussion_message(conn, comment.thread_id)
            if comment.thread_id is not None
            else None
        )
        stored = await submissions.from_thread_message(conn, source.chat_id, source.message_id)
        if stored is not None:
            return ThreadOutcome(ThreadResult.ALREADY_STORED, stored)
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
                )
            ],
        )
        judged = comments.judge(
            settings, arrival, judged_text, comment.now, about_an_article=article is not None
        )
        if judged.result is SubmitResult.FLOOD and comment.album:
            # An album's pictures come at the same moment by design; ten at most.
            judged = comments.SubmitOutcome(SubmitResult.ACCEPTED, article=article)
        # The card (if any) is queued before the deletion: the words are stored either way,
        # and moderators see them even if the deletion goes first.
        rows: list[outbox.NewRow] = []
        submission_id: int | None = None
        if judged.result is SubmitResult.ACCEPTED:
            await readers.remember(conn, comment.author, comment.now)
            submission_id = await submissions.insert_thread_comment(
                conn,
                comment.author.user_id,
                article.id if article is not None else None,
                text,
                comment.now,
                source,
            )
            _, card = effects.received_rows(
                settings, comment.author.user_id, submission_id, SubmissionKind.COMMENT
            )
            rows.append(card)
        if submission_id is not None and source.media_kind is not None:
            # The media is copied into the moderation chat first: the copy is what
            # moderators see and what is published on approval. The original is deleted
            # once the copy exists (copyMessage needs it).
            rows.append(
                effects.copy_to_moderation_row(
                    settings, submission_id, source.chat_id, source.message_id
                )
            )
        else:
            rows.append(
                effects.delete_group_message_row(
                    source.chat_id, source.message_id, submission_id=submission_id
                )
            )
        notice = ThreadNotice.HELD if submission_id is not None else _REFUSALS.get(judged.result)
        if notice is not None:
            rows.append(
                effects.thread_author_notice_row(
                    comment.author.user_id,
                    notice,
                    source.chat_id,
                    comment.thread_id,
                    title=article.title if article is not None else None,
                    retry_at=int(judged.retry_at),
                    name=comment.author.display_name,
                    # A refused comment is gone from the thread: its words go back to
                    # its author with the reason.
                    text=text if submission_id is None else None,
                )
            )
        await outbox.enqueue_all(conn, rows, comment.now)
    if submission_id is None:
        return ThreadOutcome(ThreadResult.REMOVED)
    return ThreadOutcome(ThreadResult.HELD, submission_id)
