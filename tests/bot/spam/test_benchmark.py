"""The accuracy target of issue 21 on tg-spam's samples, as benchmarks/spam.py measures it."""

from __future__ import annotations

from benchmarks.spam import accuracy
from bot.settings import Settings
from bot.spam.checker import Thresholds


def test_after_200_decisions_the_targets_hold_with_the_default_thresholds() -> None:
    """Precision of removal ≥ 0.99, recall ≥ 0.90, unsure ≤ 15 % (default draw)."""
    thresholds = Thresholds(
        Settings.model_fields["spam_threshold"].default,
        Settings.model_fields["spam_unsure_threshold"].default,
    )
    assert thresholds == Thresholds()
    figures = accuracy(1, thresholds)["after 200 decisions"]
    assert figures["precision"] >= 0.99
    assert figures["recall"] >= 0.90
    assert figures["unsure"] <= 0.15
