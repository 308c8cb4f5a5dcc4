"""Waves: copies with their numbers, emoji and slot words varied are one wave; the wave weighs
more with each new account, and a wave alone of a few readers never removes a message."""

from __future__ import annotations

import random

from bot.spam.checker import (
    _WAVE_KEPT,
    WAVE_ALONE_ACCOUNTS,
    AuthorRecord,
    ReasonKind,
    SpamCheck,
    SpamChecker,
    Thresholds,
    Verdict,
)
from bot.spam.evaluate import trained
from bot.spam.filter import starter_set
from bot.spam.text import fingerprint, normalise

# A "remote job" text lightly changed as spam scripts do: each copy its own amount, age,
# emoji and punctuation, and its own words in two slots. Not in the starter set, nor in
# the benchmark's waves.
SPUN = (
    "{need} for easy remote work from home, pay from {amount}$ a week {emoji} age {age}+,"
    " {write} in private{hand}",
    {
        "need": ["Looking for people", "Hiring people", "We need people"],
        "amount": ["650", "800", "1100", "1300", "950"],
        "emoji": ["💸", "💰", "💵💵", "🔥💸", ""],
        "age": ["18", "20", "21", "25"],
        "write": ["write +", "text me", "message me"],
        "hand": [" 👇", " ✅", "!!!", "", "."],
    },
)
# The same in Russian (a Cyrillic letter is two bytes: shingles count letters, not bytes).
SPUN_RU = (
    "{need} на лёгкую удалённую подработку, оплата от {amount}$ в неделю {emoji} от {age} лет,"
    " {write} в личку{hand}",
    {
        "need": ["Ищем людей", "Нужны люди", "Набираем людей"],
        "amount": ["650", "800", "1100", "1300", "950"],
        "emoji": ["💸", "💰", "💵💵", "🔥💸", ""],
        "age": ["18", "20", "21", "25"],
        "write": ["пиши +", "пишите", "жду"],
        "hand": [" 👇", " ✅", "!!!", "", "."],
    },
)
# A long offer in words the starter set does not know (Russian) and with no other signal:
# the classifier makes nothing of it either way, so the wave decides.
PLAIN_OFFER = (
    "Продаю кожаные кошельки и ремни ручной работы, хорошее качество, спросите каталог и цены,"
    " доставка во все города"
)
# A genuine comment as long as a wave's text, in words no spam list holds.
LONG_COMMENT = (
    "The ferry timetable for the islands changed again this spring and nobody at the port"
    " could explain why the morning crossing was dropped"
)


def starter_checker() -> SpamChecker:
    return trained(Thresholds(), *starter_set(), remember=False)


def spun_copies(spin: tuple[str, dict[str, list[str]]], count: int, seed: int) -> list[str]:
    template, slots = spin
    rng = random.Random(seed)
    copies: list[str] = []
    while len(copies) < count:
        text = template.format(**{slot: rng.choice(words) for slot, words in slots.items()})
        if text not in copies:
            copies.append(text)
    return copies


def from_new_accounts(checker: SpamChecker, texts: list[str], first_id: int) -> list[SpamCheck]:
    """Each text from an account of its own, none with an approved comment, 20 s apart."""
    return [
        checker.check(text, author=AuthorRecord(first_id + n), now=1000.0 + 20 * n)
        for n, text in enumerate(texts)
    ]


def wave_accounts(check: SpamCheck) -> int:
    return max((r.count for r in check.reasons if r.kind == ReasonKind.WAVE), default=0)


def test_spun_copies_from_five_accounts_are_one_wave() -> None:
    """Five accounts, each copy with its own amount, emoji and slot words: the fifth copy is
    "same text from 5 accounts", in English and in Russian."""
    for spin in (SPUN, SPUN_RU):
        for seed in range(1, 6):
            checker = starter_checker()
            checks = from_new_accounts(checker, spun_copies(spin, 5, seed), 100)
            assert wave_accounts(checks[-1]) == 5, (spin[0][:20], seed)


def test_copies_of_copies_are_one_wave() -> None:
    """A script's copies each share most words with some others, not with all: the third
    copy, unlike the first, is still "same text from 3 accounts" through the second."""
    parts = [
        "Cheap flights to Cancun this weekend",
        "hotel and breakfast included for two",
        "write to our travel agent on WhatsApp",
        "discounts for groups and families too",
        "payment in cash or by card on arrival",
        "ask about the cruise packages",
    ]
    copies = [" ".join(parts[start : start + 4]) for start in range(3)]
    checks = from_new_accounts(starter_checker(), copies, 100)
    assert wave_accounts(checks[-1]) == 3


