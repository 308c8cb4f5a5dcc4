"""Rows as the rest of the bot sees them: plain dataclasses, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Article.created_by of an article posted from the blog's feed, not by an admin.
FROM_FEED = 0


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    # Telegram refused the post: the row stays so that its id is never handed out again.
    FAILED = "failed"


class SubmissionKind(StrEnum):
    COMMENT = "comment"
    CONTACT = "contact"


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Person:
    """A Telegram user as the bot last saw them."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    # Telegram's language for the user (es, es-MX, en...), when an update carried it.
    language_code: str | None = None

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part).strip()
        return name or f"user {self.user_id}"


@dataclass(frozen=True)
class Article:
    id: int
    url: str
    title: str
    summary: str
    status: ArticleStatus
    channel_message_id: int | None
    discussion_message_id: int | None
    created_by: int
    created_at: float
    counter_shown: int = 0
    # A feed entry's image: the post is a photo with the text as its caption.
    image_url: str | None = None

    @property
    def open_for_comments(self) -> bool:
        return self.status is ArticleStatus.PUBLISHED

    @property
    def is_unconfirmed_post(self) -> bool:
        """Published, but Telegram's answer to the post was lost: no message id."""
        return self.status is ArticleStatus.PUBLISHED and self.channel_message_id is None


@dataclass(frozen=True)
class ArticleListing:
    article: Article
    approved_comments: int
    pending_comments: int


@dataclass(frozen=True)
class Submission:
    id: int
    kind: SubmissionKind
    author: Person
    article_id: int | None
    text: str
    status: SubmissionStatus
    created_at: float
    decided_by: int | None
    decided_by_name: str | None
    decided_at: float | None
    author_banned: bool
    contact_name: str | None = None
    contact_email: str | None = None
    auto_approved: bool = False
    thread_message_id: int | None = None
    # Typed in the discussion group: where it came from, and what it carries besides text.
    thread_source_chat_id: int | None = None
    thread_source_message_id: int | None = None
    media_kind: str | None = None
    moderation_copy_message_id: int | None = None
    # The author's message was left in the group: THREAD_MODERATION=post, or the bot could
    # not take it down. An approval then keeps it rather than posting it again.
    original_kept: bool = False
    thread_reply_to_message_id: int | None = None
    # 0 for a message as first sent; an edit of a decided message is a submission of its
    # own, the next revision. The edit date is the author's latest edit's (0: none).
    thread_source_revision: int = 0
    thread_source_edit_date: int = 0
    edited_at: float | None = None
    original_removed_at: float | None = None
    # Why the author's message could not be taken down: "no_right" or "too_old".
    removal_refused: str | None = None
    thread_post_refused: str | None = None
    retracted_by_edit: bool = False
    # Rejected with 🧹 Spam: the spam check learned it (or, caught_at set, it caught it).
    marked_spam: bool = False
    # The spam check's verdict when it was "unsure" or "spam": the score and the reasons
    # (kind, count, minutes; bot.spam.checker.Reason), strongest first. None: ham, or not
    # checked.
    spam_score: float | None = None
    spam_reasons: tuple[tuple[str, int, int], ...] = ()
    # Caught by the spam check by itself: never a card, kept for /spam and its undo.
    caught_at: float | None = None
    # Taken down with its author's catch (that catch's id): the spam check banned them.
    swept_by: int | None = None
    # Taken down with its author's ban (by a moderator or the spam check), not decided on
    # its own card: its author was not told, so no reason is asked for it.
    swept_with_ban: bool = False
    # Caught by flood control, not the spam check: its author kept flooding (its reasons
    # say how much); no card comes back from its undo.
    caught_flooding: bool = False
    # ✏️ Edit: a moderator's correction, published in place of `text` (which stays as the
    # reader wrote it) once approved.
    corrected_text: str | None = None
    corrected_by_name: str | None = None
    corrected_at: float | None = None

    @property
    def published_text(self) -> str:
        """What the thread and the article's view show once approved."""
        return self.text if self.corrected_text is None else self.corrected_text

    # Why it was rejected: a REJECT_REASONS key (off_topic...) or a moderator's own words.
    decision_reason: str | None = None
    # When its words were erased (/forget, or retention): `text` is empty from then on.
    erased_at: float | None = None
    # Its author asked to be forgotten: signed "a former reader"; pending, it was withdrawn.
    author_forgotten: bool = False

    @property
    def is_pending(self) -> bool:
        return self.status is SubmissionStatus.PENDING

    @property
    def is_public_in_group(self) -> bool:
        """The author's own message is still up in the discussion group."""
        return self.original_kept and self.original_removed_at is None


