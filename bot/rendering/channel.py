"""The channel: an article's post, its comments button, and a comment in its thread."""

from __future__ import annotations

import re
from html import unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Texts
from bot.rendering.common import article_payload, deep_link, esc, name_html, visible_length
from bot.text import MESSAGE_LIMIT, one_line, shorten, tg_length
from storage.models import Article, Submission


def comments_button(
    t: Texts, article: Article, bot_username: str, approved_count: int
) -> InlineKeyboardMarkup:
    link = deep_link(bot_username, article_payload(article.id))
    label = t.gettext("💬 Comments ({count})")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label.format(count=approved_count), url=link)]]
    )


def channel_post(
    t: Texts,
    article: Article,
    bot_username: str,
    *,
    with_discussion: bool,
    limit: int = MESSAGE_LIMIT,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The article's post (or, with `limit` CAPTION_LIMIT, a photo's caption: the summary
    gives way). With a discussion group the comment link sits in the text: Telegram
    hides a post's comment thread when the post has inline buttons."""
    title = f"<b>{esc(article.title)}</b>"
    read = esc(t.gettext("Read the article"))
    link_line = f'🔗 <a href="{esc(article.url)}">{read}</a>'
    if with_discussion:
        link = deep_link(bot_username, article_payload(article.id))
        comment = esc(t.gettext("Comment"))
        link_line += f'\n💬 <a href="{esc(link)}">{comment}</a>'
    parts = [title, link_line]
    if article.summary:
        # Counted as Telegram counts: the visible text, after the markup is parsed.
        room = limit - tg_length(article.title) - tg_length(_visible(link_line)) - 4
        if room > 20:
            parts.insert(1, esc(shorten(article.summary, room)))
    markup = None if with_discussion else comments_button(t, article, bot_username, 0)
    return "\n\n".join(parts), markup


def _visible(html: str) -> str:
    """The text a reader sees of our own simple markup (tags out, entities back)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


THREAD_NAME_LIMIT = 64


def thread_comment(submission: Submission, edited_mark: str = "") -> str:
    """The whole comment, always: the author's name gives way if room is short.
    `edited_mark`: the line under a comment the moderators corrected (edits.edited_mark)."""
    body = _published_body(submission, edited_mark)
    room = MESSAGE_LIMIT - visible_length(body) - 8
    name = shorten(one_line(submission.author.display_name), max(8, min(THREAD_NAME_LIMIT, room)))
    signature = f"💬 <b>{esc(name)}</b>"
    # A sticker or round video has no text: its signature goes alone, the media after it.
    return f"{signature}\n{body}" if body else signature


def _published_body(submission: Submission, edited_mark: str) -> str:
    """The words as published (a correction in place of the reader's), escaped."""
    text = submission.published_text
    if not text:
        return ""
    return f"{esc(text)}\n{edited_mark}" if edited_mark else esc(text)


CAPTION_LIMIT = 1024


def thread_caption(submission: Submission, edited_mark: str = "") -> str | None:
    """A media comment's signature and whole caption, or None if they do not fit in a
    bot's 1024-character caption (a Premium reader's may run to 4096): the media then
    follows its signed text (thread_comment) instead of being cut."""
    name = shorten(one_line(submission.author.display_name), THREAD_NAME_LIMIT)
    signature = f"💬 <b>{esc(name)}</b>"
    body = _published_body(submission, edited_mark)
    caption = f"{signature}\n{body}" if body else signature
    return caption if visible_length(caption) <= CAPTION_LIMIT else None


def thread_notice(t: Texts, author_name: str, author_id: int, held: bool) -> str:
    """A short word in the thread to an author the bot cannot write to privately (deleted
    after a minute)."""
    name = name_html(author_name, THREAD_NAME_LIMIT)
    # A channel (a negative id) has no user link.
    mention = (
        f'<a href="tg://user?id={author_id}">{name}</a>' if author_id > 0 else f"<b>{name}</b>"
    )
    if held:
        text = t.gettext(
            "{mention}, your comment waits for a moderator and will appear once approved."
        )
    else:
        text = t.gettext("{mention}, your comment was removed. Write to me privately to see why.")
    return text.format(mention=mention)


def thread_post_removed(t: Texts) -> str:
    """An unpublished comment's thread post, too old for Telegram to let the bot delete."""
    return "🗑 <i>" + esc(t.gettext("This comment was removed by the moderators.")) + "</i>"


def thread_post_forgotten(t: Texts) -> str:
    """A comment taken down at its author's request, too old for the bot to delete."""
    return "🗑 <i>" + esc(t.gettext("This comment was removed at its author's request.")) + "</i>"


def former_reader(t: Texts) -> str:
    """What a forgotten reader's comments left up are signed with."""
    return t.gettext("a former reader")