def test_a_wave_weighs_more_with_each_new_account() -> None:
    """The same copy scores higher as the fifth of a wave than as the third (in Russian,
    which the starter set does not know: its score is the wave's doing)."""
    checker = starter_checker()
    copies = spun_copies(SPUN_RU, 5, 1)
    checks = from_new_accounts(checker, copies, 100)
    third_of_three = starter_checker()
    last = from_new_accounts(third_of_three, [*copies[:2], copies[4]], 100)[-1]
    assert wave_accounts(last) == 3 and wave_accounts(checks[-1]) == 5
    assert checks[-1].score > last.score


def test_a_wave_alone_makes_a_flagged_card_and_many_accounts_make_spam() -> None:
    """A long offer with nothing else against it: from up to 6 new accounts a card (flagged
    `unsure` from the fourth), not removed; from WAVE_ALONE_ACCOUNTS new accounts spam."""
    checker = starter_checker()
    checks = from_new_accounts(checker, [PLAIN_OFFER] * WAVE_ALONE_ACCOUNTS, 100)
    assert [check.verdict for check in checks[:3]] == [Verdict.HAM] * 3
    assert [check.verdict for check in checks[3:6]] == [Verdict.UNSURE] * 3
    assert checks[-1].verdict == Verdict.SPAM


def test_a_genuine_long_comment_copied_by_many_is_not_removed() -> None:
    """A reader's comment in the words of news pasted by WAVE_ALONE_ACCOUNTS new accounts:
    their number is named, the wording keeps it from removal."""
    checker = starter_checker()
    checks = from_new_accounts(checker, [LONG_COMMENT] * WAVE_ALONE_ACCOUNTS, 100)
    assert wave_accounts(checks[-1]) == WAVE_ALONE_ACCOUNTS
    assert Verdict.SPAM not in {check.verdict for check in checks}


def test_copies_from_regular_readers_do_not_make_a_wave_grow() -> None:
    """Approved readers' copies count as accounts but not as new ones: a newcomer's copy
    after seven regulars' weighs as a wave of three would."""
    checker = starter_checker()
    for n in range(7):
        checker.check(PLAIN_OFFER, author=AuthorRecord(100 + n, approved=2), now=1000.0 + n)
    check = checker.check(PLAIN_OFFER, author=AuthorRecord(200), now=1010.0)
    assert wave_accounts(check) == 8
    assert check.verdict != Verdict.SPAM


def test_short_everyday_texts_from_many_readers_are_never_removed() -> None:
    """ "Great article!", "Gracias", a sentence of thanks: the same from 20 new readers in
    five minutes is at most a flagged card."""
    for text in (
        "Great article!",
        "Thanks",
        "+1",
        "Gracias",
        "Thank you for this article, very informative!",
        "Muchas gracias por el artículo, muy interesante 👏",
        "Totally agree with the author on this one, well said",
    ):
        checker = starter_checker()
        checks = from_new_accounts(checker, [text] * 20, 100)
        assert all(check.verdict != Verdict.SPAM for check in checks), text


def test_a_large_wave_is_named_in_full() -> None:
    """Forty accounts sending one text within 4 minutes: the last copy is "same text from
    40 accounts", though a copy keeps fewer of its wave's accounts."""
    checker = starter_checker()
    for n in range(39):
        checker.check(PLAIN_OFFER, author=AuthorRecord(100 + n), now=1000.0 + 6 * n)
    assert wave_accounts(checker.check(PLAIN_OFFER, author=AuthorRecord(99), now=1240.0)) == 40


def test_a_copys_wave_keeps_a_bounded_number_of_accounts() -> None:
    """Copies of copies merge their waves: each copy keeps at most _WAVE_KEPT accounts, so
    a flood of one text costs each check the same, its first copy or its thousandth (waves
    once grew copy after copy, to hundreds of accounts each)."""
    checker = starter_checker()
    text = "I agree with every word of this article about the border and the trade talks"
    for n in range(300):
        checker.check(text, author=AuthorRecord(100 + n), now=1000.0 + n * 0.1)
    probe = checker.check(text, author=AuthorRecord(99), now=1031.0)
    assert wave_accounts(probe) >= WAVE_ALONE_ACCOUNTS
    entries = checker._recent_texts.similar(fingerprint(normalise(text)) or ())
    assert entries and max(len(entry.wave) for entry in entries) <= _WAVE_KEPT
