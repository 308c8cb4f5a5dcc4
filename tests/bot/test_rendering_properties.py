"""Property tests: any text a person can type renders to HTML Telegram accepts."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import SUPPORTED, Texts
from bot.rendering import admins as admin_texts
from bot.rendering import channel as channel_texts
from bot.rendering import contact as contact_texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import readers as reader_texts
from bot.services.abuse import CardFlags
from bot.services.comments import ArticleView, OpenResult
from bot.text import MESSAGE_LIMIT, tg_length
from sandbox.bot_api.html_parser import parse_html
from storage.models import (
    Article,
    ArticleStatus,
    AuthorHistory,
    ContactReply,
    LoggedAction,
    Person,
    PublishedComment,
    ReplyDirection,
    ReplyStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from tests.factories import logged

# What readers actually paste: markup-like text, entities, bidi and zero-width marks, emoji.
TRICKY = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "<b>",
        "</b>",
        "<script>",
        "<a href='x'>",
        '"',
        "'",
        "\u200b",
        "\u200f",
        "\u202e",
        "\u2066",
        "\ufeff",
        "😀",
        "👩‍👩‍👧",
        "🇺🇦",
        "\n",
        " ",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(min_size=1, max_size=40)), max_size=60).map("".join)


def long_text(limit: int) -> st.SearchStrategy[str]:
    """Texts at and just over a limit, in one- and two-unit characters."""
    return st.sampled_from(["x", "é", "😀", "<", "&"]).flatmap(
        lambda char: st.sampled_from([limit - 1, limit, limit + 1]).map(lambda n: char * n)
    )


def accepted(html_text: str) -> str:
    """The text as Telegram shows it; fails as Telegram would refuse it."""
    plain, _ = parse_html(html_text)
    plain = plain.strip()
    assert plain, "message text is empty"
    assert len(plain) <= MESSAGE_LIMIT, "message is too long"
    return plain


def person(name: str, last: str) -> Person:
    return Person(7, name[:64] or "x", last[:64] or None, "user_7")


def submission(
    kind: SubmissionKind, text: str, name: str, last: str, **extra: object
) -> Submission:
    return Submission(
        id=12,
        kind=kind,
        author=person(name, last),
        article_id=1,
        text=text,
        status=SubmissionStatus.PENDING,
        created_at=0.0,
        decided_by=None,
        decided_by_name=None,
        decided_at=None,
        author_banned=False,
        **extra,  # type: ignore[arg-type]
    )


@settings(max_examples=120, deadline=None)
@given(
    text=st.one_of(TEXT, long_text(2000), long_text(4000)),
    name=TEXT,
    last=TEXT,
    title=st.one_of(TEXT, long_text(256)),
    email=TEXT,
    words=st.lists(TEXT, max_size=3),
)
def test_every_card_and_its_continuations_are_accepted(
    text: str, name: str, last: str, title: str, email: str, words: list[str]
) -> None:
    """Cards for comments and contact messages parse, fit, and lose no word of the text."""
    # The record's lines hold what moderators typed: a reason, notes up to 500 characters.
    note = logged(LoggedAction.NOTE, reason=(text or "n")[:500], moderator_name=last or "m")
    past = AuthorHistory(
        1,
        2,
        banned_before=True,
        spam=1,
        rejection_reasons=(name or "r", email or "e"),
        latest_ban=logged(LoggedAction.BAN, until=86400.0),
        notes=(note, note),
    )
    flags = CardFlags(3, [w for w in words if w], past)
    for kind, language in itertools.product(SubmissionKind, SUPPORTED):
        item = submission(
            kind,
            text or "x",
            name,
            last,
            contact_name=name[:100] or "n",
            contact_email=email[:254] or "e",
        )
        card = moderation_texts.card(Texts(language), item, title or "t", flags=flags)
        shown = accepted(card.text)
        assert (text or "x").strip()[:50] in shown or card.continuation
        if card.continuation:
            whole = "".join(accepted(part).split("\n", 1)[1] for part in card.continuation)
            assert whole == (text or "x").strip()


@settings(max_examples=80, deadline=None)
@given(
    text=st.one_of(TEXT, long_text(2000)),
    name=TEXT,
    title=st.one_of(TEXT, long_text(256)),
    summary=st.one_of(TEXT, long_text(2500)),
    url_tail=TEXT,
)
def test_posts_threads_views_and_notices_are_accepted(
    text: str, name: str, title: str, summary: str, url_tail: str
) -> None:
    """Every other message built from user text parses and fits."""
    text, title = text or "x", title.strip() or "t"
    article = Article(
        1,
        "https://blog.example/" + url_tail.replace(" ", ""),
        title,
        summary,
        ArticleStatus.PUBLISHED,
        5,
        None,
        1,
        0.0,
    )
    for with_discussion in (True, False):
        for language in SUPPORTED:
            post, _ = channel_texts.channel_post(
                Texts(language), article, "bot", with_discussion=with_discussion
            )
            accepted(post)
            caption, _ = channel_texts.channel_post(
                Texts(language),
                article,
                "bot",
                with_discussion=with_discussion,
                limit=channel_texts.CAPTION_LIMIT,
            )
            assert tg_length(parse_html(caption)[0]) <= channel_texts.CAPTION_LIMIT
    item = submission(SubmissionKind.COMMENT, text, name, "")
    assert text.strip() in accepted(channel_texts.thread_comment(item)) or not text.strip()
    # A media comment's caption is whole, within a bot's caption, or none at all.
    signed = channel_texts.thread_caption(item)
    if signed is not None:
        assert tg_length(parse_html(signed)[0]) <= channel_texts.CAPTION_LIMIT
        assert text.strip() in accepted(signed) or not text.strip()
    comments = [PublishedComment(name[:128] or "n", text, 0.0) for _ in range(10)]
    view = ArticleView(OpenResult.READY, article, comments, 10)
    for language in SUPPORTED:
        t = Texts(language)
        accepted(reader_texts.article_view(t, view, 2000))
        accepted(reader_texts.author_outcome(t, item, title))
        accepted(reader_texts.acknowledgement(t, item.kind, title))
        accepted(reader_texts.acknowledgement(t, item.kind, title, published=True))
        accepted(reader_texts.thread_comment_notice(t, "flood", title, 100.0, 0.0, text))
        accepted(contact_texts.ask_name(t, person(name, "").display_name)[0])
        accepted(contact_texts.ask_email(t, name[:100] or "n"))
        accepted(contact_texts.email_invalid(t, text))
        accepted(contact_texts.editors_answer(t, text[:3800] or "x"))
    reply = ContactReply(
        1,
        12,
        ReplyDirection.TO_EDITORS,
        7,
        name or "n",
        text[:3800] or "x",
        7,
        1,
        ReplyStatus.PENDING,
        None,
        None,
    )
    for language in SUPPORTED:
        accepted(contact_texts.reader_answer(Texts(language), item, reply))
        accepted(contact_texts.answer_not_delivered(Texts(language), text))
        accepted(admin_texts.article_posted(Texts(language), article))