@dataclass(frozen=True)
class PublishedComment:
    author_name: str
    text: str
    created_at: float
    # Corrected by the moderators before it was approved (✏️ Edit): `text` is theirs.
    edited: bool = False


class LoggedAction(StrEnum):
    """What a line of the moderation record (storage.moderation_log) says was done."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    BAN = "ban"
    UNBAN = "unban"
    # A comment the trusted-author rule published, taken back.
    UNPUBLISH = "unpublish"
    # A comment left up in the thread while it waited (post-moderation): kept or removed.
    KEEP = "keep"
    REMOVE = "remove"
    EDIT = "edit"
    # Caught by the spam check (or the flood gate) with no moderator.
    CAUGHT = "caught"
    # ↩️ Not spam: a catch put back.
    NOT_SPAM = "not_spam"
    # An editor's answer to a contact message.
    REPLY = "reply"
    NOTE = "note"
    # A reason given after the verdict it explains (❌ Reject is one tap; the reason, one
    # more): the reason, and the submission it is for.
    REASON = "reason"
    # A reader forgotten (issue 23): who asked for it and when, never what was erased.
    FORGET = "forget"


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: float
    action: LoggedAction
    # None: the bot itself.
    moderator_id: int | None
    moderator_name: str | None
    author_id: int | None
    submission_id: int | None
    reason: str | None
    until: float | None
    detail: dict[str, object]


@dataclass(frozen=True)
class Ban:
    """A reader's ban (storage.readers): who made it, when, until when, and why."""

    user_id: int
    # 0: the bot itself (the spam check, the flood gate).
    banned_by: int
    banned_by_name: str | None
    banned_at: float
    # None: for good.
    until: float | None
    # The moderator's own words, if they gave any.
    reason: str | None
    # The item it was made from (a card's 🚫), if any.
    submission_id: int | None
    lifted_at: float | None = None

    def active_at(self, now: float) -> bool:
        """Whether it holds at `now`: not lifted, and not past its end."""
        return self.lifted_at is None and (self.until is None or self.until > now)


@dataclass(frozen=True)
class AuthorHistory:
    """An author's earlier submissions, for moderators and the trusted-author rule, and
    for cards what the moderation record says of them (storage.history.for_cards)."""

    approved: int
    # Every rejection, those marked spam included.
    rejected: int
    banned_before: bool
    # Of the rejected: marked spam by a moderator, or caught by the spam check.
    spam: int = 0
    # The reasons of the latest rejections and removals, newest first, each once.
    rejection_reasons: tuple[str, ...] = ()
    latest_ban: LogEntry | None = None
    # The latest moderators' notes on the author, newest first.
    notes: tuple[LogEntry, ...] = ()


@dataclass(frozen=True)
class CardMessage:
    chat_id: int
    message_id: int
    # A digest of the text and buttons it shows now; None if unknown.
    rendered: str | None


@dataclass(frozen=True)
class ReaderState:
    user_id: int
    mode: str
    article_id: int | None
    data: dict[str, str] = field(default_factory=dict)
    # When the reader last moved on in it: an old state has expired.
    updated_at: float = 0.0


class ReplyDirection(StrEnum):
    TO_READER = "to_reader"
    TO_EDITORS = "to_editors"


class ReplyStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"


@dataclass(frozen=True)
class ContactReply:
    id: int
    submission_id: int
    direction: ReplyDirection
    author_id: int
    author_name: str
    text: str
    source_chat_id: int
    source_message_id: int
    status: ReplyStatus
    delivered_at: float | None
    failure: str | None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    action: str
    chat_key: str
    payload: dict[str, int | str | bool | None]
    attempts: int


@dataclass(frozen=True)
class FeedState:
    """One of the blog's feeds, as its fetches left it."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    first_seen_at: float | None = None
    last_fetch_at: float | None = None
    last_result: str | None = None
    last_error: str | None = None
    failures: int = 0
    admins_told: bool = False
    next_fetch_at: float = 0.0
    posted: int = 0
    # Its entries are recorded under the keys of before migration 0019, to be copied over
    # to today's keys at its next successful fetch.
    legacy_keys: bool = False
