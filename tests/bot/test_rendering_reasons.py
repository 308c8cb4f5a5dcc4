"""Reasons as moderators and authors read them: the card's line and buttons, the notice,
and button data that always fits Telegram's 64 bytes."""

from __future__ import annotations

from bot import callback_data
from bot.callback_data import ReasonSurface
from bot.i18n import Texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import readers as reader_texts
from bot.rendering import reasons as reason_texts
from bot.settings import DEFAULT_REJECT_REASONS, REJECT_REASON_KEY_MAX_BYTES
from storage.models import Submission, SubmissionStatus
from tests.bot.test_rendering import submission, visible

EN, ES = Texts("en"), Texts("es")


def rejected(**changes: object) -> Submission:
    values: dict[str, object] = {
        "status": SubmissionStatus.REJECTED,
        "decided_by": 1,
        "decided_by_name": "Mo",
        "decided_at": 0.0,
    }
    values.update(changes)
    return submission("Off the point", **values)


def test_the_widest_reason_button_fits_64_bytes_and_parses_back() -> None:
    key = "ñ" * (REJECT_REASON_KEY_MAX_BYTES // 2)
    for surface in ReasonSurface:
        data = callback_data.reason(surface, 10**18 - 1, key)
        assert len(data.encode()) <= 64
        press = callback_data.parse_reason(data)
        assert press is not None
        assert (press.surface, press.submission_id, press.reason) == (surface, 10**18 - 1, key)


def test_a_rejected_card_offers_the_reasons_then_shows_the_one_given() -> None:
    asking = moderation_texts.card(EN, rejected(), "T", reasons=DEFAULT_REJECT_REASONS)
    assert asking.markup is not None
    assert [b.text for row in asking.markup.inline_keyboard for b in row] == [
        "off-topic",
        "insulting",
        "personal data",
        "duplicate",
        "misleading",
    ]
    assert "reply to this card" in visible(asking.text)
    given = moderation_texts.card(
        ES,
        rejected(decision_reason="off_topic"),
        "T",
        reasons=DEFAULT_REJECT_REASONS,
    )
    assert given.markup is None
    assert "· fuera de tema" in visible(given.text)


def test_a_moderators_own_reason_is_shown_as_written_and_escaped() -> None:
    own = rejected(decision_reason="<b>no</b> & spam links")
    card = moderation_texts.card(EN, own, "T")
    assert "&lt;b&gt;no&lt;/b&gt; &amp; spam links" in card.text
    notice = reader_texts.author_outcome(ES, own, "T")
    assert "Motivo: <b>no</b> & spam links" in visible(notice)


def test_every_default_reason_has_a_spanish_text() -> None:
    for key in DEFAULT_REJECT_REASONS:
        english, spanish = reason_texts.reason_text(EN, key), reason_texts.reason_text(ES, key)
        assert spanish not in {key, english}
