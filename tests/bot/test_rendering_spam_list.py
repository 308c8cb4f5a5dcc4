"""/spam's list: ten catches with long names, texts and every reason fit one message that
Telegram accepts, each with a button whose data stays within 64 bytes; outside words
read back as they were."""

from __future__ import annotations

import dataclasses

from bot import callback_data
from bot.i18n import Texts
from bot.rendering import spam_list as spam_list_texts
from bot.spam.checker import ReasonKind
from storage.models import Person, Submission, SubmissionKind, SubmissionStatus
from tests.bot.test_rendering_reports import HOSTILE, accepted

REASONS = tuple((kind.value, 3, 10) for kind in ReasonKind)


def catch(number: int, name: str = "N" * 300, text: str = "spam " * 900) -> Submission:
    return Submission(
        id=10**17 + number,
        kind=SubmissionKind.COMMENT,
        author=Person(9_000_000_000 + number, name, None, "u" * 32),
        article_id=None,
        text=text,
        status=SubmissionStatus.REJECTED,
        created_at=1_000_000.0,
        decided_by=None,
        decided_by_name=None,
        decided_at=None,
        author_banned=True,
        marked_spam=True,
        spam_score=0.999,
        spam_reasons=REASONS,
        caught_at=1_000_000.0 + number,
    )


def test_ten_long_catches_fit_one_message_with_a_button_each() -> None:
    text, markup = spam_list_texts.spam_list(Texts("es"), [catch(n) for n in range(10)])
    accepted(text)
    assert markup is not None
    buttons = [button for row in markup.inline_keyboard for button in row]
    assert 1 <= len(buttons) <= 10
    assert buttons[0].text == "↩️ No es spam (1)"
    for number, button in enumerate(buttons):
        assert isinstance(button.callback_data, str)
        assert len(button.callback_data.encode()) <= 64
        assert callback_data.parse_spam_undo(button.callback_data) == 10**17 + number
        assert f"<b>{number + 1}.</b>" in text


def test_names_and_texts_from_outside_read_back_as_they_were() -> None:
    text, _ = spam_list_texts.spam_list(Texts("en"), [catch(1, name=HOSTILE, text=HOSTILE)])
    shown = accepted(text)
    assert shown.count(HOSTILE) == 2
    assert "Likely spam (1.00): wording like spam" in shown


def test_nothing_caught_says_so() -> None:
    text, markup = spam_list_texts.spam_list(Texts("en"), [])
    assert "Nothing caught as spam" in accepted(text) and markup is None


def test_a_flood_catch_without_words_says_why_in_each_language() -> None:
    """Flood control's catch: no score, the flood in words; a button press has no text."""
    flood = dataclasses.replace(
        catch(1, name="Flo", text=""),
        spam_score=None,
        spam_reasons=(("flooding", 21, 1),),
        caught_flooding=True,
    )
    english = accepted(spam_list_texts.spam_list(Texts("en"), [flood])[0])
    spanish = accepted(spam_list_texts.spam_list(Texts("es"), [flood])[0])
    assert "⚠️ Spam: flooding: 21 messages in 1 second\n" in english + "\n"
    assert "⚠️ Spam: envío masivo: 21 mensajes en 1 segundo" in spanish


def test_a_lone_catch_has_a_plain_not_spam_button() -> None:
    """One entry needs no number to tie its button to it."""
    for language, label in (("en", "↩️ Not spam"), ("es", "↩️ No es spam")):
        _, markup = spam_list_texts.spam_list(Texts(language), [catch(1, name="Ana", text="hi")])
        assert markup is not None
        assert [button.text for row in markup.inline_keyboard for button in row] == [label]
