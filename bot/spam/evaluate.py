"""How well the check separates spam from ham on labelled messages: precision and recall
of automatic removal (verdict `spam`) and the share left `unsure`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.spam.checker import SpamChecker, Thresholds, Verdict


@dataclass(frozen=True)
class Accuracy:
    spam: int
    ham: int
    # Verdict `spam`: on spam messages, on ham messages.
    caught: int
    wrongly_caught: int
    unsure: int

    @property
    def precision(self) -> float:
        removed = self.caught + self.wrongly_caught
        return self.caught / removed if removed else 1.0

    @property
    def recall(self) -> float:
        return self.caught / self.spam if self.spam else 1.0

    @property
    def unsure_share(self) -> float:
        total = self.spam + self.ham
        return self.unsure / total if total else 0.0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(
            self.spam + other.spam,
            self.ham + other.ham,
            self.caught + other.caught,
            self.wrongly_caught + other.wrongly_caught,
            self.unsure + other.unsure,
        )

    def as_dict(self) -> dict[str, float | int]:
        return {
            "spam": self.spam,
            "ham": self.ham,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "unsure": round(self.unsure_share, 4),
            "wrongly_removed": self.wrongly_caught,
        }


def trained(
    thresholds: Thresholds, spam: Sequence[str], ham: Sequence[str], *, remember: bool = True
) -> SpamChecker:
    checker = SpamChecker(thresholds)
    # Interleaved, as decisions arrive.
    for index in range(max(len(spam), len(ham))):
        if index < len(spam):
            checker.learn(spam[index], spam=True, remember=remember)
        if index < len(ham):
            checker.learn(ham[index], spam=False, remember=remember)
    return checker


def measure(checker: SpamChecker, spam: Sequence[str], ham: Sequence[str]) -> Accuracy:
    spam_verdicts = [checker.check(text).verdict for text in spam]
    ham_verdicts = [checker.check(text).verdict for text in ham]
    return Accuracy(
        spam=len(spam),
        ham=len(ham),
        caught=spam_verdicts.count(Verdict.SPAM),
        wrongly_caught=ham_verdicts.count(Verdict.SPAM),
        unsure=spam_verdicts.count(Verdict.UNSURE) + ham_verdicts.count(Verdict.UNSURE),
    )


def k_fold(
    thresholds: Thresholds,
    spam: Sequence[str],
    ham: Sequence[str],
    *,
    base: tuple[Sequence[str], Sequence[str]] = ((), ()),
    folds: int = 5,
    seed: int = 1,
) -> Accuracy:
    """Each fold checked by a checker that learned `base` (the starter set) and the other
    folds."""
    rng = random.Random(seed)
    spam = rng.sample(list(spam), len(spam))
    ham = rng.sample(list(ham), len(ham))
    total = Accuracy(0, 0, 0, 0, 0)
    for fold in range(folds):
        train_spam = [text for i, text in enumerate(spam) if i % folds != fold]
        train_ham = [text for i, text in enumerate(ham) if i % folds != fold]
        checker = trained(thresholds, list(base[0]), list(base[1]), remember=False)
        for text in train_spam:
            checker.learn(text, spam=True)
        for text in train_ham:
            checker.learn(text, spam=False)
        test_spam = [text for i, text in enumerate(spam) if i % folds == fold]
        test_ham = [text for i, text in enumerate(ham) if i % folds == fold]
        total += measure(checker, test_spam, test_ham)
    return total
