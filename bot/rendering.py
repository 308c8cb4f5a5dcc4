"""Every text and keyboard the bot shows, as pure functions of domain data.

All messages use HTML parse mode; every user-supplied string goes through `esc`.
Lengths are counted in UTF-16 code units, Telegram's unit, which is never fewer
than the characters a user sees, so a message that fits here fits there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.services.abuse import CardFlags
from bot.services.comments import ArticleView
from bot.services.contact import InboxEntry
from bot.services.moderation import Decision
from bot.text import MESSAGE_LIMIT, shorten, split_units, tg_length
from storage.models import (
    Article,
    ArticleListing,
    ContactReply,
    Person,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

_TAG = re.compile(r"<[^>]*>")
CONTACT_FIELD_LIMIT = 100
CARD_TITLE_LIMIT = 200


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def visible_length(html_text: str) -> int:
    """Telegram's count for our own HTML: every `<` in it starts a tag, user text is escaped."""
    return tg_length(html.unescape(_TAG.sub("", html_text)))


def deep_link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"


def article_payload(article_id: int) -> str:
    return f"a{article_id}"


def parse_article_payload(payload: str) -> int | None:
    if payload.startswith("a") and payload[1:].isdigit() and len(payload) < 19:
        return int(payload[1:])
    return None


def _utc(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


# --- the channel ------------------------------------------------------------------------


def comments_button(
    article: Article, bot_username: str, approved_count: int
) -> InlineKeyboardMarkup:
    link = deep_link(bot_username, article_payload(article.id))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"💬 Comments ({approved_count})", url=link)]]
    )


def channel_post(
    article: Article, bot_username: str, *, with_discussion: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The article's post. With a discussion group the comment link sits in the text:
    Telegram hides a post's comment thread when the post has inline buttons."""
    parts = [f"<b>{esc(article.title)}</b>"]
    if article.summary:
        parts.append(esc(article.summary))
    link_line = f'🔗 <a href="{esc(article.url)}">Read the article</a>'
    if with_discussion:
        link = deep_link(bot_username, article_payload(article.id))
        link_line += f'\n💬 <a href="{esc(link)}">Comment</a>'
        parts.append(link_line)
        return "\n\n".join(parts), None
    parts.append(link_line)
    return "\n\n".join(parts), comments_button(article, bot_username, 0)


THREAD_NAME_LIMIT = 64


def thread_comment(submission: Submission) -> str:
    """The whole comment, always: the author's name gives way if room is short."""
    room = MESSAGE_LIMIT - tg_length(submission.text) - 8
    name = shorten(submission.author.display_name, max(8, min(THREAD_NAME_LIMIT, room)))
    return f"💬 <b>{esc(name)}</b>\n{esc(submission.text)}"


# --- readers ----------------------------------------------------------------------------


CONTACT_BUTTON = "✉️ Contact the editors"


def welcome(listings: Sequence[ArticleListing]) -> tuple[str, InlineKeyboardMarkup]:
    text = (
        "👋 Welcome! I take comments on the blog's articles, and messages, to the editors.\n\n"
        "Every comment is read by a moderator before it is published."
    )
    contact_row = [InlineKeyboardButton(CONTACT_BUTTON, callback_data=callback_data.CONTACT_START)]
    if not listings:
        return (
            text + "\n\nThere are no articles open for comments yet.",
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
        text + "\n\nChoose an article to read its comments and add yours:",
        InlineKeyboardMarkup([*buttons, contact_row]),
    )


HELP = (
    "<b>How to comment</b>\n"
    "1. Open an article from the channel with its 💬 link, or pick one in /start.\n"
    "2. Send your comment as one text message.\n"
    "3. A moderator reads it; I tell you when it is published or not.\n\n"
    "<b>How to write to the editors</b>\n"
    "/contact asks for your name, your email and your message. Only the editors see them.\n"
    "When they answer, reply to their message to continue the conversation.\n\n"
    "/start – latest articles\n/contact – write to the editors\n"
    "/cancel – stop what you are doing\n/help – this message"
)


VIEW_NAME_LIMIT = 64
# Below this much room, a comment is not worth starting: the older ones stop there.
VIEW_MIN_EXCERPT = 200


def article_view(view: ArticleView, comment_limit: int) -> str:
    """Title, the latest approved comments that fit one message, newest kept first."""
    article = view.article
    assert article is not None
    header = f"📰 <b>{esc(shorten(article.title, CARD_TITLE_LIMIT))}</b>"
    footer = (
        f"✍️ Send your comment as your next message (up to {comment_limit} characters)."
        " A moderator reads it before it is published. /cancel to stop."
    )
    # Room for the intro line, which is written once we know how many comments fit.
    budget = MESSAGE_LIMIT - visible_length(header) - visible_length(footer) - 60
    shown: list[str] = []
    for comment in reversed(view.comments):
        name = f"{shorten(comment.author_name, VIEW_NAME_LIMIT)}: "
        room = budget - tg_length(name) - 2
        if room < VIEW_MIN_EXCERPT and shown:
            break
        shown.append(f"<b>{esc(name.rstrip())}</b> {esc(shorten(comment.text, room))}")
        budget -= tg_length(name) + min(tg_length(comment.text), room) + 2
    if not shown:
        intro = "No comments yet. Be the first!"
    elif len(shown) < view.approved_count:
        intro = f"Latest comments ({len(shown)} of {view.approved_count}):"
    else:
        intro = "Comments:"
    body = "\n\n".join(reversed(shown))
    return "\n\n".join(part for part in (header, intro, body, footer) if part)


def article_closed(article: Article | None) -> str:
    if article is None:
        return "This article is no longer open for comments."
    return f"“{esc(shorten(article.title, CARD_TITLE_LIMIT))}” is no longer open for comments."


ARTICLE_NOT_FOUND = "I can't find that article. Pick one from /start."
BANNED = (
    "Sorry, you can no longer send comments or messages here. "
    "If you think this is a mistake, write to the blog's editors another way."
)
NOT_COMMENTING = (
    "To comment, open an article with the 💬 link under its post in the channel, "
    "or choose one in /start. To write to the editors, use /contact; to answer them, "
    "reply to their message."
)


def state_expired(hours: float) -> str:
    return (
        "What you had opened here (an article to comment on, or the contact form) was more"
        f" than {hours:g} hour{'' if hours == 1 else 's'} ago, so I did not take this message"
        " for it. " + NOT_COMMENTING
    )


NON_TEXT_WHILE_COMMENTING = "Please send your comment as a text message (no stickers or photos)."
NON_TEXT = "I can only read text messages. " + NOT_COMMENTING
EMPTY_COMMENT = "Your comment is empty. Please send it as text."
UNKNOWN_COMMAND = "I don't know that command. /help shows what I can do."
NOTHING_TO_CANCEL = "There is nothing to cancel. /help shows what I can do."
CANCELLED = "Cancelled. Nothing was sent."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side and I could not finish that. Please try again."
)


