"""Normalisation and fingerprints: disguises undone, copies recognised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.spam.similarity import MOST_COMPARED, FingerprintIndex, near_identical
from bot.spam.text import EMPTY_BIN, disguised_words, fingerprint, normalise, resemblance


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Вitсоin", "bitcoin"),
        ("ＦＲＥＥ  Money", "free money"),
        ("m\u200bo\u200dn\u2060e\u00ady", "money"),
        ("Señales de cripto ÚNETE", "senales de cripto unete"),
        ("Привет мир", "привет мир"),
        ("ΑΙRDROP", "airdrop"),
        ("Здpaвcтвyйтe", "здравствуите"),
        ("t.me/+AbC", "t.me/+abc"),
        ("\u3164\u3164Earn $500", "earn $500"),
    ],
)
def test_normalise_undoes_disguises_and_keeps_other_scripts(written: str, read: str) -> None:
    """Look-alike letters in a Latin word are folded; a Russian word stays Russian."""
    assert normalise(written) == read


def test_lightly_changed_copies_are_near_identical_and_other_texts_are_not() -> None:
    """A wave's copies (a price, an emoji, a look-alike letter changed) match each other."""
    first = fingerprint(normalise("Earn $500 a day from home, DM me now for details, few spots"))
    copy = fingerprint(normalise("Еarn $600 a day from home!! DM me now for details, few spots 🔥"))
    other = fingerprint(normalise("The tariffs will hurt farmers on both sides of the border"))
    assert first is not None and copy is not None and other is not None
    assert near_identical(first, copy)
    assert not near_identical(first, other)


def test_numbers_emoji_and_punctuation_do_not_change_a_fingerprint() -> None:
    """What spam scripts vary from copy to copy (an amount, an age, emoji, "!!!") is left
    out: such copies have one fingerprint, in Latin and in Cyrillic letters."""
    for first, copy in (
        ("Earn $500 a day from home, DM me now 💰", "EARN 650$ A DAY FROM HOME!!! DM me now 🔥🔥"),
        (
            "Нужны люди, доход от 900$ в неделю 💸 18+, пиши в личку 👇",
            "нужны люди доход от 1500$ в неделю 🔥💸 (21+) — пиши в личку!!!",
        ),
    ):
        assert fingerprint(normalise(first)) == fingerprint(normalise(copy)) is not None


def test_a_short_text_has_no_fingerprint() -> None:
    """ "Thanks!" from six readers is no wave."""
    assert fingerprint(normalise("Thanks, great article!")) is None


def test_the_index_forgets_its_oldest_fingerprints() -> None:
    """Bounded memory: past its capacity, the oldest text is no longer found."""
    index = FingerprintIndex(capacity=2)
    texts = [f"message number {n} about something long enough to count, {n}{n}{n}" for n in "abc"]
    prints = [fingerprint(normalise(text)) for text in texts]
    for print_ in prints:
        assert print_ is not None
        index.add(print_)
    assert len(index) == 2
    assert prints[0] is not None and prints[2] is not None
    assert all(entry.print_ != prints[0] for entry in index.similar(prints[0]))
    assert index.similar(prints[2])


def test_a_check_compares_itself_with_the_newest_copies_only() -> None:
    """A thousand copies remembered: a check looks at the newest MOST_COMPARED of them, so
    its cost stays bounded however large the wave."""
    index = FingerprintIndex(capacity=5000)
    text = "I agree with the article about the border and the trade talks, reader {}"
    for n in range(1000):
        print_ = fingerprint(normalise(text.format(n)))
        assert print_ is not None
        index.add(print_, author_id=n)
    probe = fingerprint(normalise(text.format("new")))
    assert probe is not None
    found = index.similar(probe)
    assert len(found) == MOST_COMPARED
    assert {entry.author_id for entry in found} == set(range(1000 - MOST_COMPARED, 1000))


def test_words_mixing_scripts_are_counted_as_disguised() -> None:
    """ "Вitсоin" and "oпиcaнии" mix scripts; Russian, Spanish and short slips do not count."""
    assert disguised_words("Вitсоin в oпиcaнии") == 2
    assert disguised_words("Привет, amigo, ¿qué tal? Народ!nУ кого") == 0


_BINS = st.lists(st.sampled_from([EMPTY_BIN, 1, 2, 3]), min_size=32, max_size=32).map(tuple)


@given(_BINS, _BINS)
def test_resemblance_is_the_share_of_filled_bins_that_agree(
    first: tuple[int, ...], second: tuple[int, ...]
) -> None:
    """Of the bins filled in either fingerprint, the share holding the same value."""
    filled = [
        (a, b) for a, b in zip(first, second, strict=True) if EMPTY_BIN not in (a, b) or a != b
    ]
    expected = sum(a == b for a, b in filled) / len(filled) if filled else 0.0
    assert resemblance(first, second) == expected
