"""Readers in their private chat: welcome, help, an article's comments, acknowledgements,
the outcome of what they sent, and refusals."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.i18n import NAMES, SUPPORTED, Texts
from bot.rendering import edits as edit_texts
from bot.rendering import reasons as reason_texts
from bot.rendering.common import CARD_TITLE_LIMIT, esc, moment, visible_length
from bot.rendering.contact import contact_received
from bot.services.comments import ArticleView
from bot.services.edits import word_changes
from bot.text import MESSAGE_LIMIT, one_line, shorten, tg_length
from storage.models import Article, ArticleListing, Submission, SubmissionKind, SubmissionStatus


def welcome(t: Texts, listings: Sequence[ArticleListing]) -> tuple[str, InlineKeyboardMarkup]:
    text = t.gettext(
        "👋 Welcome! I take comments on the blog's articles, and messages, to the editors.\n\n"
        "Every comment is read by a moderator before it is published."
    )
    text += "\n" + t.gettext("🔒 /privacy: what I keep about you; /mydata: your copy.")
    contact_row = [
        InlineKeyboardButton(
            t.gettext("✉️ Contact the editors"), callback_data=callback_data.CONTACT_START
        )
    ]
    if not listings:
        return (
            text + "\n\n" + t.gettext("There are no articles open for comments yet."),
            InlineKeyboardMarkup([contact_row]),
        )
    buttons = [
        [
            InlineKeyboardButton(
                shorten(f"📰 {item.article.title}", 60),
                callback_data=callback_data.open_article(item.article.id),
            )
        ]
        for item in listings
    ]
    return (
        text + "\n\n" + t.gettext("Choose an article to read its comments and add yours:"),
        InlineKeyboardMarkup([*buttons, contact_row]),
    )


def help_text(t: Texts) -> str:
    return t.gettext(
        "<b>How to comment</b>\n"
        "1. Open an article from the channel with its 💬 link, or pick one in /start.\n"
        "2. Send your comment as one text message.\n"
        "3. A moderator reads it; I tell you when it is published or not.\n\n"
        "<b>How to write to the editors</b>\n"
        "/contact asks for your name, your email and your message. Only the editors see them.\n"
        "When they answer, reply to their message to continue the conversation.\n\n"
        "/start – latest articles\n/contact – write to the editors\n"
        "/language – English or Spanish\n"
        "/notifications – tell me when my comments are answered (on or off)\n"
        "/privacy – what I keep about you, why and for how long\n"
        "/mydata – a copy of everything I keep about you\n"
        "/cancel – stop what you are doing\n/help – this message"
    )


def language_choice(t: Texts) -> tuple[str, InlineKeyboardMarkup]:
    """/language: the languages, each button in its own language."""
    buttons = [
        InlineKeyboardButton(NAMES[code], callback_data=callback_data.language(code))
        for code in SUPPORTED
    ]
    return t.gettext("🌐 Which language should I use with you?"), InlineKeyboardMarkup([buttons])


def language_chosen(t: Texts) -> str:
    return t.gettext("🌐 From now on I write to you in English.")


VIEW_NAME_LIMIT = 64
# Below this much room, a comment is not worth starting: the older ones stop there.
VIEW_MIN_EXCERPT = 200


def article_view(t: Texts, view: ArticleView, comment_limit: int, *, replying: bool = False) -> str:
    """Title, the latest approved comments that fit one message, newest kept first.
    `replying`: opened with ↩️ Reply, the comment answers a reply in the thread."""
    article = view.article
    assert article is not None
    header = f"📰 <b>{esc(shorten(article.title, CARD_TITLE_LIMIT))}</b>"
    footer = t.gettext(
        "✍️ Send your comment as your next message (up to {limit} characters)."
        " A moderator reads it before it is published. /cancel to stop."
    ).format(limit=comment_limit)
    if replying:
        footer = (
            t.gettext("↩️ Your comment will be published as an answer to the reply.") + "\n" + footer
        )
    # Room for the intro line, which is written once we know how many comments fit.
    budget = MESSAGE_LIMIT - visible_length(header) - visible_length(footer) - 60
    shown: list[str] = []
    for comment in reversed(view.comments):
        name = f"{shorten(one_line(comment.author_name), VIEW_NAME_LIMIT)}: "
        mark = f" {edit_texts.edited_mark(t)}" if comment.edited else ""
        room = budget - tg_length(name) - visible_length(mark) - 2
        if room < VIEW_MIN_EXCERPT and shown:
            break
        shown.append(f"<b>{esc(name.rstrip())}</b> {esc(shorten(comment.text, room))}{mark}")
        budget -= tg_length(name) + visible_length(mark) + min(tg_length(comment.text), room) + 2
    if not shown:
        intro = t.gettext("No comments yet. Be the first!")
    elif len(shown) < view.approved_count:
        intro = t.gettext("Latest comments ({shown} of {total}):").format(
            shown=len(shown), total=view.approved_count
        )
    else:
        intro = t.gettext("Comments:")
    body = "\n\n".join(reversed(shown))
    return "\n\n".join(part for part in (header, intro, body, footer) if part)


def article_closed(t: Texts, article: Article | None) -> str:
    if article is None:
        return t.gettext("This article is no longer open for comments.")
    return t.gettext("“{title}” is no longer open for comments.").format(
        title=esc(shorten(article.title, CARD_TITLE_LIMIT))
    )


def article_not_found(t: Texts) -> str:
    return t.gettext("I can't find that article. Pick one from /start.")


def banned(t: Texts, until: float | None = None) -> str:
    """Told to a banned reader each time they write (the flood gate keeps a flood to one
    answer); a ban with an end says when it ends."""
    if until is not None:
        return t.gettext(
            "Sorry, you can't send comments or messages here until {moment}. "
            "If you think this is a mistake, write to the blog's editors another way."
        ).format(moment=moment(t, until))
    return t.gettext(
        "Sorry, you can no longer send comments or messages here. "
        "If you think this is a mistake, write to the blog's editors another way."
    )


def not_commenting(t: Texts) -> str:
    return t.gettext(
        "To comment, open an article with the 💬 link under its post in the channel, "
        "or choose one in /start. To write to the editors, use /contact; to answer them, "
        "reply to their message."
    )


def state_expired(t: Texts, hours: float) -> str:
    count = max(1, round(hours))
    return (
        t.ngettext(
            "What you had opened here (an article to comment on, or the contact form) was"
            " more than {count} hour ago, so I did not take this message for it.",
            "What you had opened here (an article to comment on, or the contact form) was"
            " more than {count} hours ago, so I did not take this message for it.",
            count,
        ).format(count=count)
        + " "
        + not_commenting(t)
    )


def non_text_while_commenting(t: Texts) -> str:
    return t.gettext("Please send your comment as a text message (no stickers or photos).")


def non_text(t: Texts) -> str:
    return t.gettext("I can only read text messages.") + " " + not_commenting(t)


def empty_comment(t: Texts) -> str:
    return t.gettext("Your comment is empty. Please send it as text.")


def unknown_command(t: Texts) -> str:
    return t.gettext("I don't know that command. /help shows what I can do.")


def setting_up(t: Texts) -> str:
    return t.gettext(
        "🛠 The editors are still setting me up: comments and messages open soon. Please come"
        " back a little later."
    )


def setting_up_admin(t: Texts) -> str:
    """For the newsroom's admins, during set-up (the .env names stay as they are)."""
    return t.gettext(
        "🛠 I am in set-up mode: MODERATION_CHAT_ID is empty. Add me to your moderation group"
        " and I will tell you its id and the line to put in .env; then restart me."
    )