def comment_too_long(limit: int, length: int) -> str:
    return (
        f"Your comment is {length} characters long; the limit is {limit}. "
        "Please shorten it and send it again. Nothing was saved."
    )


def acknowledgement(
    kind: SubmissionKind, article_title: str | None, *, published: bool = False
) -> str:
    """What the reader hears once their submission is safely stored."""
    if kind is SubmissionKind.CONTACT:
        return CONTACT_RECEIVED
    title = esc(shorten(article_title or "the article", CARD_TITLE_LIMIT))
    if published:
        return (
            f"✅ Thanks! Your comment on “{title}” is published: as a trusted commenter"
            " you skip the queue."
        )
    return (
        f"✅ Thanks! Your comment on “{title}” was received and awaits moderation."
        " I will tell you when it is decided."
    )


ALREADY_RECEIVED = "We already have that text from you; it was received and need not be sent again."


def wait_before_sending(retry_at: float, now: float) -> str:
    wait = max(1, int(retry_at - now + 0.999))
    when = f"{wait} seconds" if wait < 120 else f"{(wait + 59) // 60} minutes"
    return (
        f"⏳ You are sending faster than we can read. Please wait {when} before sending"
        " again. Nothing was saved, so keep your text."
    )


def author_outcome(submission: Submission, article_title: str | None) -> str:
    what = (
        f"Your comment on “{esc(shorten(article_title, CARD_TITLE_LIMIT))}”"
        if article_title is not None
        else "Your message"
    )
    quoted = esc(shorten(submission.text, 300))
    if submission.auto_approved and submission.status is SubmissionStatus.REJECTED:
        return f"{what} was removed by the moderators.\n\n<blockquote>{quoted}</blockquote>"
    if submission.status is SubmissionStatus.APPROVED:
        return f"🎉 {what} was published.\n\n<blockquote>{quoted}</blockquote>"
    return f"{what} was not approved by the moderators.\n\n<blockquote>{quoted}</blockquote>"


# --- moderators -------------------------------------------------------------------------

