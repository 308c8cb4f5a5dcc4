"""Admins in their private chat, each in their own language: /post, /articles and
/unpublish, and what the bot tells them about posting articles, its chats and deliveries
it gave up (the feeds' texts are in bot.rendering.feeds).

Telegram's own words (an error's description) stay as they came."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from bot.i18n import Texts
from bot.rendering.common import CARD_TITLE_LIMIT, esc
from bot.services.articles import (
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    PostProblem,
)
from bot.text import shorten
from storage.models import Article, ArticleListing


def admins_only(t: Texts) -> str:
    """To someone who is not an admin (a reader, most likely), in their language."""
    return t.gettext("Only the blog's admins can do that.")


def post_usage(t: Texts) -> str:
    return t.gettext(
        "<b>Post an article</b>\n"
        "<code>/post https://blog.example/article</code>\n"
        "Title on the next line\n"
        "Optional summary on the lines after it"
    )


def post_refused(t: Texts, problem: PostProblem) -> str:
    reasons = {
        PostProblem.NO_LINK: t.gettext("The article's link is missing."),
        PostProblem.NOT_A_LINK: t.gettext(
            "The first line must be the article's link, starting with https://."
        ),
        PostProblem.LINK_TOO_LONG: t.gettext("The link is longer than {limit} characters.").format(
            limit=URL_MAX_LENGTH
        ),
        PostProblem.NO_TITLE: t.gettext("The title is missing: put it on the line after the link."),
        PostProblem.TITLE_TOO_LONG: t.gettext(
            "The title is longer than {limit} characters."
        ).format(limit=TITLE_MAX_LENGTH),
        PostProblem.SUMMARY_TOO_LONG: t.gettext(
            "The summary is longer than {limit} characters."
        ).format(limit=SUMMARY_MAX_LENGTH),
    }
    return f"{reasons[problem]}\n\n{post_usage(t)}"


def _title(article: Article) -> str:
    return esc(shorten(article.title, CARD_TITLE_LIMIT))


def article_posted(t: Texts, article: Article) -> str:
    return t.gettext(
        "✅ Posted article #{article_id}: <b>{title}</b>\nTake it down with /unpublish {article_id}"
    ).format(article_id=article.id, title=_title(article))


def article_post_failed(t: Texts, article: Article, reason: str) -> str:
    return t.gettext("⚠️ Article #{article_id} could not be posted to the channel: {reason}").format(
        article_id=article.id, reason=esc(shorten(reason, 500))
    )


def article_post_unconfirmed(t: Texts, article: Article) -> str:
    return t.gettext(
        "⚠️ Telegram did not confirm the post of article #{article_id}: <b>{title}</b>\n"
        "Please look at the channel. If the post is there, nothing needs doing. If it is"
        " not, send the same /post again and I will post it (only then, so that it never"
        " appears twice)."
    ).format(article_id=article.id, title=_title(article))


def article_being_posted(t: Texts, article: Article) -> str:
    """A second /post of a link already posted (or on its way): nothing is posted twice."""
    if article.channel_message_id is None:
        text = t.gettext("⏳ Article #{article_id} with that link is being posted: <b>{title}</b>")
    else:
        text = t.gettext(
            "This link is already posted as article #{article_id}: <b>{title}</b>\n"
            "Take it down with /unpublish {article_id} before posting it again."
        )
    return text.format(article_id=article.id, title=_title(article))


def delivery_failed(t: Texts, action: str, reason: str) -> str:
    return t.gettext(
        "⚠️ A message of kind <code>{action}</code> kept failing inside the bot and was"
        " given up: {reason}\n\nThe log has each one in full. I tell you once per kind of"
        " message."
    ).format(action=esc(action), reason=esc(shorten(reason, 500)))


def right_name(t: Texts, right: str) -> str:
    """An administrator right as Telegram's apps name it in the admin's language (a
    channel's admin rights say "of others")."""
    names = {
        "can_post_messages": t.gettext("Post messages"),
        "can_edit_messages": t.gettext("Edit messages of others"),
        "can_delete_messages": t.gettext("Delete messages"),
        "can_restrict_members": t.gettext("Ban users"),
    }
    return names.get(right, right)


def chat_role(t: Texts, role: str) -> str:
    roles = {
        "channel": t.gettext("the channel"),
        "moderation": t.gettext("the moderation group"),
        "discussion": t.gettext("the discussion group"),
    }
    return roles.get(role, t.gettext("a chat"))


def _without(t: Texts, role: str, right: str) -> str | None:
    """What goes wrong until the right is granted: why it matters."""
    if (role, right) == ("channel", "can_post_messages"):
        return t.gettext("new articles cannot be posted")
    if (role, right) == ("discussion", "can_delete_messages"):
        return t.gettext("readers' comments there stay public while they wait for a moderator")
    if (role, right) == ("discussion", "can_restrict_members"):
        return t.gettext("bans do not reach the group")
    return None


def _recommended(t: Texts, role: str, right: str) -> str | None:
    """Rights the bot does not strictly need (with Post messages it edits and deletes its
    own posts), but which the set-up asks for so that it can tidy any post in the channel."""
    if (role, right) == ("channel", "can_edit_messages"):
        return t.gettext("to fix posts other admins made")
    if (role, right) == ("channel", "can_delete_messages"):
        return t.gettext("to remove posts other admins made")
    return None


def _not_there(t: Texts, role: str) -> str:
    consequences = {
        "channel": t.gettext("I cannot post articles"),
        "moderation": t.gettext("cards cannot reach the moderators"),
        "discussion": t.gettext(
            "comments typed there are not moderated, and approved comments cannot be"
            " published there"
        ),
    }
    return consequences.get(role, t.gettext("I cannot work there"))


def _plain_member(t: Texts, role: str, where: str, thread_moderated: bool) -> str:
    if role != "discussion":
        return t.gettext(
            "⚠️ I am a plain member of {where}. In privacy mode Telegram shows a plain member"
            " only some messages: a bare /queue or /stats may never reach me. Make me an"
            " administrator of the group (no particular right is needed). I tell you once."
        ).format(where=where)
    if thread_moderated:
        delete = esc(right_name(t, "can_delete_messages"))
        ban = esc(right_name(t, "can_restrict_members"))
        return t.gettext(
            "⚠️ I am a plain member of {where}. In privacy mode Telegram does not show a plain"
            " member what readers type there, nor the channel's posts copied there: comments"
            " typed under posts are not moderated, and approved comments cannot be published"
            " under the posts. Make me an administrator of the group with the rights"
            " “{delete}” and “{ban}”. I tell you once."
        ).format(where=where, delete=delete, ban=ban)
    return t.gettext(
        "⚠️ I am a plain member of {where}. In privacy mode Telegram does not show a plain"
        " member the channel's posts copied there: I cannot find a post's comments, so"
        " approved comments cannot be published under the posts. Make me an administrator of"
        " the group (no particular right is needed). I tell you once."
    ).format(where=where)


def missing_right(
    t: Texts, right: str, chat_id: str, role: str, *, thread_moderated: bool = True
) -> str:
    """What the bot lacks in one of its chats, and how to grant it. `right` is an admin
    right, "member", or "administrator" (privacy mode hides a group from a plain member)."""
    where = f"{chat_role(t, role)} (<code>{esc(chat_id)}</code>)"
    if right == "member":
        return t.gettext(
            "⚠️ I am not in {where}: {consequence}. Add me to it as an administrator. I tell"
            " you once."
        ).format(where=where, consequence=_not_there(t, role))
    if right == "administrator":
        return _plain_member(t, role, where, thread_moderated)
    name = esc(right_name(t, right))
    how = t.gettext("In its settings: Administrators → the bot → turn on “{right}”.").format(
        right=name
    )
    recommended = _recommended(t, role, right)
    if recommended is not None:
        return t.gettext(
            "ℹ️ I recommend the <b>{right}</b> right in {where}, {reason}. {how} I tell you once."
        ).format(right=name, where=where, reason=recommended, how=how)
    without = _without(t, role, right)
    if without is None:
        return t.gettext(
            "⚠️ I need the <b>{right}</b> right in {where} and do not have it. {how} I tell"
            " you once."
        ).format(right=name, where=where, how=how)
    return t.gettext(
        "⚠️ I need the <b>{right}</b> right in {where} and do not have it. {how} Until then"
        " {consequence}. I tell you once."
    ).format(right=name, where=where, how=how, consequence=without)


def chat_moved(t: Texts, role: str, old: str, new: str) -> str:
    field = "MODERATION_CHAT_ID" if role == "moderation" else "DISCUSSION_CHAT_ID"
    return t.gettext(
        "ℹ️ Telegram upgraded {chat} to a supergroup: its id changed from <code>{old}</code>"
        " to <code>{new}</code>. I use the new one already; to say so in .env too, change"
        " that line to:\n<code>{setting}</code>"
    ).format(chat=chat_role(t, role), old=esc(old), new=esc(new), setting=f"{field}={esc(new)}")


def chat_discovered(t: Texts, kind: str, chat_id: str, title: str) -> str:
    """The bot was added to a chat it is not configured for, and leaves it: here is how to
    use it instead (this is how a newsroom learns a new group's id). `kind` is "channel"
    or "group"."""
    chat = esc(chat_id)
    if kind == "channel":
        text = t.gettext(
            "ℹ️ I was added to the channel “{title}” (id <code>{chat_id}</code>), which is"
            " not one of mine, so I left it. To use it, put this line in .env and restart me:"
        )
        lines = [f"<code>CHANNEL_ID={chat}</code>"]
    else:
        text = t.gettext(
            "ℹ️ I was added to the group “{title}” (id <code>{chat_id}</code>), which is not"
            " one of mine, so I left it. To use it, put this line in .env and restart me:"
        )
        lines = [
            t.gettext("as the moderation group: <code>MODERATION_CHAT_ID={chat_id}</code>").format(
                chat_id=chat
            ),
            t.gettext("as the discussion group: <code>DISCUSSION_CHAT_ID={chat_id}</code>").format(
                chat_id=chat
            ),
        ]
    heading = text.format(title=esc(shorten(title, 100)), chat_id=chat)
    return "\n".join([heading, *lines])


def media_copy_failed(t: Texts, submission_id: str, reason: str) -> str:
    return t.gettext(
        "⚠️ The media of comment #{submission_id}, typed under a post, could not be copied"
        " into the moderation chat: {reason}. It was taken down from the thread; its card"
        " shows only its caption, if any."
    ).format(submission_id=esc(submission_id), reason=esc(shorten(reason, 300)))


def thread_post_failed(t: Texts, submission_id: str, reason: str) -> str:
    return t.gettext(
        "⚠️ Comment #{submission_id} was approved but could not be published in the"
        " discussion group: {reason}. Its author was not told it was published. Check that"
        " the group is still linked and the bot still in it."
    ).format(submission_id=esc(submission_id), reason=esc(shorten(reason, 300)))


def article_list(t: Texts, listings: Sequence[ArticleListing]) -> str:
    if not listings:
        return t.gettext("No articles yet. Post one with /post.")
    lines = [t.gettext("<b>Recent articles</b>")]
    for item in listings:
        if item.article.open_for_comments:
            line = t.gettext("#{article_id} {title} – 💬 {published}, {pending}")
        else:
            line = t.gettext("#{article_id} {title} (unpublished) – 💬 {published}, {pending}")
        published = t.ngettext(
            "{count} published", "{count} published", item.approved_comments
        ).format(count=item.approved_comments)
        pending = t.ngettext("{count} pending", "{count} pending", item.pending_comments).format(
            count=item.pending_comments
        )
        lines.append(
            line.format(
                article_id=item.article.id,
                title=esc(shorten(item.article.title, 80)),
                published=published,
                pending=pending,
            )
        )
    return "\n".join(lines)


def unpublish_usage(t: Texts) -> str:
    return t.gettext("Usage: <code>/unpublish &lt;article id&gt;</code> (see /articles).")


class PostRemoval(Enum):
    """What became of an unpublished article's channel post (its name is kept in the
    outbox until the admin is told)."""

    DELETED = "deleted"
    ALREADY_GONE = "already_gone"
    FAILED = "failed"


def unpublished(t: Texts, article: Article, post: PostRemoval) -> str:
    removals = {
        PostRemoval.DELETED: t.gettext("Its channel post was deleted."),
        PostRemoval.ALREADY_GONE: t.gettext("Its channel post was already gone."),
        PostRemoval.FAILED: t.gettext(
            "⚠️ Telegram did not let me delete its channel post (older than 48 hours, or my"
            " admin rights changed): please delete it by hand in the channel."
        ),
    }
    return t.gettext("🗑 Article #{article_id} is closed to new comments. {removal}").format(
        article_id=article.id, removal=removals[post]
    )


def not_published(t: Texts, article_id: int) -> str:
    return t.gettext("There is no published article #{article_id}. See /articles.").format(
        article_id=article_id
    )


def moderation_chat_down(t: Texts, reason: str, pending: int) -> str:
    return t.ngettext(
        "⚠️ <b>I cannot post in the moderation chat</b> ({reason}).\n\n"
        "Readers' comments and messages are still accepted and kept; their cards wait"
        " ({count} queued now) and will appear as soon as I am back in the group as an"
        " admin. I will tell you once, and again when it works.",
        "⚠️ <b>I cannot post in the moderation chat</b> ({reason}).\n\n"
        "Readers' comments and messages are still accepted and kept; their cards wait"
        " ({count} queued now) and will appear as soon as I am back in the group as an"
        " admin. I will tell you once, and again when it works.",
        pending,
    ).format(reason=esc(shorten(reason, 300)), count=pending)


def moderation_chat_back(t: Texts) -> str:
    return t.gettext(
        "✅ The moderation chat works again: waiting cards are on their way. /queue there"
        " shows everything pending."
    )