def edits_ignored(t: Texts) -> str:
    return t.gettext(
        "I saw you edited a message: edits don't change what was already sent. "
        "Send a new message instead."
    )


def nothing_to_cancel(t: Texts) -> str:
    return t.gettext("There is nothing to cancel. /help shows what I can do.")


def cancelled(t: Texts) -> str:
    return t.gettext("Cancelled. Nothing was sent.")


def comment_too_long(t: Texts, limit: int, length: int) -> str:
    return t.gettext(
        "Your comment is {length} characters long; the limit is {limit}. "
        "Please shorten it and send it again. Nothing was saved."
    ).format(length=length, limit=limit)


def acknowledgement(
    t: Texts, kind: SubmissionKind, article_title: str | None, *, published: bool = False
) -> str:
    """What the reader hears once their submission is safely stored."""
    if kind is SubmissionKind.CONTACT:
        return contact_received(t)
    title = esc(shorten(article_title or t.gettext("the article"), CARD_TITLE_LIMIT))
    if published:
        return t.gettext(
            "✅ Thanks! Your comment on “{title}” is published: as a trusted commenter"
            " you skip the queue."
        ).format(title=title)
    return t.gettext(
        "✅ Thanks! Your comment on “{title}” was received and awaits moderation."
        " I will tell you when it is decided."
    ).format(title=title)


def already_received(t: Texts) -> str:
    return t.gettext(
        "We already have that text from you; it was received and need not be sent again."
    )


def wait_before_sending(t: Texts, retry_at: float, now: float) -> str:
    wait = max(1, int(retry_at - now + 0.999))
    if wait < 120:
        when = t.ngettext("{count} second", "{count} seconds", wait).format(count=wait)
    else:
        minutes = (wait + 59) // 60
        when = t.ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    return t.gettext(
        "⏳ You are sending faster than we can read. Please wait {when} before sending"
        " again. Nothing was saved, so keep your text."
    ).format(when=when)


