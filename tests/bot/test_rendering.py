from __future__ import annotations

import html
import re

from bot import callback_data
from bot.i18n import SUPPORTED, Texts
from bot.rendering import channel as channel_texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import readers as reader_texts
from bot.services.comments import ArticleView, OpenResult
from bot.services.verdicts import Decision
from bot.text import MESSAGE_LIMIT, one_line, shorten, tg_length
from storage.models import (
    Article,
    ArticleStatus,
    ContactReply,
    Person,
    PublishedComment,
    ReplyDirection,
    ReplyStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

EN = Texts("en")


def visible(html_text: str) -> str:
    """What Telegram shows for our HTML: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def submission(text: str, **changes: object) -> Submission:
    values: dict[str, object] = {
        "id": 7,
        "kind": SubmissionKind.COMMENT,
        "author": Person(5, "<b>Eve</b> & co", "<script>", "eve_1"),
        "article_id": 1,
        "text": text,
        "status": SubmissionStatus.PENDING,
        "created_at": 0.0,
        "decided_by": None,
        "decided_by_name": None,
        "decided_at": None,
        "author_banned": False,
    }
    values.update(changes)
    return Submission(**values)  # type: ignore[arg-type]


def test_card_escapes_every_user_string() -> None:
    """Names, title and text with HTML come out escaped, and read back as typed."""
    card = moderation_texts.card(EN, submission("<i>hi</i> & <script>"), "Title <u>")
    text, markup = card.text, card.markup
    assert "<script>" not in text
    assert "&lt;i&gt;hi&lt;/i&gt; &amp; &lt;script&gt;" in text
    shown = visible(text)
    assert "<b>Eve</b> & co <script> @eve_1" in shown
    assert "Title <u>" in shown
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "✅ Approve",
        "❌ Reject",
        "🚫 Ban author",
        "🧹 Spam",
        "✏️ Edit",
    ]


def test_a_huge_card_is_shortened_within_telegram_limits() -> None:
    """A 4000-character text of astral emoji still gives a card under 4096 UTF-16 units."""
    card = moderation_texts.card(EN, submission("😀" * 4000), "T" * 300)
    assert tg_length(visible(card.text)) <= MESSAGE_LIMIT
    assert moderation_texts.continued(EN) in visible(card.text)
    # Nothing is lost: the whole text follows in a second message that fits as well.
    parts = [visible(message) for message in card.continuation]
    assert len(parts) == 2
    assert "".join(part.split("\n", 1)[1] for part in parts) == "😀" * 4000
    assert all(tg_length(part) <= MESSAGE_LIMIT for part in parts)


def test_a_decided_card_has_no_buttons_and_says_who() -> None:
    """After a decision the card shows outcome, moderator and time, and no keyboard."""
    decided = submission(
        "ok",
        status=SubmissionStatus.APPROVED,
        decided_by=1,
        decided_by_name="Mo <3",
        decided_at=0.0,
    )
    card = moderation_texts.card(EN, decided, "T")
    text, markup = card.text, card.markup
    assert markup is None
    assert "✅ Approved by Mo <3 at Jan 1, 1970, 00:00 UTC" in visible(text)


def test_shorten_never_splits_a_surrogate_pair() -> None:
    """Cutting astral characters keeps whole characters and ends with an ellipsis."""
    cut = shorten("😀" * 10, 5)
    assert cut == "😀😀…"
    assert tg_length(cut) <= 5


def test_callback_data_round_trips_and_fits_64_bytes() -> None:
    """Built data parses back; the largest id still fits Telegram's 64 bytes."""
    for decision in Decision:
        data = callback_data.moderation(decision, 10**17)
        assert len(data.encode()) <= 64
        press = callback_data.parse_moderation(data)
        assert press is not None
        assert (press.decision, press.submission_id) == (decision, 10**17)


def test_garbage_callback_data_is_rejected() -> None:
    """Unknown versions, actions and ids do not parse."""
    for data in [
        "",
        "mod:v2:approve:1",
        "mod:v1:delete:1",
        "mod:v1:approve:-1",
        "mod:v1:approve:1x",
        "mod:v1:approve:" + "9" * 30,
        None,
    ]:
        assert callback_data.parse_moderation(data) is None


def test_article_view_fits_even_with_ten_long_comments() -> None:
    """Ten 2000-character comments are trimmed so the view stays within 4096."""
    article = Article(1, "https://b.example", "T", "", ArticleStatus.PUBLISHED, 5, None, 1, 0.0)
    comments = [PublishedComment("N" * 64, "<" * 2000, 0.0) for _ in range(10)]
    for language in SUPPORTED:
        view = ArticleView(OpenResult.READY, article, comments, 10)
        text = reader_texts.article_view(Texts(language), view, 2000)
        assert tg_length(visible(text)) <= MESSAGE_LIMIT
        assert text.count("&lt;") > 1000


def test_a_contact_card_escapes_name_and_email() -> None:
    """The email and name of a contact message are escaped and read back as typed."""
    item = submission(
        "Hi",
        kind=SubmissionKind.CONTACT,
        contact_name="<i>Ann</i> & co",
        contact_email="o'hara&co@example.com",
    )
    text = moderation_texts.card(EN, item, None).text
    assert "Email: o&#x27;hara&amp;co@example.com" in text
    assert "Name: &lt;i&gt;Ann&lt;/i&gt; &amp; co" in text
    assert "Email: o'hara&co@example.com" in visible(text)


def test_an_anonymous_admins_answer_is_named_in_the_cards_language() -> None:
    """An admin who stays anonymous answers as the group (a negative id): the card names
    them in the moderators' language, and a person by their name."""
    item = submission("Hi", kind=SubmissionKind.CONTACT, contact_name="Ann", contact_email="a@b.c")
    answers = [
        ContactReply(
            1,
            7,
            ReplyDirection.TO_READER,
            -1001,
            "Anonymous admin",
            "Done",
            -1001,
            1,
            ReplyStatus.DELIVERED,
            10.0,
            None,
        ),
        ContactReply(
            2,
            7,
            ReplyDirection.TO_READER,
            42,
            "Mo",
            "Also",
            -1001,
            2,
            ReplyStatus.DELIVERED,
            20.0,
            None,
        ),
    ]
    spanish = visible(moderation_texts.card(Texts("es"), item, None, answers).text)
    assert "Administrador anónimo" in spanish and "Anonymous" not in spanish
    assert "Mo" in spanish


def test_a_media_comments_caption_is_whole_or_none() -> None:
    """A signed caption that fits a bot's 1024 characters is the whole text; one that does
    not is None (the signed text then goes first, the media after it), never cut."""
    # "💬 Eve co\n" above the text: 💬 counts two.
    fits = "x" * (channel_texts.CAPTION_LIMIT - tg_length("💬 Eve co\n"))
    item = submission(fits, author=Person(5, "Eve", "co", None))
    caption = channel_texts.thread_caption(item)
    assert caption is not None and visible(caption).endswith(fits)
    assert tg_length(visible(caption)) == channel_texts.CAPTION_LIMIT
    longer = submission(fits + "y", author=Person(5, "Eve", "co", None))
    assert channel_texts.thread_caption(longer) is None


# A name as a hostile reader types it (or as it was stored before names were folded): a
# line break, a line separator, tabs, a run of spaces and a right-to-left override.
BENT_NAME = "Ann\nTelegram: Jane @jane (id 123)\u2028x\t\ty   z\u202e!"
FOLDED_NAME = "Ann Telegram: Jane @jane (id 123) x y z!"


def test_names_with_line_breaks_are_shown_on_one_line() -> None:
    """A name with line breaks and odd spaces, stored as it came, reads as one line on a
    contact card, a comment card, the thread post and the article view."""
    contact = submission(
        "Hi",
        kind=SubmissionKind.CONTACT,
        author=Person(5, BENT_NAME, "\u2067Lee\u2069\n", "eve_1"),
        contact_name=BENT_NAME,
        contact_email="a@b.c",
        status=SubmissionStatus.APPROVED,
        decided_by=9,
        decided_by_name="Mo\nApproved by Editor",
        decided_at=0.0,
    )
    lines = visible(moderation_texts.card(EN, contact, None).text).split("\n")
    assert f"Name: {FOLDED_NAME}" in lines
    assert f"Telegram: {FOLDED_NAME} Lee @eve_1 (id 5)" in lines
    assert not any(line.startswith("Telegram: Jane") for line in lines)
    assert any(line.startswith("✅ Approved by Mo Approved by Editor at") for line in lines)
    comment = submission("Hi", author=Person(5, BENT_NAME))
    assert f"👤 {FOLDED_NAME} (id 5)" in visible(moderation_texts.card(EN, comment, "T").text)
    assert visible(channel_texts.thread_comment(comment)) == f"💬 {FOLDED_NAME}\nHi"
    caption = channel_texts.thread_caption(comment)
    assert caption is not None and visible(caption) == f"💬 {FOLDED_NAME}\nHi"
    article = Article(1, "https://b.example", "T", "", ArticleStatus.PUBLISHED, 5, None, 1, 0.0)
    view = ArticleView(OpenResult.READY, article, [PublishedComment(BENT_NAME, "Hi", 0.0)], 1)
    assert f"{FOLDED_NAME}: Hi" in visible(reader_texts.article_view(EN, view, 2000))


def test_one_line_keeps_what_names_are_made_of() -> None:
    """Folding leaves letters of any script, emoji sequences (joiners, flags) alone."""
    for name in (
        "José Ñúñez",
        "محمد علي",
        "👩‍👩‍👧 family",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    ):
        assert one_line(name) == name
    assert one_line(" \u200f\n\t ") == ""
