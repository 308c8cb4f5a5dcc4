"""The moderation group's texts (cards, the review desk, answers to moderators, /stats)
and /status go through gettext: every word of ours is a message a catalog can translate,
and each language's rendering is HTML Telegram accepts."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from telegram import InlineKeyboardMarkup

from bot.i18n import SUPPORTED, Texts
from bot.rendering import bans as ban_texts
from bot.rendering import contact as contact_texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import record as record_texts
from bot.rendering import reports as report_texts
from bot.services.abuse import CardFlags
from bot.services.contact_conversation import InboxEntry
from bot.services.reports import BotStatus, ChatCheck, ChatRole, DeliveryError, ModerationStats
from bot.services.verdicts import Decision
from sandbox.bot_api.html_parser import parse_html
from storage.models import (
    AuthorHistory,
    Ban,
    ContactReply,
    LoggedAction,
    Person,
    ReplyDirection,
    ReplyStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from storage.reports import ChatBacklog, ModeratorTally, OldestPending
from tests.bot.test_rendering import submission as rendering_submission
from tests.factories import logged

OPEN, CLOSE = "⟦", "⟧"
# What is ours but no sentence: the "(id …)" of a person, the time zone and Babel's
# English month of moment(), which CLDR translates.
NOT_MESSAGES = {"id", "UTC", "Jan"}
# Whatever people typed, in a script with no ASCII letters, to tell it from our words.
NAME, TITLE, TEXT, WORD = "Иван Петров", "Статья", "Привет, мир 😀", "казино"
GROUP = -1001234567890


class Marked(Texts):
    """English, with every message the code looks up between ⟦ ⟧."""

    def __init__(self) -> None:
        super().__init__("en")

    def gettext(self, message: str) -> str:
        return OPEN + super().gettext(message) + CLOSE

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return OPEN + super().ngettext(singular, plural, count) + CLOSE


def item(**changes: object) -> Submission:
    text = str(changes.pop("text", TEXT))
    return rendering_submission(text, **{"author": Person(5, NAME), **changes})


DECIDED = {"decided_by": 9, "decided_by_name": NAME, "decided_at": 0.0}
TYPED = {"thread_source_chat_id": GROUP, "thread_source_message_id": 40}
LEFT_UP = {**TYPED, "original_kept": True}


# A reason key no version of ours knows is shown as stored.
RECORD = [
    logged(LoggedAction.NOTE, reason=TEXT),
    logged(LoggedAction.BAN, reason="off_topic", until=86400.0),
    logged(LoggedAction.BAN, moderator_id=None, moderator_name=None, reason="flooding"),
    logged(LoggedAction.REJECT, reason="оскорбление"),
    logged(LoggedAction.CAUGHT, moderator_id=None, detail={"reasons": ["wave", "link", "emoji"]}),
    *(logged(action) for action in LoggedAction),
]
PAST = AuthorHistory(
    1,
    3,
    banned_before=True,
    spam=1,
    rejection_reasons=("insulting", "оскорбление"),
    latest_ban=RECORD[1],
    notes=(RECORD[0],),
)
FLAGS = CardFlags(2, [WORD], PAST)
ITEMS = [
    item(),
    item(text="ы" * 5000),
    item(article_id=None, **TYPED, media_kind="photo", edited_at=1.0),
    item(**LEFT_UP, removal_refused="no_right", media_kind="video_note"),
    item(**LEFT_UP, removal_refused="too_old", thread_post_refused="Ошибка"),
    item(status=SubmissionStatus.APPROVED, **LEFT_UP, **DECIDED, retracted_by_edit=True),
    item(status=SubmissionStatus.REJECTED, **LEFT_UP, **DECIDED, author_banned=True),
    item(status=SubmissionStatus.REJECTED, **DECIDED, author_banned=True),
    item(status=SubmissionStatus.REJECTED, **LEFT_UP, **DECIDED, marked_spam=True),
    item(status=SubmissionStatus.REJECTED, **DECIDED, author_banned=True, marked_spam=True),
    item(status=SubmissionStatus.APPROVED, **DECIDED),
    item(status=SubmissionStatus.REJECTED, **DECIDED),
    # The spam check's flag, every reason it may name (four a card).
    *(
        item(spam_score=0.82, spam_reasons=tuple((kind, 3, 5) for kind in kinds))
        for kinds in (
            ("invite_link", "similar_spam", "wave", "emoji"),
            ("wording", "link", "mention", "phone"),
            ("capitals", "disguised", "first_message", "known_spammer"),
            ("cas_listed",),
        )
    ),
    item(spam_score=0.5),
    item(status=SubmissionStatus.APPROVED, auto_approved=True),
    item(status=SubmissionStatus.REJECTED, auto_approved=True, **DECIDED),
    item(
        kind=SubmissionKind.CONTACT,
        contact_name=NAME,
        contact_email="иван@пример.рф",
        status=SubmissionStatus.APPROVED,
        **DECIDED,
    ),
]
ANSWERS = [
    ContactReply(
        n, 7, ReplyDirection.TO_READER, 9, NAME, TEXT, GROUP, n, ReplyStatus.DELIVERED, 0.0, None
    )
    for n in range(5)
]
NOW = 1_000_000.0
STATS = ModerationStats(
    2, 1, OldestPending(7, SubmissionKind.CONTACT, NOW - 4000), 4, 9, 1, 750.0,
    [ModeratorTally(n, NAME, 1, 2, 3) for n in range(25)], NOW,
)  # fmt: skip
QUIET_STATS = replace(
    STATS,
    pending_comments=0,
    pending_contacts=0,
    oldest=None,
    by_rule_last_week=0,
    median_wait=None,
    moderators=[],
)
STATUS = BotStatus(
    "1.2.3",
    2 * 86400 + 3600,
    [ChatBacklog("-100", 3, NOW - 120), ChatBacklog("2001", 1, NOW - 10)]
    + [ChatBacklog(f"@канал{n}", 1, NOW) for n in range(25)],
    DeliveryError(NOW - 60, "-100", "отправка", "Ошибка"),
    [
        ChatCheck(ChatRole.CHANNEL, "@канал", title=TITLE),
        ChatCheck(ChatRole.MODERATION, "-100", error="Ошибка"),
        ChatCheck(ChatRole.DISCUSSION, "-200", absent_as="кикнут"),
    ],
    NOW,
)


def rendered(t: Texts) -> list[str]:
    """Each text the moderation group (or /status) can show, with its buttons' labels."""
    texts: list[str] = []

    def add(text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        texts.append(text)
        if markup is not None:
            texts.extend(button.text for row in markup.inline_keyboard for button in row)

    for submission in ITEMS:
        for title in (TITLE, None):
            card = moderation_texts.card(t, submission, title, ANSWERS, FLAGS)
            add(card.text, card.markup)
            texts.extend(card.continuation)
        add(*moderation_texts.desk(t, submission, TITLE, 3, FLAGS))
        texts.append(answer_texts.already_decided(t, submission))
        for decision in Decision:
            texts.append(answer_texts.decision_done(t, decision, submission))
    add(*moderation_texts.desk(t, None, None, 0))
    texts += [
        answer_texts.already_decided(t, replace(ITEMS[-4], decided_by_name=None)),
        answer_texts.not_a_moderator(t),
        answer_texts.moderator_check_failed(t),
        answer_texts.skipped(t),
        answer_texts.submission_not_found(t),
        answer_texts.desk_waits(t, answer_texts.skipped(t), 12.3, 20),
        *ban_texts_of(t),
        answer_texts.inbox(t, [], GROUP),
        answer_texts.inbox(t, [InboxEntry(ITEMS[-1], 3), InboxEntry(ITEMS[-1], None)], GROUP),
        contact_texts.reader_answer(t, ITEMS[-1], ANSWERS[0]),
        contact_texts.answer_not_delivered(t, "Forbidden: bot was blocked by the user"),
        contact_texts.answer_not_delivered(t, "Ошибка"),
        contact_texts.answer_to_banned(t),
        contact_texts.answer_needs_text(t),
        contact_texts.answer_too_long(t, 3500),
        report_texts.stats(t, STATS),
        report_texts.stats(t, QUIET_STATS),
        report_texts.status(t, STATUS),
        report_texts.status(t, replace(STATUS, backlog=[], last_error=None)),
    ]
    author = Person(5, NAME, username="ivan")
    texts += [
        record_texts.history(t, author, PAST, RECORD, 40),
        record_texts.history(t, author, AuthorHistory(0, 0, banned_before=False), [], 0),
        record_texts.history_usage(t),
        record_texts.note_usage(t),
        record_texts.unknown_user(t, "@ivan"),
        record_texts.note_too_long(t, 500, 501),
        record_texts.note_added(t, author),
    ]
    for past in (
        replace(PAST, latest_ban=replace(RECORD[1], until=None)),
        replace(PAST, latest_ban=None),
        replace(PAST, latest_ban=replace(RECORD[1], until=7 * 86400.0)),
        replace(PAST, latest_ban=replace(RECORD[1], until=600.0)),
    ):
        texts += record_texts.card_lines(t, past)
    texts += [answer_texts.queue_summary(t, count) for count in (0, 1, 5)]
    texts += [report_texts.duration(t, s) for s in (5, 60, 3600, 3700, 86400, 90000)]
    return texts


BAN = Ban(5, 9, NAME, NOW - 3600, NOW + 86400, "Спам", 7)
BANNED = item(status=SubmissionStatus.REJECTED, **DECIDED, author_banned=True)


def ban_texts_of(t: Texts) -> list[str]:
    """/ban, /unban, /bans and a card's ban, with its term buttons."""
    someone, unknown = Person(5, NAME), Person(6, "")
    by_the_bot = replace(BAN, banned_by=0, banned_by_name=None, until=None, reason=None)
    texts = [
        ban_texts.ban_usage(t),
        ban_texts.unban_usage(t),
        ban_texts.unknown_user(t, "@никто"),
        ban_texts.bad_term(t, "3ж"),
        ban_texts.missing_reason(t),
        ban_texts.banned(t, someone, BAN, None),
        ban_texts.banned(t, unknown, replace(BAN, until=None), BAN),
        ban_texts.unbanned(t, someone, True),
        ban_texts.unbanned(t, unknown, False),
        ban_texts.bans_list(t, 0, []),
        ban_texts.bans_list(t, 2000, [(BAN, someone), (by_the_bot, None)] * 40),
        ban_texts.bans_list(t, 3, [(BAN, someone), (by_the_bot, None)]),
        ban_texts.term_set(t, BAN),
        ban_texts.term_unchanged(t, by_the_bot),
        ban_texts.term_over(t),
        ban_texts.no_ban_from_card(t),
    ]
    for ban in (BAN, replace(BAN, until=None)):
        card = moderation_texts.card(t, BANNED, TITLE, flags=FLAGS, ban=ban)
        assert card.markup is not None
        texts += [card.text, *(b.text for row in card.markup.inline_keyboard for b in row)]
    return texts


def _unmarked(text: str) -> str:
    """What is left once every looked-up message is taken out, innermost first."""
    innermost = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        shorter = innermost.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_text_of_the_moderation_group_is_html_telegram_accepts(language: str) -> None:
    for text in rendered(Texts(language)):
        plain, _ = parse_html(text)
        assert plain.strip()


def test_every_word_of_ours_is_a_message_to_translate() -> None:
    """Nothing English is left once the messages are taken out: no word in an f-string, no
    label in a table, no plural made with an "s"."""
    for text in rendered(Marked()):
        left = html.unescape(re.sub(r"<[^>]*>", "", _unmarked(text)))
        words = set(re.findall(r"[A-Za-z]{2,}", left)) - NOT_MESSAGES
        assert not words, f"{sorted(words)} in {text!r}"


def test_the_spanish_card_is_the_spanish_catalogs() -> None:
    """Each line is looked up in the moderators' language: with no Spanish catalog yet
    the card reads as the English one, with one it reads as the catalog's."""
    spanish, english = Texts("es"), Texts("en")
    card = moderation_texts.card(spanish, ITEMS[0], TITLE, flags=FLAGS)
    header = spanish.gettext("💬 <b>Comment #{id}</b>").format(id=7)
    assert card.text.startswith(header + "\n")
    links = spanish.ngettext("🔗 {count} link", "🔗 {count} links", 2).format(count=2)
    assert links in card.text
    assert card.markup is not None
    labels = [button.text for row in card.markup.inline_keyboard for button in row]
    assert labels[0] == spanish.gettext("✅ Approve")
    if spanish.gettext("💬 <b>Comment #{id}</b>") != "💬 <b>Comment #{id}</b>":
        assert card.text != moderation_texts.card(english, ITEMS[0], TITLE, flags=FLAGS).text