def flooding(t: Texts, retry_at: float, now: float) -> str:
    """Told once to a person past the flood gate; what they send until then is not
    answered."""
    wait = max(1, int(retry_at - now + 0.999))
    return t.ngettext(
        "⏳ You are sending faster than we can read. I will not answer anything you send"
        " in the next {count} second; write again after that.",
        "⏳ You are sending faster than we can read. I will not answer anything you send"
        " in the next {count} seconds; write again after that.",
        wait,
    ).format(count=wait)


def author_outcome(t: Texts, submission: Submission, article_title: str | None) -> str:
    quoted = f"\n\n<blockquote>{esc(shorten(submission.text, 300))}</blockquote>"
    title = esc(shorten(article_title or "", CARD_TITLE_LIMIT))
    on_article = article_title is not None
    # Once public (a trusted author's, or left up in the discussion group while it waited).
    was_public = submission.auto_approved or submission.original_kept
    if was_public and submission.status is SubmissionStatus.REJECTED:
        text = (
            t.gettext("Your comment on “{title}” was removed by the moderators.")
            if on_article
            else t.gettext("Your message was removed by the moderators.")
        )
    elif submission.original_kept and submission.status is SubmissionStatus.APPROVED:
        text = (
            t.gettext("✅ Your comment on “{title}” was read by a moderator and stays up.")
            if on_article
            else t.gettext("✅ Your message was read by a moderator and stays up.")
        )
    elif submission.status is SubmissionStatus.APPROVED and submission.corrected_text is not None:
        text = (
            t.gettext("🎉 Your comment on “{title}” was published, edited by the moderators.")
            if on_article
            else t.gettext("🎉 Your message was published, edited by the moderators.")
        )
        quoted = _what_changed(t, submission)
    elif submission.status is SubmissionStatus.APPROVED:
        text = (
            t.gettext("🎉 Your comment on “{title}” was published.")
            if on_article
            else t.gettext("🎉 Your message was published.")
        )
    else:
        text = (
            t.gettext("Your comment on “{title}” was not approved by the moderators.")
            if on_article
            else t.gettext("Your message was not approved by the moderators.")
        )
        return text.format(title=title) + reason_texts.for_author(t, submission) + quoted
    return text.format(title=title) + quoted


# Room for the changes in a published comment's notice; the rest of the 4096 is the
# sentence above them, whatever the title.
CHANGES_SHOWN = 3000


def _what_changed(t: Texts, submission: Submission) -> str:
    assert submission.corrected_text is not None
    changes = edit_texts.changes_html(
        word_changes(submission.text, submission.corrected_text), CHANGES_SHOWN
    )
    heading = t.gettext("What changed (struck out: removed; underlined: added):")
    return f"\n\n{heading}\n<blockquote>{changes}</blockquote>"


def thread_comment_notice(
    t: Texts,
    notice: str,
    article_title: str | None,
    retry_at: float,
    now: float,
    text: str | None = None,
) -> str:
    """What the author of a comment typed under a post hears, in their private chat; a
    refused one's words come back with it, since they are gone from the thread."""
    reason = _thread_refusal(t, notice, article_title, retry_at, now)
    if not text:
        return reason
    return (
        reason
        + "\n\n"
        + t.gettext("What you wrote:")
        + f"\n<blockquote>{esc(shorten(text, 3000))}</blockquote>"
    )


def _thread_refusal(
    t: Texts, notice: str, article_title: str | None, retry_at: float, now: float
) -> str:
    title = esc(shorten(article_title or t.gettext("the discussion"), CARD_TITLE_LIMIT))
    if notice == "held":
        return t.gettext(
            "📝 Your comment under “{title}” was taken down from the thread until a"
            " moderator reads it. I will tell you when it is decided."
        ).format(title=title)
    if notice == "flood":
        return (
            t.gettext("🗑 Your comment under “{title}” was removed.").format(title=title)
            + " "
            + wait_before_sending(t, retry_at, now)
        )
    if notice == "duplicate":
        return (
            t.gettext("🔁 Your comment under “{title}” was removed.").format(title=title)
            + " "
            + already_received(t)
        )
    if notice == "closed":
        return t.gettext("🔒 Your comment was removed: “{title}” is closed for comments.").format(
            title=title
        )
    return t.gettext(
        "✂️ Your comment under “{title}” was removed: it was empty or too long."
    ).format(title=title)


def commands(t: Texts) -> list[tuple[str, str]]:
    """The private chat's command menu (setMyCommands), in the reader's language."""
    return [
        ("start", t.gettext("Latest articles")),
        ("contact", t.gettext("Write to the editors")),
        ("help", t.gettext("How commenting and contact work")),
        ("language", t.gettext("English or Spanish")),
        ("notifications", t.gettext("Notices of replies to your comments: on or off")),
        ("privacy", t.gettext("What I keep about you, and why")),
        ("mydata", t.gettext("A copy of your data, as one file")),
        ("forget", t.gettext("Erase what the bot keeps about you")),
        ("cancel", t.gettext("Stop what you are doing")),
    ]
