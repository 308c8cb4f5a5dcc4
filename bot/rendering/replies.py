"""The notice to a reader whose published comment was answered, and /notifications."""

from __future__ import annotations

from bot.i18n import Texts
from bot.rendering.common import CARD_TITLE_LIMIT, esc, name_html
from bot.rendering.in_thread import message_link
from bot.text import shorten

# How much of the reply the notice quotes.
REPLY_EXCERPT = 500


def comment_link(
    channel: int | str, post_id: int | None, group: int, message_id: int
) -> str | None:
    """A link that opens the reply under the channel's post (Telegram's `?comment=` form,
    core.telegram.org/api/links: the post's id, then the comment's id in the discussion
    group); without a post of ours, the message in the group (for its members)."""
    if post_id is not None:
        if isinstance(channel, str):
            return f"https://t.me/{channel.lstrip('@')}/{post_id}?comment={message_id}"
        if str(channel).startswith("-100"):
            return f"https://t.me/c/{str(channel)[4:]}/{post_id}?comment={message_id}"
    return message_link(group, message_id)


def comment_answered(
    t: Texts,
    name: str,
    text: str,
    article_title: str | None,
    link: str | None,
    reply_link: str | None,
) -> str:
    """`reply_link`: a deep link that opens the article to answer the reply through the bot."""
    who = name_html(name, 64) or esc(t.gettext("Someone"))
    if article_title is None:
        head = t.gettext("💬 {name} replied to your comment:").format(name=f"<b>{who}</b>")
    else:
        head = t.gettext("💬 {name} replied to your comment under “{title}”:").format(
            name=f"<b>{who}</b>", title=esc(shorten(article_title, CARD_TITLE_LIMIT))
        )
    links = []
    if link is not None:
        label = t.gettext("Open the thread")
        links.append(f'<a href="{esc(link)}">{esc(label)}</a>')
    if reply_link is not None:
        label = t.gettext("↩️ Reply")
        links.append(f'<a href="{esc(reply_link)}">{esc(label)}</a>')
    parts = [head, f"<blockquote>{esc(shorten(text, REPLY_EXCERPT))}</blockquote>"]
    if links:
        parts.append(" · ".join(links))
    parts.append(t.gettext("/notifications off: no more of these."))
    return "\n\n".join(parts)


def notifications_state(t: Texts, *, on: bool) -> str:
    """/notifications alone: the state, and how to change it."""
    if on:
        return t.gettext(
            "🔔 Reply notices are on: when someone answers one of your published comments,"
            " I tell you (at most once per thread every ten minutes).\n"
            "/notifications off turns them off."
        )
    return t.gettext(
        "🔕 Reply notices are off: I do not tell you when someone answers your comments.\n"
        "/notifications on turns them on."
    )


def notifications_changed(t: Texts, *, on: bool) -> str:
    if on:
        return t.gettext(
            "🔔 Done: I will tell you when someone answers one of your published comments."
        )
    return t.gettext(
        "🔕 Done: I will not tell you when someone answers your comments."
        " /notifications on turns this back on."
    )


def notifications_usage(t: Texts, given: str) -> str:
    return t.gettext(
        "I did not understand “{given}”. Send /notifications on or /notifications off"
        " (or /notifications alone to see which it is now)."
    ).format(given=esc(shorten(given, 40)))
