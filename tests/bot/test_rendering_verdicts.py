"""Moderation actions as data: each verdict's button, its answer and its line in the
record are read from its one declaration in VERDICTS (bot.services.verdicts), in every
language, by cards, both desks, the answers and /history alike."""

from __future__ import annotations

import pytest

from bot.i18n import SUPPORTED, Texts
from bot.rendering import moderation as moderation_texts
from bot.rendering import moderation_answers as answer_texts
from bot.rendering import private_desk as desk_texts
from bot.rendering import record as record_texts
from bot.services.verdicts import VERDICTS, Decision
from storage.private_desks import DeskState, PrivateDesk
from tests.bot.test_rendering import submission
from tests.factories import logged


def labels_of(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", ())
    return [button.text for row in rows for button in row]


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("left_up", [False, True])
def test_cards_and_desks_show_the_declared_buttons_in_order(language: str, left_up: bool) -> None:
    t = Texts(language)
    pending = submission("Words", original_kept=left_up)
    declared = []
    for verdict in VERDICTS.values():
        label = verdict.labels.button_left_up if left_up else None
        declared.append(t.gettext(label or verdict.labels.button))
    card = moderation_texts.card(t, pending, "Title")
    assert labels_of(card.markup)[: len(VERDICTS)] == declared
    _, group_desk = moderation_texts.desk(t, pending, "Title", 1)
    assert labels_of(group_desk)[: len(VERDICTS)] == declared
    desk = PrivateDesk(9, DeskState.OPEN, pending.id, 300.0, 70, None)
    _, private_desk = desk_texts.private_desk(t, desk, pending, "Title", 1, 300.0)
    assert labels_of(private_desk)[: len(VERDICTS)] == declared


@pytest.mark.parametrize("language", SUPPORTED)
def test_the_record_and_the_answers_say_each_verdict_as_declared(language: str) -> None:
    """A verdict's record line (kept or removed for a comment left up) and the answer to
    its tap (tests/bot/test_i18n.py sees every label translated: they are extracted from
    the declaration)."""
    t = Texts(language)
    for decision, verdict in VERDICTS.items():
        labels = verdict.labels
        line = record_texts.history_line(t, logged(verdict.logged))
        assert t.gettext(labels.logged) in line
        if verdict.logged_left_up is not None:
            assert labels.logged_left_up is not None
            left_up_line = record_texts.history_line(t, logged(verdict.logged_left_up))
            assert t.gettext(labels.logged_left_up) in left_up_line
        if labels.done is not None:
            answer = answer_texts.decision_done(t, decision, submission("Words"))
            assert answer == t.gettext(labels.done)


def test_spam_says_in_full_what_it_did() -> None:
    """🧹 Spam declares no answer of its own: it tells whether it banned, and the copies."""
    t = Texts("en")
    banned = submission("Buy now", author_banned=True)
    assert VERDICTS[Decision.SPAM].labels.done is None
    assert "the author banned" in answer_texts.decision_done(t, Decision.SPAM, banned)
    assert "3 copies" in answer_texts.decision_done(t, Decision.SPAM, banned, copies=2)
