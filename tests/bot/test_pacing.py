from __future__ import annotations

import pytest

from bot.pacing import GroupPacer, OverallPacer, is_group


def test_a_group_gets_twenty_calls_a_minute_and_people_are_not_paced() -> None:
    """The 21st call to a group in a minute waits until the first leaves the window."""
    pacer = GroupPacer(per_minute=20)
    for second in range(20):
        assert pacer.next_slot("-100", 100.0 + second) == 100.0 + second
        pacer.record("-100", 100.0 + second)
    assert pacer.next_slot("-100", 125.0) == 160.0
    assert pacer.next_slot("-100", 160.0) == 160.0
    assert pacer.next_slot("-200", 125.0) == 125.0
    for _ in range(50):
        pacer.record("42", 125.0)
    assert pacer.next_slot("42", 125.0) == 125.0
    assert is_group("@blog")
    assert not is_group("42")


def test_the_bot_as_a_whole_sends_thirty_a_second_evenly_spaced() -> None:
    """Calls at once get places a thirtieth of a second apart, each reserved as it is
    handed out, so calls side by side never share one; a quiet moment goes at once."""
    pacer = OverallPacer(per_second=30)
    slots = [pacer.take_slot(100.0) for _ in range(31)]
    assert slots == pytest.approx([100.0 + n / 30 for n in range(31)])
    assert pacer.take_slot(105.0) == 105.0
    # Looking at the next place reserves nothing.
    assert pacer.next_slot(105.0) == pacer.next_slot(105.0) == pytest.approx(105.0 + 1 / 30)
    unpaced = OverallPacer(per_second=0)
    assert {unpaced.take_slot(5.0) for _ in range(1000)} == {5.0}
