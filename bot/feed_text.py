"""A feed entry's words: the readable text of its HTML, and cutting it to a length.

Pure functions over strings, for bot.feeds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.text import ELLIPSIS, shorten, tg_length

# Left at the end of a cut text they would dangle before the "…".
_TRAILING = " ,;:-–—，、；："


def shorten_on_word(text: str, limit: int) -> str:
    """`text` within `limit` UTF-16 units, cut after a whole word and ended with "…".

    Chinese, Japanese and Thai do not part words with spaces: there a cut between any
    two characters is a word boundary, except before a combining mark (a Thai vowel
    sign belongs to the letter before it).
    """
    if tg_length(text) <= limit:
        return text
    cut = len(shorten(text, limit).removesuffix(ELLIPSIS))
    end = _last_boundary(text, cut)
    # One word longer than the limit is cut inside it: there is no boundary to keep.
    kept = text[:end] if end else text[: _character_start(text, cut)]
    return kept.rstrip(_TRAILING) + ELLIPSIS


def _last_boundary(text: str, cut: int) -> int:
    """The last position at or before `cut` where the text may be cut; 0 if none."""
    for end in range(cut, 0, -1):
        after, before = text[end], text[end - 1]
        if after.isspace():
            return end
        if not _joins_previous(after) and (_spaceless(before) or _spaceless(after)):
            return end
    return 0


def _character_start(text: str, cut: int) -> int:
    while cut > 1 and _joins_previous(text[cut]):
        cut -= 1
    return cut


def _joins_previous(char: str) -> bool:
    # Combining marks, and the joiner that glues emoji together.
    return unicodedata.category(char).startswith("M") or char == "\u200d"


# Scripts written without spaces between words: CJK ideographs and their punctuation,
# kana, fullwidth forms, Thai, Lao, Myanmar and Khmer.
_SPACELESS_RANGES = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x3000, 0x30FF),
    (0x3100, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


def _spaceless(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _SPACELESS_RANGES)


@dataclass(frozen=True)
class HtmlImage:
    """An <img> of an entry's HTML, as written there (the source may be relative)."""

    src: str
    width: str | None = None
    height: str | None = None


class HtmlText(HTMLParser):
    """The readable text of an HTML fragment and the images in it."""

    # Their text is no part of what a reader sees: code, styles, and captions of images
    # that the post shows as its photo, if at all.
    _HIDDEN = frozenset({"script", "style", "template", "noscript", "figcaption"})
    # Elements that separate words: "<p>a</p><p>b</p>" reads "a b", not "ab".
    # fmt: off
    _BREAKING = frozenset({
        "p", "div", "br", "hr", "blockquote", "pre", "figure", "address",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "tr", "td", "th", "article", "section", "header", "footer", "main",
        "nav", "aside",
    })
    # fmt: on
    # WordPress draws emoji as images of these classes, their emoji in the alt text.
    _EMOJI_CLASSES = frozenset({"wp-smiley", "emoji"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden_depth = 0
        self.images: list[HtmlImage] = []

    @classmethod
    def of(cls, html: str) -> HtmlText:
        reader = cls()
        reader.feed(html)
        reader.close()
        return reader

    @property
    def text(self) -> str:
        return " ".join("".join(self._parts).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag == "img":
            # Even inside <noscript>: lazy-loading plugins put the real image there.
            self._add_image(dict(attrs))
        if tag in self._BREAKING:
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1
        if tag in self._BREAKING:
            self._parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._parts.append(data)

    def _add_image(self, attrs: dict[str, str | None]) -> None:
        css_class = attrs.get("class") or ""
        if self._EMOJI_CLASSES & set(css_class.split()):
            # The emoji is part of the sentence, not a picture.
            if not self._hidden_depth:
                self._parts.append(attrs.get("alt") or "")
            return
        src = attrs.get("src")
        if src:
            self.images.append(HtmlImage(src, attrs.get("width"), attrs.get("height")))
