"""Admins in their private chat: /post, /articles and /unpublish, and what the bot tells
them about posting articles, the moderation chat, and deliveries it gave up."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.i18n import Texts
from bot.rendering.common import CARD_TITLE_LIMIT, esc
from bot.text import shorten
from storage.models import Article, ArticleListing, FeedState

POST_USAGE = (
    "<b>Post an article</b>\n"
    "<code>/post https://blog.example/article</code>\n"
    "Title on the next line\n"
    "Optional summary on the lines after it"
)


def admins_only(t: Texts) -> str:
    """To someone who is not an admin (a reader, most likely), in their language."""
    return t.gettext("Only the blog's admins can do that.")


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


# The rights as Telegram's apps name them (a channel's admin rights say "of others").
RIGHT_NAMES = {
    "can_post_messages": "Post messages",
    "can_edit_messages": "Edit messages of others",
    "can_delete_messages": "Delete messages",
    "can_restrict_members": "Ban users",
}
CHAT_ROLES = {
    "channel": "the channel",
    "moderation": "the moderation group",
    "discussion": "the discussion group",
}
# What goes wrong meanwhile: why the right matters.
_WITHOUT = {
    ("channel", "can_post_messages"): "new articles cannot be posted",
    ("discussion", "can_delete_messages"): (
        "readers' comments there stay public while they wait for a moderator"
    ),
    ("discussion", "can_restrict_members"): "bans do not reach the group",
}
# Rights the bot does not strictly need (with Post messages it edits and deletes its own
# posts), but which the set-up asks for so that it can tidy any post in the channel.
_RECOMMENDED = {
    ("channel", "can_edit_messages"): "to fix posts other admins made",
    ("channel", "can_delete_messages"): "to remove posts other admins made",
}
_NOT_THERE = {
    "channel": "I cannot post articles",
    "moderation": "cards cannot reach the moderators",
    "discussion": (
        "comments typed there are not moderated, and approved comments cannot be published there"
    ),
}


def missing_right(right: str, chat_id: str, role: str) -> str:
    """What the bot lacks in one of its chats, and how to grant it. `right` is an
    administrator right, or "member" / "administrator" for the moderation group."""
    where = f"{CHAT_ROLES.get(role, 'a chat')} (<code>{esc(chat_id)}</code>)"
    if right == "member":
        return (
            f"⚠️ I am not in {where}: {_NOT_THERE.get(role, 'I cannot work there')}. Add me"
            " to it as an administrator. I tell you once."
        )
    if right == "administrator":
        return (
            f"⚠️ I am a plain member of {where}. In privacy mode Telegram shows a plain"
            " member only some messages: a bare /queue or /stats may never reach me. Make me"
            " an administrator of the group (no particular right is needed). I tell you once."
        )
    name = RIGHT_NAMES.get(right, right)
    how = f"In its settings: Administrators → the bot → turn on “{esc(name)}”."
    recommended = _RECOMMENDED.get((role, right))
    if recommended is not None:
        return (
            f"ℹ️ I recommend the <b>{esc(name)}</b> right in {where}, {recommended}. {how}"
            " I tell you once."
        )
    without = _WITHOUT.get((role, right))
    meanwhile = f" Until then {without}." if without else ""
    return (
        f"⚠️ I need the <b>{esc(name)}</b> right in {where} and do not have it. {how}"
        f"{meanwhile} I tell you once."
    )


def chat_moved(role: str, old: str, new: str) -> str:
    field = "MODERATION_CHAT_ID" if role == "moderation" else "DISCUSSION_CHAT_ID"
    return (
        f"ℹ️ Telegram upgraded {CHAT_ROLES.get(role, 'a group')} to a supergroup: its id"
        f" changed from <code>{esc(old)}</code> to <code>{esc(new)}</code>. I use the new"
        " one already; to say so in .env too, change that line to:\n"
        f"<code>{field}={esc(new)}</code>"
    )


def chat_discovered(kind: str, chat_id: str, title: str) -> str:
    """The bot was added to a chat it is not configured for, and leaves it: here is how to
    use it instead (this is how a newsroom learns a new group's id)."""
    named = f"“{esc(shorten(title, 100))}”" if title else "a chat"
    if kind == "channel":
        lines = [f"<code>CHANNEL_ID={esc(chat_id)}</code>"]
    else:
        lines = [
            f"as the moderation group: <code>MODERATION_CHAT_ID={esc(chat_id)}</code>",
            f"as the discussion group: <code>DISCUSSION_CHAT_ID={esc(chat_id)}</code>",
        ]
    return (
        f"ℹ️ I was added to the {esc(kind)} {named} (id <code>{esc(chat_id)}</code>), which"
        " is not one of mine, so I left it. To use it, put this line in .env and restart"
        " me:\n" + "\n".join(lines)
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


def feed_notice(notice: str, url: str, detail: str) -> str:
    """What the admins hear of one of the blog's feeds."""
    feed = f"<code>{esc(shorten(url, 300))}</code>"
    if notice == "feed_first_seen":
        return (
            f"📰 Feed {feed}: {esc(detail)} existing entries recorded; new ones will be"
            " posted to the channel."
        )
    if notice == "feed_failing":
        return (
            f"⚠️ Feed {feed} has failed several times in a row: {esc(shorten(detail, 300))}."
            " I keep trying, less often, and tell you when it works again."
        )
    return f"✅ Feed {feed} works again."


# Ten feeds with long URLs and errors stay well inside a 4096-character message.
FEEDS_SHOWN = 10


def feed_list(states: Sequence[FeedState], now: float) -> str:
    """/feeds: each feed's last fetch and result, the entries it posted, its last error."""
    if not states:
        return (
            "📰 No feeds: set FEED_URLS in .env (comma-separated) to post new articles from"
            " the blog's feed by themselves."
        )
    lines = [f"📰 <b>{len(states)} feed{'s' if len(states) != 1 else ''}</b>"]
    for state in states[:FEEDS_SHOWN]:
        if state.last_fetch_at is None:
            fetched = "not fetched yet"
        else:
            ago = max(0, round(now - state.last_fetch_at))
            fetched = f"fetched {ago} s ago: {esc(_RESULTS.get(state.last_result or '', '?'))}"
        lines.append(
            f"\n<code>{esc(shorten(state.url, 150))}</code>\n{fetched}; {state.posted} posted"
        )
        if state.failures:
            lines.append(
                f"⚠️ {state.failures} failure{'s' if state.failures != 1 else ''} in a row:"
                f" {esc(shorten(state.last_error or '', 150))}"
            )
    if len(states) > FEEDS_SHOWN:
        lines.append(f"\n…and {len(states) - FEEDS_SHOWN} more")
    return "\n".join(lines)


_RESULTS = {"ok": "ok", "not_modified": "unchanged (304)", "failed": "failed"}
