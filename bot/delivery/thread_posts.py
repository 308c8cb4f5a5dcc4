"""Approved comments published in a post's thread by the bot (signed, answering the post
or the comment they answered), and taken back when unpublished."""

from __future__ import annotations

import time

import aiosqlite
from telegram import ReplyParameters
from telegram.error import BadRequest

from bot.delivery.base import (
    NOTHING,
    Delivered,
    Delivery,
    admins_told,
    int_of,
    submission_and_title,
)
from bot.delivery.outcome import NotReadyError
from bot.i18n import Texts
from bot.rendering import channel as channel_texts
from bot.rendering import edits as edit_texts
from bot.services import effects, reply_notices
from bot.services.admin_notices import AdminNotice
from bot.services.effects import Effect
from storage import (
    articles,
    outbox,
    submissions,
    thread_sources,
)
from storage.models import (
    OutboxItem,
    Submission,
    SubmissionStatus,
)

# A thread post waits this long, doubling, for Telegram's copy of the channel post.
DISCUSSION_COPY_WAIT = 5.0
# Media that cannot carry a caption: published after a signed text, as a reply to it (as
# is media whose caption is too long for a bot's: channel_texts.thread_caption).
CAPTIONLESS_MEDIA = frozenset(
    {"sticker", "video_note", "poll", "venue", "location", "contact", "dice", "story"}
)


