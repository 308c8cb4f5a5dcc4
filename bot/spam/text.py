"""Text as the spam check reads it: normalised so that disguises do not count.

Spammers vary a text so that each copy looks new: capitals, accents, invisible
characters between letters, Cyrillic or Greek letters that look Latin ("Вitсоin").
`normalise` undoes all of these; digits, links and @names are kept, as they are signals.
"""

from __future__ import annotations

import operator
import re
import unicodedata
import zlib

# A check reads this much of a text: a comment is at most 2000 characters (COMMENT_MAX_LENGTH),
# and a longer paste says nothing more; the bound keeps a huge text's check fast.
MAX_CHARS = 4000

# Letters that look Latin, lower case (the text is casefolded first): folded only inside a
# word that is written in Latin letters otherwise, so Russian or Greek words stay as they are.
# After Unicode's confusables list (unicode.org/Public/security/latest/confusables.txt),
# its letters only.
CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "з": "3", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ү": "y", "ց": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Latin letters outside ASCII that pass for ASCII ones
    "ı": "i", "ɡ": "g", "ɑ": "a", "ʏ": "y",
}  # fmt: skip

# Characters that show nothing but split words: Unicode's format characters (category Cf:
# zero-width space and joiners, soft hyphen, direction marks, word joiner, BOM) and the
# blank letters that Telegram spam uses as padding.
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Casefolded, accents and invisible characters removed, look-alike letters folded."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    if text.isascii():
        return _SPACES.sub(" ", text).strip()
    kept = []
    for char in unicodedata.normalize("NFD", text):
        category = unicodedata.category(char)
        # Mn: the accents NFD split off; Cf and the blank letters: invisible.
        if category in {"Mn", "Cf"} or char in _BLANK_LETTERS:
            continue
        kept.append(char)
    text = _WORD.sub(_fold_word, "".join(kept))
    return _SPACES.sub(" ", text).strip()


# The other way: Latin letters that pass for Cyrillic ones, in a Cyrillic word ("Здpaвcтвyйтe").
_CYRILLIC_LOOKALIKES = {
    "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "o": "о",
    "p": "р", "t": "т", "x": "х", "y": "у", "i": "і",
}  # fmt: skip


def _fold_word(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii():
        return word
    latin = sum(1 for char in word if char.isascii() and char.isalpha())
    if latin == 0:
        return word
    lookalikes = sum(1 for char in word if char in CONFUSABLES)
    other = sum(1 for char in word if char.isalpha() and not char.isascii()) - lookalikes
    # "Вitсоin": Latin with look-alikes mixed in.
    if other == 0 or latin >= other + lookalikes:
        return "".join(CONFUSABLES.get(char, char) for char in word)
    # "Здpaвcтвyйтe": Cyrillic with Latin look-alikes mixed in.
    if all(char in _CYRILLIC_LOOKALIKES for char in word if char.isascii() and char.isalpha()):
        return "".join(_CYRILLIC_LOOKALIKES.get(char, char) for char in word)
    return word


_DISGUISE_MIN_LENGTH = 4


def disguised_words(text: str) -> int:
    """Words mixing Latin letters with Cyrillic or Greek ones: no language writes so, and
    spam does it to slip past word filters."""
    count = 0
    for word in _WORD.findall(text[:MAX_CHARS]):
        # Shorter words are too often a typo or a lost line break ("!nУ").
        if word.isascii() or len(word) < _DISGUISE_MIN_LENGTH:
            continue
        has_latin = any(char.isascii() and char.isalpha() for char in word)
        if has_latin and any(char.isalpha() and not char.isascii() for char in word):
            count += _mixes_scripts(word)
    return count


def _mixes_scripts(word: str) -> bool:
    for char in word:
        if not char.isascii() and char.isalpha():
            name = unicodedata.name(char, "")
            if name.startswith(("CYRILLIC", "GREEK")):
                return True
    return False


# A fingerprint: one-permutation MinHash (Li, Owen & Zhang 2012) over 4-character shingles
# of the text's skeleton. Two texts' fingerprints agree in about the share of bins that
# their shingle sets share (their Jaccard similarity), so copies with a word changed still
# match. One hash per shingle keeps it cheap; crc32 keeps it the same in every process, so
# a fingerprint may be stored.
FINGERPRINT_BINS = 32
# Characters, not bytes: a Cyrillic letter is two bytes in UTF-8, and 5-byte shingles were
# 2-3 Russian letters against 5 Latin ones. Four: a wave's copies with a slot word swapped
# ("нужны люди" / "ищу людей") still share most of what is left, measured on the spam
# waves of benchmarks/wave_texts.py against tg-spam's ham (benchmarks/data/tg_spam).
_SHINGLE = 4
# Fewer shingles than this, and most bins are empty: "ok thanks" is no wave.
MIN_SHINGLES = 20
EMPTY_BIN = 0xFFFFFFFF
# What spam scripts vary from copy to copy and a reader's eye skips: digits (prices, ages,
# codes), emoji, punctuation and symbols ("$900", "18+", "🔥💸", "!!!"). The skeleton keeps
# the letters and one space between words.
_VARIED = re.compile(r"[\W\d_]+")

Fingerprint = tuple[int, ...]


def skeleton(normalised: str) -> str:
    """The letters of a normalised text, each run of anything else one space."""
    return _VARIED.sub(" ", normalised).strip()


def fingerprint(normalised: str) -> Fingerprint | None:
    """The fingerprint of the text's skeleton, or None for a text too short to tell
    copies apart."""
    letters = skeleton(normalised)
    count = len(letters) - _SHINGLE + 1
    if count < MIN_SHINGLES:
        return None
    # Four bytes a character, so a shingle is a slice of one encoding of the whole text.
    data = letters.encode("utf-32-le", "replace")
    width = 4 * _SHINGLE
    bins = [EMPTY_BIN] * FINGERPRINT_BINS
    mask = FINGERPRINT_BINS - 1
    crc32 = zlib.crc32
    for start in range(0, 4 * count, 4):
        value = _mix(crc32(data[start : start + width]))
        slot = value & mask
        rest = value >> 5
        bins[slot] = min(bins[slot], rest)
    return tuple(bins)


def _mix(value: int) -> int:
    """MurmurHash3's finaliser (fmix32): crc32 is linear, so shingles that overlap get
    related values, and MinHash wants them as if drawn at random (with crc32 alone, the
    resemblance of a wave's copies came out 0.03 too high or too low depending on the
    encoding; mixed, it is unbiased)."""
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & 0xFFFFFFFF
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & 0xFFFFFFFF
    return value ^ (value >> 16)


def resemblance(first: Fingerprint, second: Fingerprint) -> float:
    """About the share of shingles the two texts have in common (0.0 to 1.0): of the bins
    filled in either, those that hold the same value. Counted in C (map, sum), not
    in a loop over the bins: a check compares up to 128 pairs, and a wave of long texts
    made this loop most of a check's time."""
    if first == second:
        # Exact copies, as a flood of one text makes them.
        return 1.0 if first.count(EMPTY_BIN) < len(first) else 0.0
    same = sum(map(operator.eq, first, second))
    empty = EMPTY_BIN.__eq__
    both_empty = sum(map(operator.and_, map(empty, first), map(empty, second)))
    both = len(first) - both_empty
    return (same - both_empty) / both if both else 0.0
