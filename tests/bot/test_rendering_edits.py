"""A corrected comment (✏️ Edit) as the card, the thread and its author show it."""

from __future__ import annotations

import dataclasses
import html
import re

from bot.i18n import Texts
from bot.rendering import channel as channel_texts
from bot.rendering import edits as edit_texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import readers as reader_texts
from bot.services.edits import word_changes
from bot.text import MESSAGE_LIMIT, tg_length
from storage.models import Person, Submission, SubmissionKind, SubmissionStatus

EN, ES = Texts("en"), Texts("es")


def visible(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def corrected(text: str, correction: str | None, **changes: object) -> Submission:
    values: dict[str, object] = {
        "id": 9,
        "kind": SubmissionKind.COMMENT,
        "author": Person(42, "Ana", None, "ana"),
        "article_id": 1,
        "text": text,
        "status": SubmissionStatus.PENDING,
        "created_at": 0.0,
        "decided_by": None,
        "decided_by_name": None,
        "decided_at": None,
        "author_banned": False,
        "corrected_text": correction,
        "corrected_by_name": "Mo <Derator>" if correction is not None else None,
        "corrected_at": 60.0 if correction is not None else None,
    }
    values.update(changes)
    return Submission(**values)  # type: ignore[arg-type]


def test_a_card_shows_the_readers_words_and_the_correction_whole_within_4096() -> None:
    """Both at the longest a comment may be: the correction (what will be published) is
    whole, the reader's words give way, and the card fits one message."""
    original, correction = "o" * 1990 + " ORIGINAL_END", "c" * 1990 + " CORRECTION_END"
    card = moderation_texts.card(EN, corrected(original, correction), "Title")
    shown = visible(card.text)
    decided = corrected(
        original,
        correction,
        status=SubmissionStatus.APPROVED,
        decided_by=1,
        decided_by_name="M" * 200,
        decided_at=90.0,
    )
    assert tg_length(visible(moderation_texts.card(EN, decided, "Title").text)) <= MESSAGE_LIMIT
    assert correction in shown
    assert "Edited by Mo <Derator>" in shown
    assert "ORIGINAL_END" not in shown
    assert "Shortened here to make room for the edit" in shown
    # It fitted its card before: nothing follows the card.
    assert card.continuation == []


def test_a_short_comment_and_its_correction_are_both_whole() -> None:
    card = moderation_texts.card(EN, corrected("Call 555-0199 now", "Call now"), "Title")
    shown = visible(card.text)
    assert "\n\nCall 555-0199 now\n\n" in shown
    assert shown.endswith("; approving publishes this:\nCall now")


def test_the_thread_post_is_the_correction_marked_in_the_channels_language() -> None:
    item = corrected("Call 555-0199 now", "Call now", status=SubmissionStatus.APPROVED)
    post = visible(channel_texts.thread_comment(item, edit_texts.edited_mark(ES)))
    assert post == "💬 Ana\nCall now\n(editado por los moderadores)"
    caption = channel_texts.thread_caption(item, edit_texts.edited_mark(EN))
    assert caption is not None
    assert visible(caption) == "💬 Ana\nCall now\n(edited by the moderators)"


def test_the_author_sees_each_change_and_a_long_unchanged_stretch_is_cut() -> None:
    kept = " ".join(f"word{n}" for n in range(200))
    item = corrected(
        f"Hello idiot, {kept} bye", f"Hello friend, {kept} bye", status=SubmissionStatus.APPROVED
    )
    notice = reader_texts.author_outcome(EN, item, "Budget <vote>")
    assert "edited by the moderators" in notice
    assert "<s>idiot,</s> <u>friend,</u>" in notice
    assert "word100" not in notice
    assert tg_length(visible(notice)) <= MESSAGE_LIMIT


def test_a_correction_with_markup_reads_as_typed_everywhere() -> None:
    """A moderator's `<b>` or `&` is text, as a reader's is."""
    typed = "Fine <b>now</b> & </i>later"
    pending = corrected("Fine <script> & later", typed)
    assert visible(moderation_texts.card(EN, pending, "Title").text).endswith(f":\n{typed}")
    item = dataclasses.replace(pending, status=SubmissionStatus.APPROVED)
    assert typed in visible(channel_texts.thread_comment(item, edit_texts.edited_mark(EN)))
    notice = reader_texts.author_outcome(EN, item, None)
    assert "<script>" not in notice and "<b>now" not in notice
    assert visible(notice).endswith("Fine <script> <b>now</b> & later </i>later")


def test_changes_stop_within_their_budget() -> None:
    changes = word_changes("a " * 3000, "b " * 3000)
    shown = edit_texts.changes_html(changes, 500)
    assert tg_length(visible(shown)) <= 501
    assert shown.endswith("…")


def labels(item: Submission) -> list[str]:
    markup = moderation_texts.card(EN, item, "Title").markup
    assert markup is not None
    return [button.text for row in markup.inline_keyboard for button in row]


def test_edit_is_offered_only_where_the_bot_publishes_the_words() -> None:
    """Not on a comment left up in the discussion group (the reader's own message, which
    Telegram lets no bot edit), nor on a contact message."""
    assert labels(corrected("Hi", None))[-1] == "✏️ Edit"
    assert "✏️ Edit" not in labels(corrected("Hi", None, original_kept=True))
    assert "✏️ Edit" not in labels(corrected("Hi", None, kind=SubmissionKind.CONTACT))