async def thread_media(delivery: Delivery, item: OutboxItem) -> Delivered:
    """A sticker or round video, which carries no caption, under its signed text."""
    discussion = delivery.settings.discussion_chat_id
    copy_id = item.payload.get("copy")
    loaded = await submission_and_title(delivery, item)
    if discussion is None or not isinstance(copy_id, int) or loaded is None:
        return NOTHING
    submission, _ = loaded
    # Taken down since its signed text went (its author forgotten meanwhile): the take-down
    # went first, and its copy in the moderation chat may be gone already.
    if submission.status is not SubmissionStatus.APPROVED:
        return NOTHING
    copied = await delivery.bot.copy_message(
        discussion,
        delivery.settings.moderation_chat_id,
        copy_id,
        reply_parameters=ReplyParameters(
            int_of(item, "reply_to"), allow_sending_without_reply=True
        ),
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await thread_sources.set_thread_media(conn, submission.id, copied.message_id)

    return Delivered(record)


async def thread_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    loaded = await submission_and_title(delivery, item)
    discussion = delivery.settings.discussion_chat_id
    if loaded is None or discussion is None:
        return NOTHING
    submission, _ = loaded
    article_id = item.payload.get("article_id")
    async with delivery.db.reading() as conn:
        article = await articles.get(conn, article_id) if isinstance(article_id, int) else None
    # Taken back (unpublished) before it went out: nothing to post.
    if submission.status is not SubmissionStatus.APPROVED:
        return NOTHING
    if article is None:
        # Typed in the group about no post of ours: it goes back where it was typed, as a
        # reply to what it answered there (if that is still there). Else the article was
        # deleted: nothing to post under.
        if submission.thread_source_message_id is None:
            return NOTHING
        default_target = submission.thread_reply_to_message_id
    elif not article.open_for_comments:
        return NOTHING
    elif article.discussion_message_id is None:
        raise NotReadyError(
            "the discussion copy of the post has not arrived yet", DISCUSSION_COPY_WAIT
        )
    else:
        default_target = article.discussion_message_id
    async with delivery.db.reading() as conn:
        # A comment typed in reply to a published comment answers that comment's copy.
        answered = await thread_sources.thread_reply_target(conn, submission.id)
    if submission.original_kept and submission.thread_source_message_id is not None:
        # The bot could not take the original down: it is in the thread already, and
        # posting it again would show it twice.
        kept = submission.thread_source_message_id

        async def record_kept(conn: aiosqlite.Connection) -> None:
            await submissions.set_thread_message(conn, submission.id, kept)
            if submission.spam_score is not None:
                # Flagged as likely spam, its reply notice waited for a moderator's keep
                # (thread_comments); any other went out when it was written.
                await _reply_notice(
                    conn, delivery, submission, kept, submission.thread_reply_to_message_id
                )

        return Delivered(
            record_kept, [effects.notify_author_row(submission.author.user_id, submission.id)]
        )
    copy_id = submission.moderation_copy_message_id
    if submission.media_kind is not None and copy_id is None and not submission.text:
        # Its media could not be copied (copy_to_moderation_given_up told the admins): a
        # bare signature would say nothing.
        return NOTHING
    try:
        posted_id, follow_ups = await _post_in_thread(
            delivery, submission, answered or default_target
        )
    except BadRequest as error:
        # What it answered was deleted meanwhile: it answers the post instead (a message
        # replying to nothing would land outside the thread), or, about no post of ours,
        # nothing.
        if "message to be replied not found" not in error.message.lower():
            raise
        fallback = default_target if answered is not None and article is not None else None
        posted_id, follow_ups = await _post_in_thread(delivery, submission, fallback)
        answered = None
    if not submission.auto_approved:
        # The author hears "published" only now that the post exists (a trusted author
        # heard it with the acknowledgement).
        follow_ups.append(effects.notify_author_row(submission.author.user_id, submission.id))

    async def record(conn: aiosqlite.Connection) -> None:
        await submissions.set_thread_message(conn, submission.id, posted_id)
        # Now public, a reply tells the author of the comment it answers.
        await _reply_notice(conn, delivery, submission, posted_id, answered)

    return Delivered(record, follow_ups)


async def _reply_notice(
    conn: aiosqlite.Connection,
    delivery: Delivery,
    submission: Submission,
    posted_id: int,
    answered: int | None,
) -> None:
    """The comment at `posted_id` in the thread answers the message `answered` (None: the
    post itself, or nothing)."""
    discussion = delivery.settings.discussion_chat_id
    if answered is None or discussion is None:
        return
    reply = reply_notices.ThreadReply(
        discussion,
        answered,
        posted_id,
        submission.author.user_id,
        submission.author.display_name,
        submission.text or f"[{submission.media_kind or ''}]",
    )
    await reply_notices.queue_notice(conn, delivery.settings, reply, time.time())


async def _post_in_thread(
    delivery: Delivery, submission: Submission, reply_to: int | None
) -> tuple[int, list[outbox.NewRow]]:
    """Post an approved comment in its thread; returns the post's id and what follows it."""
    discussion = delivery.settings.discussion_chat_id
    assert discussion is not None
    reply = ReplyParameters(reply_to) if reply_to is not None else None
    copy_id = submission.moderation_copy_message_id
    mark = (
        edit_texts.edited_mark(Texts(delivery.settings.channel_language))
        if submission.corrected_text is not None
        else ""
    )
    caption = channel_texts.thread_caption(submission, mark)
    if copy_id is not None and submission.media_kind not in CAPTIONLESS_MEDIA and caption:
        # Copied back from the moderation chat's copy, signed in its caption.
        copied = await delivery.bot.copy_message(
            discussion,
            delivery.settings.moderation_chat_id,
            copy_id,
            caption=caption,
            reply_parameters=reply,
        )
        return copied.message_id, []
    posted = await delivery.bot.send_message(
        discussion, channel_texts.thread_comment(submission, mark), reply_parameters=reply
    )
    if copy_id is None:
        return posted.message_id, []
    # What carries no caption (a sticker, a round video, a poll...), and media whose caption
    # is longer than a bot's may be, follows its signed text.
    media = outbox.NewRow(
        Effect.THREAD_MEDIA,
        str(discussion),
        {"submission_id": submission.id, "copy": copy_id, "reply_to": posted.message_id},
    )
    return posted.message_id, [media]


async def thread_post_given_up(delivery: Delivery, item: OutboxItem, reason: str) -> Delivered:
    """Telegram refused the thread post for good (the group unlinked, the bot removed): the
    admins hear it, the card says so, and the author is not told the comment was
    published."""
    submission_id = int_of(item, "submission_id")
    tell = admins_told(
        delivery.settings, AdminNotice.THREAD_POST_FAILED, f"{submission_id}:{reason}"
    )

    async def record(conn: aiosqlite.Connection) -> None:
        await tell(conn)
        await thread_sources.refuse_thread_post(conn, submission_id, reason)

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission_id)])


async def retract_thread_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    loaded = await submission_and_title(delivery, item)
    discussion = delivery.settings.discussion_chat_id
    if loaded is None or discussion is None:
        return NOTHING
    submission, _ = loaded
    if submission.thread_message_id is None:
        return NOTHING
    try:
        await delivery.bot.delete_message(discussion, submission.thread_message_id)
    except BadRequest as error:
        lowered = error.message.lower()
        # Someone removed it by hand already: the comment is gone either way.
        if "message to delete not found" in lowered:
            return NOTHING
        if "message can't be deleted" not in lowered:
            raise
        # Over 48 hours old: it cannot go, but its words can.
        return await _retract_by_edit(delivery, discussion, submission)
    return NOTHING


