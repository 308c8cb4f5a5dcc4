"""Admins in their private chat: /post, /articles and /unpublish, and what the bot tells
them about posting articles, the moderation chat, and deliveries it gave up."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.rendering.common import CARD_TITLE_LIMIT, esc
from bot.text import shorten
from storage.models import Article, ArticleListing

POST_USAGE = (
    "<b>Post an article</b>\n"
    "<code>/post https://blog.example/article</code>\n"
    "Title on the next line\n"
    "Optional summary on the lines after it"
)
ADMINS_ONLY = "Only the blog's admins can do that."


def post_refused(reason: str) -> str:
    return f"{esc(reason)}\n\n{POST_USAGE}"


def article_posted(article: Article) -> str:
    return (
        f"✅ Posted article #{article.id}: <b>{esc(shorten(article.title, CARD_TITLE_LIMIT))}</b>\n"
        f"Take it down with /unpublish {article.id}"
    )


def article_post_failed(article: Article, reason: str) -> str:
    return (
        f"⚠️ Article #{article.id} could not be posted to the channel: {esc(shorten(reason, 500))}"
    )


def article_post_unconfirmed(article: Article) -> str:
    title = esc(shorten(article.title, CARD_TITLE_LIMIT))
    return (
        f"⚠️ Telegram did not confirm the post of article #{article.id}: <b>{title}</b>\n"
        "Please look at the channel. If the post is there, nothing needs doing. If it is"
        " not, send the same /post again and I will post it (only then, so that it never"
        " appears twice)."
    )


def article_being_posted(article: Article) -> str:
    """A second /post of a link already posted (or on its way): nothing is posted twice."""
    title = esc(shorten(article.title, CARD_TITLE_LIMIT))
    if article.channel_message_id is None:
        return f"⏳ Article #{article.id} with that link is being posted: <b>{title}</b>"
    return (
        f"This link is already posted as article #{article.id}: <b>{title}</b>\n"
        f"Take it down with /unpublish {article.id} before posting it again."
    )


def delivery_failed(action: str, reason: str) -> str:
    return (
        f"⚠️ A message of kind <code>{esc(action)}</code> kept failing inside the bot and was"
        f" given up: {esc(shorten(reason, 500))}\n\nThe log has each one in full. I tell you"
        " once per kind of message."
    )


RIGHT_NAMES = {
    "can_delete_messages": "Delete messages",
    "can_restrict_members": "Ban users",
}


def missing_right(right: str, chat_id: str) -> str:
    name = RIGHT_NAMES.get(right, right)
    return (
        f"⚠️ I need the <b>{esc(name)}</b> right in the discussion group"
        f" (<code>{esc(chat_id)}</code>) and do not have it. In the group's settings:"
        f" Administrators → the bot → turn on “{esc(name)}”. Until then readers' comments"
        " there stay public while they wait for a moderator, and bans do not reach the group."
        " I tell you once."
    )


def media_copy_failed(submission_id: str, reason: str) -> str:
    return (
        f"⚠️ The media of comment #{esc(submission_id)}, typed under a post, could not be"
        f" copied into the moderation chat: {esc(shorten(reason, 300))}. It was taken down"
        " from the thread; its card shows only its caption, if any."
    )


def thread_post_failed(submission_id: str, reason: str) -> str:
    return (
        f"⚠️ Comment #{esc(submission_id)} was approved but could not be published in the"
        f" discussion group: {esc(shorten(reason, 300))}. Its author was not told it was"
        " published. Check that the group is still linked and the bot still in it."
    )


def article_list(listings: Sequence[ArticleListing]) -> str:
    if not listings:
        return "No articles yet. Post one with /post."
    lines = ["<b>Recent articles</b>"]
    for item in listings:
        state = "" if item.article.open_for_comments else " (unpublished)"
        lines.append(
            f"#{item.article.id} {esc(shorten(item.article.title, 80))}{state} – "
            f"💬 {item.approved_comments} published, {item.pending_comments} pending"
        )
    return "\n".join(lines)


UNPUBLISH_USAGE = "Usage: <code>/unpublish &lt;article id&gt;</code> (see /articles)."


class PostRemoval(StrEnum):
    DELETED = "Its channel post was deleted."
    ALREADY_GONE = "Its channel post was already gone."
    FAILED = (
        "⚠️ Telegram did not let me delete its channel post (older than 48 hours, or my admin"
        " rights changed): please delete it by hand in the channel."
    )


def unpublished(article: Article, post: PostRemoval) -> str:
    return f"🗑 Article #{article.id} is closed to new comments. {post.value}"


def not_published(article_id: int) -> str:
    return f"There is no published article #{article_id}. See /articles."


def moderation_chat_down(reason: str, pending: int) -> str:
    return (
        "⚠️ <b>I cannot post in the moderation chat</b>"
        f" ({esc(shorten(reason, 300))}).\n\n"
        "Readers' comments and messages are still accepted and kept; their cards wait"
        f" ({pending} queued now) and will appear as soon as I am back in the group as an"
        " admin. I will tell you once, and again when it works."
    )


MODERATION_CHAT_BACK = (
    "✅ The moderation chat works again: waiting cards are on their way. /queue there shows"
    " everything pending."
)