_OUTCOME = {
    SubmissionStatus.APPROVED: "✅ Approved",
    SubmissionStatus.REJECTED: "❌ Rejected",
}


def person_line(person: Person) -> str:
    handle = f" @{esc(person.username)}" if person.username else ""
    return f"{esc(shorten(person.display_name, 140))}{handle} (id <code>{person.user_id}</code>)"


@dataclass(frozen=True)
class Card:
    """A moderation card; `continuation` carries the rest of a text too long for one message."""

    text: str
    markup: InlineKeyboardMarkup | None
    continuation: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """Identifies what the card shows, to skip edits that would change nothing."""
        buttons = json.dumps(self.markup.to_dict() if self.markup else None, sort_keys=True)
        return hashlib.sha256(f"{self.text}\0{buttons}".encode()).hexdigest()[:32]


# Room kept free for the outcome and answer lines a card gains later.
CARD_FOOTER_RESERVE = 700
ANSWER_LINES_SHOWN = 3


def card(
    submission: Submission,
    article_title: str | None,
    answers: Sequence[ContactReply] = (),
    flags: CardFlags | None = None,
) -> Card:
    lines = _card_header(submission, article_title)
    if flags is not None:
        lines += _flag_lines(flags)
    footer = _card_footer(submission, answers)
    budget = MESSAGE_LIMIT - visible_length("\n".join([*lines, *footer])) - CARD_FOOTER_RESERVE
    text = submission.text
    continuation: list[str] = []
    if tg_length(text) > budget:
        # Never lose words: what does not fit goes whole into the messages after the card.
        text = shorten(text, budget - tg_length(CONTINUED) - 2) + "\n" + CONTINUED
        continuation = continuation_messages(submission)
    lines += ["", esc(text), *footer]
    return Card("\n".join(lines), _card_keyboard(submission), continuation)


def _card_keyboard(submission: Submission) -> InlineKeyboardMarkup | None:
    if submission.is_pending:
        return moderation_keyboard(submission.id)
    if submission.auto_approved and submission.status is SubmissionStatus.APPROVED:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "↩️ Unpublish",
                        callback_data=callback_data.moderation(Decision.UNPUBLISH, submission.id),
                    )
                ]
            ]
        )
    return None


WATCHED_WORDS_SHOWN = 10


def _flag_lines(flags: CardFlags) -> list[str]:
    """Only what deserves a look: a clean first-time author gets no flag line."""
    lines = []
    if flags.links:
        lines.append(f"🔗 {flags.links} link{'s' if flags.links != 1 else ''}")
    if flags.watched_words:
        words = ", ".join(esc(w) for w in flags.watched_words[:WATCHED_WORDS_SHOWN])
        lines.append(f"👀 Watch words: {words}")
    past = flags.history
    if past.approved or past.rejected:
        lines.append(f"📊 Earlier: {past.approved} approved, {past.rejected} rejected")
    if past.banned_before:
        lines.append("⛔ Banned before")
    return lines


CONTINUED = "✂️ The full text follows in the next message."


def _card_header(submission: Submission, article_title: str | None) -> list[str]:
    if submission.kind is SubmissionKind.COMMENT:
        return [
            f"💬 <b>Comment #{submission.id}</b>",
            f"📰 {esc(shorten(article_title or 'deleted article', CARD_TITLE_LIMIT))}",
            f"👤 {person_line(submission.author)}",
        ]
    return [
        f"✉️ <b>Contact message #{submission.id}</b>",
        f"Name: {esc(shorten(submission.contact_name or '', CONTACT_FIELD_LIMIT))}",
        f"Email: {esc(shorten(submission.contact_email or '', CONTACT_FIELD_LIMIT * 3))}",
        f"Telegram: {person_line(submission.author)}",
    ]


def _card_footer(submission: Submission, answers: Sequence[ContactReply]) -> list[str]:
    footer: list[str] = []
    if submission.auto_approved and submission.decided_by is None:
        footer.append("<b>✅ Published automatically</b>: a trusted author")
    elif not submission.is_pending:
        assert submission.decided_at is not None
        outcome = _OUTCOME[submission.status]
        if submission.author_banned:
            outcome = "🚫 Rejected, author banned"
        elif submission.auto_approved:
            outcome = "↩️ Unpublished"
        footer.append(
            f"<b>{outcome}</b> by {esc(shorten(submission.decided_by_name or '?', 100))}"
            f" at {_utc(submission.decided_at)}"
        )
    if answers:
        earlier = len(answers) - ANSWER_LINES_SHOWN
        if earlier > 0:
            footer.append(f"💬 {earlier} earlier answer{'s' if earlier != 1 else ''}")
        footer += [
            f"💬 Answered by {esc(shorten(answer.author_name, 100))} at "
            f"{_utc(answer.delivered_at or 0)}"
            for answer in answers[-ANSWER_LINES_SHOWN:]
        ]
    return ["", *footer] if footer else []