async def _retract_by_edit(
    delivery: Delivery, discussion: int, submission: Submission
) -> Delivered:
    assert submission.thread_message_id is not None
    removed = channel_texts.thread_post_removed(Texts(delivery.settings.channel_language))
    try:
        await delivery.bot.edit_message_text(
            removed, chat_id=discussion, message_id=submission.thread_message_id
        )
    except BadRequest as error:
        # Only a trusted author's comment is unpublished, and those come through the bot as
        # text: a thread post with a caption is never edited here.
        lowered = error.message.lower()
        if "message to edit not found" in lowered:
            return NOTHING
        # Not modified: edited already, before a crash lost the record.
        if "message is not modified" not in lowered:
            raise

    async def record(conn: aiosqlite.Connection) -> None:
        await thread_sources.mark_retracted_by_edit(conn, submission.id)

    return Delivered(record, [effects.refresh_cards_row(delivery.settings, submission.id)])


async def forgotten_thread_post(delivery: Delivery, item: OutboxItem) -> Delivered:
    """Its author asked to be forgotten: the comment's post in the thread is deleted
    (`sign` false) or signed anew, "a former reader" (the name its row holds now). Where
    the post is is read now: a post in flight when they asked was recorded before this."""
    loaded = await submission_and_title(delivery, item)
    discussion = delivery.settings.discussion_chat_id
    if loaded is None or discussion is None:
        return NOTHING
    submission, _ = loaded
    posted = submission.thread_message_id
    if posted is None or submission.retracted_by_edit:
        return NOTHING
    if item.payload.get("sign"):
        signed = _signed(delivery, submission)
        await _edit_thread_post(
            delivery, discussion, submission, signed, _carries_caption(submission)
        )
        return NOTHING
    # The media after the signed text first: a retry after the text went finds the text
    # "not found" and stops there.
    await _delete_thread_media(delivery, discussion, submission.id)
    try:
        await delivery.bot.delete_message(discussion, posted)
    except BadRequest as error:
        lowered = error.message.lower()
        if "message to delete not found" in lowered:
            return NOTHING
        if "message can't be deleted" not in lowered:
            raise
        if submission.original_kept:
            # The reader's own message, over 48 hours old: the bot cannot delete it, nor
            # edit what it did not write. The reader can delete it in Telegram.
            return NOTHING
        # The bot's own post, over 48 hours old: it stays, without the words.
        removed = channel_texts.thread_post_forgotten(Texts(delivery.settings.channel_language))
        await _edit_thread_post(
            delivery, discussion, submission, removed, _carries_caption(submission)
        )
    return NOTHING


async def _delete_thread_media(delivery: Delivery, discussion: int, submission_id: int) -> None:
    """The message of its own that carries a comment's media in the thread (thread_media),
    if it has one."""
    async with delivery.db.reading() as conn:
        media = await thread_sources.thread_media_of(conn, submission_id)
    if media is None:
        return
    try:
        await delivery.bot.delete_message(discussion, media)
    except BadRequest as error:
        lowered = error.message.lower()
        # Removed by hand already; or over 48 hours old, and a sticker or a location has no
        # words to edit away.
        if "message to delete not found" not in lowered and "can't be deleted" not in lowered:
            raise


def _carries_caption(submission: Submission) -> bool:
    """The thread post is the media itself, signed in its caption (as _post_in_thread
    makes it when the caption fits)."""
    return (
        submission.moderation_copy_message_id is not None
        and submission.media_kind not in CAPTIONLESS_MEDIA
        and channel_texts.thread_caption(submission) is not None
    )


def _signed(delivery: Delivery, submission: Submission) -> str:
    """The post's text, or its caption, as _post_in_thread made it, under the new name."""
    mark = (
        edit_texts.edited_mark(Texts(delivery.settings.channel_language))
        if submission.corrected_text is not None
        else ""
    )
    caption = channel_texts.thread_caption(submission, mark)
    if _carries_caption(submission) and caption is not None:
        return caption
    return channel_texts.thread_comment(submission, mark)


async def _edit_thread_post(
    delivery: Delivery, discussion: int, submission: Submission, text: str, as_caption: bool
) -> None:
    assert submission.thread_message_id is not None
    try:
        if as_caption:
            await delivery.bot.edit_message_caption(
                chat_id=discussion, message_id=submission.thread_message_id, caption=text
            )
        else:
            await delivery.bot.edit_message_text(
                text, chat_id=discussion, message_id=submission.thread_message_id
            )
    except BadRequest as error:
        lowered = error.message.lower()
        # Gone, or edited so already (before a crash lost the record of it).
        if "message to edit not found" not in lowered and "message is not modified" not in lowered:
            raise
