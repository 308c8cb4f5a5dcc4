"""What a group's row does with the places left in its minute: a table of cases."""

from __future__ import annotations

import pytest

from bot.delivery.group_minute import CARD_RESERVE, HANDLER_RESERVE, Turn, turn_of
from bot.services.effects import Effect

CASES = [
    # action, free places left in the minute, what the row does
    (Effect.SEND_CARD, 20, Turn.SEND),
    (Effect.SEND_CARD, CARD_RESERVE + 1, Turn.SEND),
    # Past what the minute can carry, a card folds into the review desk.
    (Effect.SEND_CARD, CARD_RESERVE, Turn.FOLD_CARDS),
    (Effect.SEND_CARD, 0, Turn.FOLD_CARDS),
    # Other sends and edits go down to the place kept for handlers' replies.
    (Effect.SHOW_DESK, HANDLER_RESERVE + 1, Turn.SEND),
    (Effect.SHOW_DESK, HANDLER_RESERVE, Turn.WAIT),
    (Effect.REFRESH_CARDS, 0, Turn.WAIT),
    # A handler's reply may take that last place, and no more.
    (Effect.GROUP_REPLY, HANDLER_RESERVE, Turn.SEND),
    (Effect.GROUP_REPLY, 0, Turn.WAIT),
]


@pytest.mark.parametrize(("action", "free", "expected"), CASES)
def test_turn_of(action: Effect, free: int, expected: Turn) -> None:
    assert turn_of(action, free) is expected