# Leaves room for the "#N in full (i/n)" header within the 4096 limit.
CONTINUATION_CHUNK = 4040


def continuation_messages(submission: Submission) -> list[str]:
    chunks = split_units(submission.text, CONTINUATION_CHUNK)
    return [
        f"✂️ <b>#{submission.id} in full ({number}/{len(chunks)})</b>\n{esc(chunk)}"
        for number, chunk in enumerate(chunks, start=1)
    ]


def desk(
    submission: Submission | None,
    article_title: str | None,
    waiting: int,
    flags: CardFlags | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The review desk: the item to decide now, how many wait, and the buttons."""
    if submission is None:
        return "🗂 <b>Review desk</b>\n\n🎉 Nothing is waiting for moderation.", None
    shown = card(submission, article_title, flags=flags)
    heading = f"🗂 <b>Review desk</b>: {waiting} waiting, oldest first\n\n"
    # The card's own text, shortened so that the heading still fits one message.
    body = shown.text
    if visible_length(heading + body) > MESSAGE_LIMIT:
        body = card(
            dataclasses.replace(submission, text=shorten(submission.text, 2500)),
            article_title,
            flags=flags,
        ).text
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✅ Approve", callback_data=callback_data.desk("approve", submission.id)
                ),
                InlineKeyboardButton(
                    "❌ Reject", callback_data=callback_data.desk("reject", submission.id)
                ),
            ],
            [
                InlineKeyboardButton(
                    "🚫 Ban author", callback_data=callback_data.desk("ban", submission.id)
                ),
                InlineKeyboardButton(
                    "⏭ Skip", callback_data=callback_data.desk("skip", submission.id)
                ),
            ],
        ]
    )
    return heading + body, keyboard


def moderation_keyboard(submission_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✅ Approve",
                    callback_data=callback_data.moderation(Decision.APPROVE, submission_id),
                ),
                InlineKeyboardButton(
                    "❌ Reject",
                    callback_data=callback_data.moderation(Decision.REJECT, submission_id),
                ),
            ],
            [
                InlineKeyboardButton(
                    "🚫 Ban author",
                    callback_data=callback_data.moderation(Decision.BAN, submission_id),
                )
            ],
        ]
    )


def already_decided(submission: Submission) -> str:
    """The alert for a late press; answerCallbackQuery allows 200 characters."""
    outcome = _OUTCOME[submission.status].removeprefix("✅ ").removeprefix("❌ ").lower()
    if submission.auto_approved:
        outcome = "unpublished" if submission.decided_by else "published automatically"
    return shorten(f"Already {outcome} by {submission.decided_by_name or 'a moderator'}.", 200)


DECISION_DONE = {
    Decision.APPROVE: "Approved.",
    Decision.REJECT: "Rejected.",
    Decision.BAN: "Rejected and the author is banned.",
    Decision.UNPUBLISH: "Unpublished.",
}
NOT_A_MODERATOR = "Only moderators can decide on submissions."
MODERATOR_CHECK_FAILED = "I could not check your moderator rights just now. Please try again."
EDITS_IGNORED = (
    "I saw you edited a message: edits don't change what was already sent. "
    "Send a new message instead."
)
STALE_BUTTON = "This button is no longer valid."
SKIPPED = "Skipped: it stays in the queue."
SUBMISSION_NOT_FOUND = "That submission no longer exists."


def desk_waits(answer: str, seconds: float, per_minute: int) -> str:
    """A tap answered while the group's minute is spent (an answer holds 200 characters)."""
    return (
        f"{answer} Telegram lets me change this group {per_minute} times a minute:"
        f" the desk moves on in {max(1, round(seconds))} s."
    )


def queue_summary(pending: int) -> str:
    if pending == 0:
        return "🎉 The queue is empty: nothing is waiting for moderation."
    return (
        f"📥 {pending} item{'s' if pending != 1 else ''} waiting for moderation. The review"
        " desk below shows them one by one, oldest first; earlier cards still work."
    )


# --- admins -----------------------------------------------------------------------------

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
UNBAN_USAGE = "Usage: <code>/unban &lt;user id&gt;</code>"


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


def unbanned(user_id: int, was_banned: bool) -> str:
    if was_banned:
        return f"User <code>{user_id}</code> is no longer banned."
    return f"User <code>{user_id}</code> was not banned."


# --- the contact form -------------------------------------------------------------------


def ask_name(telegram_name: str) -> tuple[str, InlineKeyboardMarkup]:
    button = InlineKeyboardButton(
        f"👤 {shorten(telegram_name, 40)}",
        callback_data=callback_data.CONTACT_USE_TELEGRAM_NAME,
    )
    return (
        "✉️ <b>Write to the editors</b> (1/3)\n\nWhat is your name? Type it, or tap the button"
        " to use your Telegram name. /cancel to stop.",
        InlineKeyboardMarkup([[button]]),
    )


def ask_email(name: str) -> str:
    return (
        f"Thanks, {esc(shorten(name, 100))}. (2/3)\n\nWhat is your email address? The editors"
        " may answer there too; it is never published."
    )


def email_invalid(reason: str) -> str:
    return (
        f"That email address doesn't look right: {esc(shorten(reason, 300))}\n\n"
        "Please send it again, for example <code>name@example.com</code>."
    )


def ask_message(limit: int) -> str:
    return f"(3/3) Now your message to the editors, as one text message (up to {limit} characters)."


def message_too_long(limit: int, length: int) -> str:
    return (
        f"Your message is {length} characters long; the limit is {limit}. "
        "Please shorten it and send it again."
    )


def name_too_long(limit: int) -> str:
    return f"Please keep your name under {limit} characters and send it again."


FORM_NEEDS_TEXT = "Please answer with a text message. /cancel to stop."
FORM_EMPTY = "That was empty. Please answer with some text. /cancel to stop."
CONTACT_RECEIVED = (
    "✅ Your message reached the editors. When they answer, it will appear here; reply to"
    " their message to continue the conversation."
)
FORM_CANCELLED = "Cancelled. Your message was not sent."


def editors_answer(text: str) -> str:
    """Signed by the desk, never by the moderator: their identity stays private."""
    return (
        f"📨 <b>Reply from the editors:</b>\n\n{esc(text)}\n\n"
        "<i>Reply to this message to answer.</i>"
    )


def reader_answer(submission: Submission, reply: ContactReply) -> str:
    who = esc(shorten(submission.contact_name or submission.author.display_name, 100))
    return (
        f"↩️ <b>{who}</b> answered (contact #{submission.id}, Telegram id "
        f"<code>{submission.author.user_id}</code>):\n\n{esc(reply.text)}"
    )


def answer_not_delivered(failure: str) -> str:
    reason = (
        "the reader has blocked the bot"
        if "blocked" in failure.lower()
        else f"Telegram refused it ({esc(shorten(failure, 200))})"
    )
    return f"⚠️ This answer could not be delivered: {reason}."


ANSWER_TO_BANNED = (
    "⚠️ Not delivered: this reader is banned. /unban their id first if you want to answer."
)
ANSWER_NEEDS_TEXT = "⚠️ Only text answers can be delivered to readers."


def answer_too_long(limit: int) -> str:
    return f"⚠️ Not delivered: answers are limited to {limit} characters."


def reply_too_long(limit: int, length: int) -> str:
    return (
        f"Your answer is {length} characters long (an emoji can count as two); the limit is"
        f" {limit}. Please shorten it and reply again."
    )


READER_ANSWER_QUEUED = "✅ Your answer was passed to the editors."


def inbox(entries: Sequence[InboxEntry], chat_id: int) -> str:
    if not entries:
        return "📭 No approved contact messages are waiting for an answer."
    lines = [
        f"📬 <b>{len(entries)} contact message{'s' if len(entries) != 1 else ''}"
        " waiting for an answer</b> (reply to a card to answer):"
    ]
    for entry in entries:
        submission = entry.submission
        name = esc(shorten(submission.contact_name or submission.author.display_name, 60))
        label = f"#{submission.id}"
        link = _message_link(chat_id, entry.card_message_id)
        if link:
            label = f'<a href="{esc(link)}">{label}</a>'
        lines.append(f"{label} {name}: {esc(shorten(submission.text, 80))}")
    return "\n".join(lines)


def _message_link(chat_id: int, message_id: int | None) -> str | None:
    """t.me/c links open a message in a supergroup for its members."""
    text = str(chat_id)
    if message_id is None or not text.startswith("-100"):
        return None
    return f"https://t.me/c/{text[4:]}/{message_id}"


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
