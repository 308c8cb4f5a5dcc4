"""What a card says of a comment's life in the discussion group: typed there and still up
or taken down, its media and their copy, the bot's own post of it going wrong; and the
t.me links to a message there. In the moderators' language."""

from __future__ import annotations

from bot.i18n import Texts
from bot.rendering.common import esc
from bot.text import shorten
from storage.models import Submission


def thread_lines(t: Texts, submission: Submission) -> list[str]:
    """Where a comment typed in the discussion group stands there."""
    if submission.thread_source_message_id is None:
        return []
    edited = submission.edited_at or submission.thread_source_edit_date
    typed = (
        t.gettext("🧵 Typed under the post (edited)")
        if edited
        else t.gettext("🧵 Typed under the post")
    )
    if submission.is_public_in_group:
        link = message_link(submission.thread_source_chat_id, submission.thread_source_message_id)
        where = (
            t.gettext('<a href="{link}">in the group</a>').format(link=esc(link))
            if link
            else t.gettext("in the group")
        )
        state = (
            t.gettext("{typed}: still up {where}, until a moderator removes it")
            if submission.is_pending
            else t.gettext("{typed}: still up {where}")
        )
        lines = [state.format(typed=typed, where=where)]
    elif submission.is_pending:
        lines = [t.gettext("{typed}: taken down until decided").format(typed=typed)]
    else:
        lines = [typed]
    if submission.media_kind is not None:
        media = _media_name(t, submission.media_kind)
        # A held one's copy follows its card (or was given up, once it is decided).
        copied = submission.moderation_copy_message_id is not None or (
            submission.is_pending and not submission.original_kept
        )
        lines.append(
            t.gettext("📎 {media}: its copy is just below").format(media=media)
            if copied
            else f"📎 {media}"
        )
    if submission.is_public_in_group and submission.removal_refused:
        lines.append(
            t.gettext("⚠️ Not taken down: {reason}").format(
                reason=removal_refused(t, submission.removal_refused)
            )
        )
    return lines


def _media_name(t: Texts, kind: str) -> str:
    """handlers.discussion.MEDIA_KINDS, each with its article (its gender, in Spanish)."""
    names = {
        "animation": t.gettext("An animation"),
        "photo": t.gettext("A photo"),
        "video": t.gettext("A video"),
        "video_note": t.gettext("A round video"),
        "sticker": t.gettext("A sticker"),
        "voice": t.gettext("A voice message"),
        "audio": t.gettext("An audio file"),
        "document": t.gettext("A file"),
        "poll": t.gettext("A poll"),
        "venue": t.gettext("A venue"),
        "location": t.gettext("A location"),
        "contact": t.gettext("A contact"),
        "dice": t.gettext("A dice"),
        "story": t.gettext("A story"),
    }
    return names.get(kind) or t.gettext("Media: {kind}").format(kind=esc(kind.replace("_", " ")))


def thread_post_lines(t: Texts, submission: Submission) -> list[str]:
    """What became of the bot's own post of the comment in the thread, when it went wrong."""
    lines: list[str] = []
    if submission.thread_post_refused:
        lines.append(
            t.gettext("⚠️ Not published: Telegram refused the post in the thread ({error})").format(
                error=esc(shorten(submission.thread_post_refused, 200))
            )
        )
    if submission.retracted_by_edit:
        lines.append(
            t.gettext(
                "↩️ Its post in the thread was too old to delete: it now says the moderators"
                " removed it"
            )
        )
    return lines


def removal_refused(t: Texts, reason: str) -> str:
    """Why a comment left up in the discussion group could not be taken down."""
    if reason == "no_right":
        return t.gettext(
            "I lack the <b>Delete messages</b> right in the discussion group. Grant it to me,"
            " or delete the message by hand."
        )
    return t.gettext(
        "Telegram lets bots delete messages only within 48 hours of sending. Delete it by hand."
    )


def message_link(chat_id: int | None, message_id: int | None) -> str | None:
    """t.me/c links open a message in a supergroup for its members."""
    text = str(chat_id)
    if message_id is None or not text.startswith("-100"):
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"
